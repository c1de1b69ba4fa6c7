"""DCAT-AP documents: the whole catalogue or one institution's (streamed in batches, or one
Hydra page at a time) and single datasets, in Turtle, RDF/XML or JSON-LD.

The catalogue is read in id order, a batch of plain rows at a time (``dcat_rows``), and
each batch is written before the next is read, so memory stays flat however large the
catalogue is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dati.catalog.models import Resource
from dati.interop import dcat_vocab as vocab
from dati.interop import rdf_writer as rdf
from dati.interop.dcat_export import Exporter
from dati.interop.dcat_rows import RowLoader
from dati.interop.rdf_writer import DCAT, DCT, FOAF, HYDRA, XSD, Iri, Lit, Node, iri
from dati.orgs import service as orgs_service
from dati.orgs.models import Organisation

MAX_PAGE_SIZE = 1000
# The institution that runs the platform publishes the national catalogue (as data.gov.lv).
OPERATOR = "VDAA"
MEDIA_TYPES = {
    "ttl": "text/turtle; charset=utf-8",
    "rdf": "application/rdf+xml; charset=utf-8",
    "jsonld": "application/ld+json; charset=utf-8",
}


class DocumentWriter:
    """Header, any number of node batches, footer: one well-formed document in any format."""

    def __init__(self, fmt: str):
        if fmt not in MEDIA_TYPES:
            raise ValueError(f"unknown RDF format {fmt}")
        self.fmt = fmt
        self._first = True

    def start(self) -> str:
        if self.fmt == "ttl":
            return rdf.turtle_header()
        if self.fmt == "rdf":
            return rdf.rdfxml_header()
        return rdf.jsonld_header()

    def write(self, nodes: Iterable[Node]) -> str:
        if self.fmt == "ttl":
            return rdf.turtle(nodes)
        if self.fmt == "rdf":
            return rdf.rdfxml(nodes)
        parts = []
        for text in rdf.jsonld_objects(nodes):
            parts.append(text if self._first else ",\n" + text)
            self._first = False
        return "".join(parts)

    def end(self) -> str:
        if self.fmt == "ttl":
            return ""
        return rdf.rdfxml_footer() if self.fmt == "rdf" else rdf.jsonld_footer()


@dataclass(frozen=True)
class Page:
    """One Hydra page of the catalogue; ``url(n)`` is the address of page n."""

    number: int
    size: int
    url: Callable[[int], str]


def catalogue_node(
    session: Session, exporter: Exporter, uri: str, org: Organisation | None
) -> Node:
    node = Node(iri(uri), (DCAT.Catalog,))
    if org is not None:
        node.texts(
            DCT.title,
            f"{org.name_lv} — datu katalogs",
            f"{org.name_en or org.name_lv} — data catalogue",
        )
        node.texts(
            DCT.description,
            f"Iestādes {org.name_lv} informācijas resursi un datu pakalpojumi.",
            f"Information resources and data services of {org.name_en or org.name_lv}.",
        )
        node.add(DCT.publisher, exporter.agent(org))
    else:
        node.texts(DCT.title, "Valsts datu katalogs", "National data catalogue")
        node.texts(
            DCT.description,
            "Valsts pārvaldes informācijas resursi, datu kopas un datu pakalpojumi.",
            "Information resources, datasets and data services of the public administration.",
        )
        operator = orgs_service.find_by_short_name(session, OPERATOR)
        if operator is not None:
            node.add(DCT.publisher, exporter.agent(operator))
        else:
            agent = Node(iri(f"{exporter.base}/#operator"), (FOAF.Agent,))
            agent.add(FOAF.name, Lit(exporter.base))
            node.add(DCT.publisher, agent)
    node.add(FOAF.homepage, exporter.ref(f"{exporter.base}/", FOAF.Document))
    for code, label_lv, label_en in vocab.LANGUAGES.values():
        node.add(
            DCT.language,
            exporter.ref(vocab.LANGUAGE_BASE + code, DCT.LinguisticSystem, (label_lv, label_en)),
        )
    node.add(
        DCT.spatial,
        exporter.ref(
            vocab.spatial_uri("LV", exporter.base), DCT.Location, vocab.spatial_labels("LV")
        ),
    )
    node.add(DCAT.themeTaxonomy, exporter.theme_scheme())
    stmt = select(func.max(Resource.updated_at))
    if org is not None:
        stmt = stmt.where(Resource.owner_org_id == org.id)
    modified = session.scalar(stmt)
    if modified is not None:
        node.add(DCT.modified, Lit(modified.date().isoformat(), datatype=XSD.date))
    return node


def page_node(page: Page, total: int) -> Node:
    last = max(1, -(-total // page.size))
    node = Node(iri(page.url(page.number)), (HYDRA.PartialCollectionView,))
    node.add(HYDRA.totalItems, Lit(str(total), datatype=XSD.integer))
    node.add(HYDRA.itemsPerPage, Lit(str(page.size), datatype=XSD.integer))
    node.add(HYDRA.first, iri(page.url(1)))
    node.add(HYDRA.last, iri(page.url(last)))
    if page.number < last:
        node.add(HYDRA.next, iri(page.url(page.number + 1)))
    if page.number > 1:
        node.add(HYDRA.previous, iri(page.url(min(page.number - 1, last))))
    return node


def catalogue_document(
    session: Session,
    *,
    base_url: str,
    fmt: str,
    catalogue_uri: str,
    org: Organisation | None = None,
    page: Page | None = None,
) -> Iterator[str]:
    """The catalogue as text chunks: everything, or one page with Hydra links."""
    writer = DocumentWriter(fmt)
    exporter = Exporter(
        session, base_url, catalogue_uri, org_id=org.id if org is not None else None
    )
    loader = RowLoader(session, org.id if org is not None else None)
    yield writer.start()
    head = [catalogue_node(session, exporter, catalogue_uri, org)]
    if page is not None:
        count = select(func.count()).select_from(Resource)
        if org is not None:
            count = count.where(Resource.owner_org_id == org.id)
        head.append(page_node(page, session.scalar(count) or 0))
        batches = loader.batches(offset=(page.number - 1) * page.size, limit=page.size)
    else:
        batches = loader.batches()
    yield writer.write(head + exporter.take_pending())
    catalogue = iri(catalogue_uri)
    for batch in batches:
        members = Node(catalogue)
        parts = []
        for nodes in exporter.each_dataset(batch):
            members.add(DCAT.dataset, nodes[0].id)
            parts.append(writer.write(nodes))
        parts.append(writer.write([members]))
        yield "".join(parts)
    yield writer.end()


def dataset_document(session: Session, *, base_url: str, fmt: str, resource: Resource) -> str:
    """One dataset with its distributions, data services and every node they refer to."""
    writer = DocumentWriter(fmt)
    exporter = Exporter(session, base_url, only_ids={resource.id})
    nodes = exporter.datasets([resource])
    return writer.start() + writer.write(nodes + exporter.take_pending()) + writer.end()


def dataset_graph_nodes(session: Session, base_url: str, resources: list[Resource]) -> list[Node]:
    """Node trees for tests and validation (no text round trip)."""
    exporter = Exporter(session, base_url, only_ids={r.id for r in resources})
    return exporter.datasets(resources) + exporter.take_pending()


def catalogue_uri_for(base_url: str, org: Organisation | None) -> Iri:
    if org is None:
        return iri(f"{base_url}/catalog")
    return iri(f"{base_url}/organisations/{org.short_name}/catalog")
