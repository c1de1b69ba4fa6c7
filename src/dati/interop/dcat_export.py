"""Catalogue records as DCAT-AP 3.0.1 node trees (datasets, distributions, data services).

Every value the shapes constrain by class gets its type here (a theme is a skos:Concept
with labels, a licence a dct:LicenseDocument, a publisher a foaf:Agent with a name), so
a document validates on its own. Shared nodes (vocabulary concepts, institutions, data
services) are written once per document: ``Exporter`` remembers what it has emitted.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from dati.catalog import vocabularies as catalog_vocab
from dati.catalog.models import AccessRights, DataService, Distribution, Resource
from dati.interop import dcat_services
from dati.interop import dcat_vocab as vocab
from dati.interop.dcat_rows import DistributionRow, ResourceRow
from dati.interop.models import HarvestedRecord, Series, SeriesMember
from dati.interop.rdf_writer import (
    DCAT,
    DCATAP,
    DCT,
    ELI,
    FOAF,
    RDFS,
    SKOS,
    VCARD,
    XSD,
    Iri,
    Lit,
    Node,
    iri,
)
from dati.orgs.models import Organisation, OrgKind

# ADMS publisher types: (code, Latvian label, English label).
PUBLISHER_TYPES = {
    OrgKind.MINISTRY: ("NationalAuthority", "Valsts iestāde", "National authority"),
    OrgKind.AGENCY: ("NationalAuthority", "Valsts iestāde", "National authority"),
    OrgKind.MUNICIPALITY: ("LocalAuthority", "Pašvaldība", "Local authority"),
    OrgKind.COMPANY: ("Company", "Uzņēmums", "Company"),
    OrgKind.RESEARCH: (
        "Academia-ScientificOrganisation",
        "Akadēmiska vai zinātniska organizācija",
        "Academia/Scientific organisation",
    ),
    OrgKind.NGO: ("NonProfitOrganisation", "Bezpeļņas organizācija", "Non-profit organisation"),
}
PUBLISHER_TYPE_BASE = "http://purl.org/adms/publishertype/"
# The export reads ORM records for one dataset and plain rows when streaming the catalogue.
ResourceLike = Resource | ResourceRow
DistributionLike = Distribution | DistributionRow


def day(value: date | None) -> Lit | None:
    return Lit(value.isoformat(), datatype=XSD.date) if value else None


class Exporter:
    """Builds node trees for batches of resources; owns the 'already written' memory."""

    def __init__(
        self,
        session: Session,
        base_url: str,
        catalogue_uri: str | None = None,
        *,
        org_id: int | None = None,
        only_ids: set[int] | None = None,
    ):
        self.session = session
        self.base = base_url.rstrip("/")
        self.catalogue_uri = catalogue_uri
        # What the document describes (one institution's datasets, or just some): links
        # such as dcat:servesDataset point only inside it, so every target is typed there.
        self.org_id = org_id
        self.only_ids = only_ids
        self._emitted: set[str] = set()
        self._pending: list[Node] = []
        self._service_uris: dict[int, str] = {}
        self._refs: dict[tuple[str, str], Iri] = {}

    # --- URIs ------------------------------------------------------------------------------

    def resource_uris(self, ids: Sequence[int]) -> dict[int, str]:
        """The dataset URI of each resource: its harvested URI, or one under this site."""
        if not ids:
            return {}
        rows = self.session.execute(
            select(Resource.id, Resource.name, HarvestedRecord.uri)
            .outerjoin(
                HarvestedRecord,
                (HarvestedRecord.entity == "resource") & (HarvestedRecord.entity_id == Resource.id),
            )
            .where(Resource.id.in_(ids))
        )
        return {rid: uri or f"{self.base}/dataset/{name}" for rid, name, uri in rows}

    def _records(self, entity: str, ids: Sequence[int]) -> dict[int, HarvestedRecord]:
        if not ids:
            return {}
        rows = self.session.scalars(
            select(HarvestedRecord).where(
                HarvestedRecord.entity == entity, HarvestedRecord.entity_id.in_(ids)
            )
        )
        return {r.entity_id: r for r in rows}

    # --- shared nodes ----------------------------------------------------------------------

    def take_pending(self) -> list[Node]:
        pending, self._pending = self._pending, []
        return pending

    def _shared(self, key: str, node: Node) -> None:
        """Queue ``node`` for writing unless a node under ``key`` was already written."""
        if key not in self._emitted:
            self._emitted.add(key)
            self._pending.append(node)

    def ref(
        self,
        uri: str,
        type_: Iri,
        labels: tuple[str, str] | None = None,
        scheme: Iri | None = None,
    ) -> Iri:
        """A shared typed node (concept, licence, standard ...) with optional prefLabels."""
        known = self._refs.get((uri, type_))
        if known is not None:
            return known
        target = iri(uri)
        node = Node(target, (type_,))
        if labels:
            node.texts(SKOS.prefLabel, *labels)
        node.add(SKOS.inScheme, scheme)
        self._pending.append(node)
        self._refs[(uri, type_)] = target
        return target

    def typed(self, uri: str, type_: Iri) -> Iri:
        """A link typed as the shapes' sh:class asks (a web page is a foaf:Document).

        Not remembered: such links are mostly unique, so the typing triple is simply
        written next to each use, which keeps the exporter's memory flat.
        """
        target = iri(uri)
        self._pending.append(Node(target, (type_,)))
        return target

    def theme_scheme(self) -> Iri:
        """The EU data-theme vocabulary, the catalogue's dcat:themeTaxonomy."""
        if vocab.THEME_SCHEME not in self._emitted:
            node = Node(Iri(vocab.THEME_SCHEME), (SKOS.ConceptScheme,))
            node.texts(DCT.title, "Datu tēmas", "Data themes")
            self._shared(vocab.THEME_SCHEME, node)
        return Iri(vocab.THEME_SCHEME)

    def agent(self, org: Organisation) -> Iri:
        uri = iri(f"{self.base}/organisations/{org.short_name}")
        if uri in self._emitted:
            return uri
        node = Node(uri, (FOAF.Agent, FOAF.Organization))
        node.texts(FOAF.name, org.name_lv, org.name_en)
        node.add(DCT.identifier, Lit(org.short_name))
        kind = PUBLISHER_TYPES.get(org.kind)
        if kind:
            node.add(
                DCT.type,
                self.ref(PUBLISHER_TYPE_BASE + kind[0], SKOS.Concept, (kind[1], kind[2])),
            )
        if org.website:
            node.add(FOAF.homepage, self.typed(org.website, FOAF.Document))
        self._shared(uri, node)
        return uri

    def licence(self, value: str) -> Iri:
        code = catalog_vocab.licence_code(value)
        label = catalog_vocab.licences()[code].label if code else None
        return self.ref(
            vocab.licence_uri(value), DCT.LicenseDocument, (label, label) if label else None
        )

    def file_format(self, value: str) -> Iri | Node:
        code = vocab.format_from(value)
        if code is None:  # a format outside the EU list keeps its name on a blank node
            return Node(None, (DCT.MediaTypeOrExtent,)).add(RDFS.label, Lit(value))
        label = catalog_vocab.formats()[code].label
        return self.ref(vocab.format_uri(code), DCT.MediaTypeOrExtent, (label, label))

    def hvd_legislation(self) -> Iri:
        if vocab.HVD_LEGISLATION not in self._emitted:
            node = Node(Iri(vocab.HVD_LEGISLATION), (ELI.LegalResource,))
            node.texts(DCT.title, *vocab.HVD_LEGISLATION_LABEL)
            self._shared(vocab.HVD_LEGISLATION, node)
        return Iri(vocab.HVD_LEGISLATION)

    def hvd_category(self, code: str) -> Iri:
        return self.ref(vocab.hvd_uri(code), SKOS.Concept, catalog_vocab.HVD_CATEGORIES[code])

    def contact(self, name: str | None, email: str | None, hvd: bool = False) -> Node | None:
        if not (name or email):
            return None
        node = Node(None, (VCARD.Kind, VCARD.Organization))
        node.add(VCARD.fn, Lit(name or email or ""))
        if email:
            mailbox = f"mailto:{email}"
            node.add(VCARD.hasEmail, self.typed(mailbox, RDFS.Resource) if hvd else iri(mailbox))
        return node

    # --- datasets --------------------------------------------------------------------------

    def datasets(self, resources: Sequence[ResourceLike]) -> list[Node]:
        """Dataset nodes with their distributions (and the shared nodes they need)."""
        return [node for group in self.each_dataset(resources) for node in group]

    def each_dataset(self, resources: Sequence[ResourceLike]) -> Iterator[list[Node]]:
        """Per dataset: its node, then shared nodes it used first. Side tables are read
        once per batch; each tree is handed out at once, so it can be written and dropped
        young (long-lived trees would make the garbage collector scan the whole heap)."""
        ids = [r.id for r in resources]
        uris = self.resource_uris(ids)
        records = self._records("resource", ids)
        dist_ids = [d.id for r in resources for d in r.distributions]
        dist_records = self._records("distribution", dist_ids)
        series = set(
            self.session.scalars(select(Series.resource_id).where(Series.resource_id.in_(ids)))
        )
        member_of: dict[int, int] = {
            rid: sid
            for rid, sid in self.session.execute(
                select(SeriesMember.resource_id, SeriesMember.series_id).where(
                    SeriesMember.resource_id.in_(ids)
                )
            )
        }
        series_uris = self.resource_uris(sorted(set(member_of.values())))
        published = dcat_services.published_at(self.session, ids)
        for resource in resources:
            record = records.get(resource.id)
            node = self.dataset(
                resource,
                uris[resource.id],
                record.identifier if record else uris[resource.id],
                is_series=resource.id in series,
                in_series=series_uris.get(member_of.get(resource.id, 0)),
            )
            for dist in resource.distributions:
                dist_record = dist_records.get(dist.id)
                uri = (dist_record.uri if dist_record else None) or (
                    f"{self.base}/dataset/{resource.name}/distribution/{dist.id}"
                )
                node.add(DCAT.distribution, self.distribution(resource, dist, uri))
            if resource.id in published:
                node.add(
                    DCAT.distribution,
                    dcat_services.data_distribution(self, resource, published[resource.id]),
                )
            for service in resource.data_services:
                self.data_service(service)
            yield [node, *self.take_pending()]

    def dataset(
        self,
        r: ResourceLike,
        uri: str,
        identifier: str,
        *,
        is_series: bool = False,
        in_series: str | None = None,
    ) -> Node:
        types = (DCAT.Dataset, DCAT.DatasetSeries) if is_series else (DCAT.Dataset,)
        node = Node(iri(uri), types)
        node.add(DCT.identifier, Lit(identifier))
        node.texts(DCT.title, r.title_lv, r.title_en)
        if (r.description_lv or "").strip() or (r.description_en or "").strip():
            node.texts(DCT.description, r.description_lv, r.description_en)
        else:  # DCAT-AP requires a description; the title is the best one we have
            node.texts(DCT.description, r.title_lv, r.title_en)
        for word in r.keywords_lv or []:
            node.add(DCAT.keyword, Lit(word, "lv"))
        for word in r.keywords_en or []:
            node.add(DCAT.keyword, Lit(word, "en"))
        for code in r.themes or []:
            if code in catalog_vocab.THEMES:
                node.add(
                    DCAT.theme,
                    self.ref(
                        vocab.theme_uri(code),
                        SKOS.Concept,
                        catalog_vocab.THEMES[code],
                        scheme=self.theme_scheme(),
                    ),
                )
        node.add(DCT.publisher, self.agent(r.publisher or r.owner))
        node.add(
            DCAT.contactPoint, self.contact(r.contact_name, r.contact_email, bool(r.hvd_category))
        )
        if r.spatial:
            node.add(
                DCT.spatial,
                self.ref(
                    vocab.spatial_uri(r.spatial, self.base),
                    DCT.Location,
                    vocab.spatial_labels(r.spatial),
                ),
            )
        if r.temporal_start or r.temporal_end:
            period = Node(None, (DCT.PeriodOfTime,))
            period.add(DCAT.startDate, day(r.temporal_start))
            period.add(DCAT.endDate, day(r.temporal_end))
            node.add(DCT.temporal, period)
        if r.frequency and r.frequency in catalog_vocab.FREQUENCIES:
            node.add(
                DCT.accrualPeriodicity,
                self.ref(
                    vocab.frequency_uri(r.frequency),
                    DCT.Frequency,
                    catalog_vocab.FREQUENCIES[r.frequency],
                ),
            )
        node.add(DCT.issued, day(r.issued))
        node.add(DCT.modified, day(r.modified))
        node.add(DCT.accessRights, self.access_rights(r.access_rights))
        # DCAT-AP puts licences and rights on distributions; they are repeated on the dataset
        # so a dataset without distributions loses nothing (the shapes are open).
        if r.licence:
            node.add(DCT.license, self.licence(r.licence))
        if r.rights:
            node.add(DCT.rights, Node(None, (DCT.RightsStatement,)).add(RDFS.label, Lit(r.rights)))
        if r.conforms_to:
            node.add(DCT.conformsTo, self.ref(r.conforms_to, DCT.Standard))
        if r.landing_page:
            node.add(DCAT.landingPage, self.typed(r.landing_page, FOAF.Document))
        if r.hvd_category and r.hvd_category in catalog_vocab.HVD_CATEGORIES:
            node.add(DCATAP.hvdCategory, self.hvd_category(r.hvd_category))
            node.add(DCATAP.applicableLegislation, self.hvd_legislation())
        if in_series:
            node.add(DCAT.inSeries, iri(in_series))
        return node

    def distribution(self, r: ResourceLike, d: DistributionLike, uri: str) -> Node:
        node = Node(iri(uri), (DCAT.Distribution,))
        node.texts(DCT.title, d.title_lv, d.title_en)
        if d.description:
            node.add(DCT.description, Lit(d.description, "lv"))
        # DCAT-AP HVD asks for URLs typed rdfs:Resource; elsewhere the type says nothing.
        hvd = bool(r.hvd_category)
        node.add(
            DCAT.accessURL, self.typed(d.access_url, RDFS.Resource) if hvd else iri(d.access_url)
        )
        if d.download_url:
            node.add(DCAT.downloadURL, iri(d.download_url))
        if d.format:
            node.add(DCT["format"], self.file_format(d.format))
        if d.media_type:
            node.add(DCAT.mediaType, self.ref(vocab.media_type_uri(d.media_type), DCT.MediaType))
        if d.byte_size is not None:
            node.add(DCAT.byteSize, Lit(str(d.byte_size), datatype=XSD.nonNegativeInteger))
        licence = d.licence or r.licence
        if licence:
            node.add(DCT.license, self.licence(licence))
        rights = d.rights or r.rights
        if rights:
            node.add(DCT.rights, Node(None, (DCT.RightsStatement,)).add(RDFS.label, Lit(rights)))
        if d.conforms_to:
            node.add(DCT.conformsTo, self.ref(d.conforms_to, DCT.Standard))
        node.add(DCT.issued, day(d.issued))
        node.add(DCT.modified, day(d.modified))
        if d.access_service is not None:
            node.add(DCAT.accessService, self.data_service(d.access_service))
        if r.hvd_category:
            node.add(DCATAP.applicableLegislation, self.hvd_legislation())
        return node

    # --- data services ---------------------------------------------------------------------

    def data_service(self, service: DataService) -> Iri:
        """The service's node, written once per document with every dataset it serves."""
        key = f"data_service:{service.id}"
        if key in self._emitted:
            return Iri(self._service_uris[service.id])
        record = self._records("data_service", [service.id]).get(service.id)
        uri = iri((record.uri if record else None) or f"{self.base}/data-service/{service.name}")
        self._service_uris[service.id] = uri
        self._emitted.add(key)
        self._pending.append(
            dcat_services.service_node(self, service, uri, record.identifier if record else uri)
        )
        if self.catalogue_uri:
            self._pending.append(Node(iri(self.catalogue_uri)).add(DCAT.service, uri))
        return uri

    def access_rights(self, value: AccessRights) -> Iri:
        code = catalog_vocab.ACCESS_RIGHT_CODES[value.value]
        return self.ref(
            vocab.access_right_uri(value), DCT.RightsStatement, vocab.access_right_labels()[code]
        )
