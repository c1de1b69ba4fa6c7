"""DCAT-AP export: addresses, formats, paging, and conformance to the official shapes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.compare import to_isomorphic
from rdflib.namespace import RDF, XSD
from sqlalchemy.orm import Session

from dati.auth.actor import Actor
from dati.catalog.models import Resource
from dati.interop import dcat_catalogue
from dati.interop.dcat_harvest import DCAT, DCATAP, DCT, FOAF, HYDRA, SKOS, VCARD
from tests.interop.conftest import MakeResource, add_data_service, shacl_report

BASE = "http://127.0.0.1:8000"
PARSERS = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld"}


def _graph(response_text: str, fmt: str = "ttl") -> Graph:
    return Graph().parse(data=response_text, format=PARSERS[fmt])


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [("ttl", "text/turtle"), ("rdf", "application/rdf+xml"), ("jsonld", "application/ld+json")],
)
def test_the_catalogue_is_served_in_three_syntaxes_with_the_same_triples(
    client: TestClient, sample_catalogue: list[Resource], fmt: str, media_type: str
) -> None:
    response = client.get(f"/catalog.{fmt}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    graph = _graph(response.text, fmt)
    catalogue = URIRef(f"{BASE}/catalog")
    assert (catalogue, RDF.type, DCAT.Catalog) in graph
    datasets = set(graph.objects(catalogue, DCAT.dataset))
    assert {URIRef(f"{BASE}/dataset/{r.name}") for r in sample_catalogue} <= datasets
    if fmt != "ttl":
        assert len(graph) == len(_graph(client.get("/catalog.ttl").text))


def test_a_dataset_carries_language_tagged_text_and_vocabulary_uris(
    client: TestClient, sample_catalogue: list[Resource]
) -> None:
    addresses = sample_catalogue[0]
    graph = _graph(client.get(f"/dataset/{addresses.name}.ttl").text)
    ds = URIRef(f"{BASE}/dataset/{addresses.name}")
    assert set(graph.objects(ds, DCT.title)) == {
        Literal("Valsts adrešu reģistrs", lang="lv"),
        Literal("State Address Register", lang="en"),
    }
    eu = "http://publications.europa.eu/resource/authority/"
    assert set(graph.objects(ds, DCAT.theme)) == {
        URIRef(eu + "data-theme/REGI"),
        URIRef(eu + "data-theme/GOVE"),
    }
    assert graph.value(ds, DCT.accrualPeriodicity) == URIRef(eu + "frequency/DAILY")
    assert graph.value(ds, DCT.accessRights) == URIRef(eu + "access-right/PUBLIC")
    assert graph.value(ds, DCT.spatial) == URIRef(eu + "country/LVA")
    assert graph.value(ds, DCT.issued) == Literal("2015-03-01", datatype=XSD.date)
    assert graph.value(ds, DCATAP.hvdCategory) == URIRef("http://data.europa.eu/bna/c_ac64a52d")
    theme_label = graph.value(URIRef(eu + "data-theme/REGI"), SKOS.prefLabel)
    assert theme_label is not None
    contact = graph.value(ds, DCAT.contactPoint)
    assert graph.value(contact, VCARD.hasEmail) == URIRef("mailto:info@vzd.gov.lv")
    publisher = graph.value(ds, DCT.publisher)
    assert Literal("Valsts zemes dienests", lang="lv") in set(graph.objects(publisher, FOAF.name))
    distributions = list(graph.objects(ds, DCAT.distribution))
    assert len(distributions) == 2
    formats = {graph.value(d, DCT["format"]) for d in distributions}
    assert URIRef(eu + "file-type/CSV") in formats
    licences = {graph.value(d, DCT.license) for d in distributions}
    assert licences == {URIRef(eu + "licence/CC_BY_4_0")}
    service = URIRef(f"{BASE}/data-service/vzd-adresu-api")
    assert (service, DCAT.servesDataset, ds) in graph


def test_an_institution_catalogue_holds_only_its_own_datasets(
    client: TestClient, sample_catalogue: list[Resource]
) -> None:
    response = client.get("/organisations/riga/catalog.ttl")
    assert response.status_code == 200
    graph = _graph(response.text)
    catalogue = URIRef(f"{BASE}/organisations/riga/catalog")
    assert set(graph.objects(catalogue, DCAT.dataset)) == {
        URIRef(f"{BASE}/dataset/{sample_catalogue[1].name}")
    }
    assert graph.value(catalogue, DCT.publisher) == URIRef(f"{BASE}/organisations/riga")


@pytest.mark.parametrize(
    "url",
    ["/dataset/nav-tadas-datu-kopas.ttl", "/organisations/NAV-TADAS/catalog.ttl", "/catalog.csv"],
)
def test_unknown_datasets_institutions_and_formats_answer_404_problems(
    client: TestClient, url: str
) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_hydra_pages_link_first_next_previous_and_last(
    client: TestClient, make_resource: MakeResource
) -> None:
    made = [make_resource(f"Lapošanas resurss {i}", owner="CSP") for i in range(5)]
    first = _graph(client.get("/organisations/CSP/catalog.ttl?page=1&page_size=2").text)
    view = URIRef(f"{BASE}/organisations/CSP/catalog.ttl?page=1&page_size=2")
    assert (view, RDF.type, HYDRA.PartialCollectionView) in first
    assert first.value(view, HYDRA.totalItems).toPython() == 5
    assert first.value(view, HYDRA["next"]) == URIRef(
        f"{BASE}/organisations/CSP/catalog.ttl?page=2&page_size=2"
    )
    assert first.value(view, HYDRA["last"]) == URIRef(
        f"{BASE}/organisations/CSP/catalog.ttl?page=3&page_size=2"
    )
    assert first.value(view, HYDRA.previous) is None
    catalogue = URIRef(f"{BASE}/organisations/CSP/catalog")
    assert len(set(first.objects(catalogue, DCAT.dataset))) == 2

    seen: set[URIRef] = set()
    url: str | None = f"{BASE}/organisations/CSP/catalog.ttl?page=1&page_size=2"
    while url:
        page = _graph(client.get(url.removeprefix(BASE)).text)
        seen |= set(page.objects(catalogue, DCAT.dataset))
        nxt = page.value(URIRef(url), HYDRA["next"])
        url = str(nxt) if nxt else None
    assert seen == {URIRef(f"{BASE}/dataset/{r.name}") for r in made}

    last = _graph(client.get("/organisations/CSP/catalog.ttl?page=3&page_size=2").text)
    view3 = URIRef(f"{BASE}/organisations/CSP/catalog.ttl?page=3&page_size=2")
    assert last.value(view3, HYDRA["next"]) is None
    assert last.value(view3, HYDRA.previous) is not None


@pytest.mark.parametrize("params", ["page=0", "page_size=5000", "page=x"])
def test_bad_paging_parameters_are_refused(client: TestClient, params: str) -> None:
    assert client.get(f"/catalog.ttl?{params}").status_code == 422


def test_the_catalogue_conforms_to_dcat_ap_3(
    session: Session, sample_catalogue: list[Resource]
) -> None:
    text = "".join(
        dcat_catalogue.catalogue_document(
            session, base_url=BASE, fmt="ttl", catalogue_uri=f"{BASE}/catalog"
        )
    )
    assert shacl_report(_graph(text)) is None


def test_high_value_datasets_conform_to_dcat_ap_hvd(
    session: Session, sample_catalogue: list[Resource]
) -> None:
    text = dcat_catalogue.dataset_document(
        session, base_url=BASE, fmt="ttl", resource=sample_catalogue[0]
    )
    assert shacl_report(_graph(text), hvd=True) is None


def test_the_shapes_catch_a_broken_description(
    session: Session, sample_catalogue: list[Resource]
) -> None:
    """The conformance tests can fail: a dataset without a title is reported."""
    text = dcat_catalogue.dataset_document(
        session, base_url=BASE, fmt="ttl", resource=sample_catalogue[1]
    )
    graph = _graph(text)
    graph.remove((None, DCT.title, None))
    report = shacl_report(graph)
    assert report is not None and "title" in report
    assert shacl_report(_graph(text), hvd=True) is not None  # not a high-value dataset


def test_the_configured_base_url_names_every_uri(
    session: Session, sample_catalogue: list[Resource]
) -> None:
    text = dcat_catalogue.dataset_document(
        session, base_url="https://dati.gov.lv", fmt="ttl", resource=sample_catalogue[2]
    )
    assert "https://dati.gov.lv/dataset/fizisko-personu-registrs" in text
    assert "127.0.0.1" not in text


@pytest.mark.parametrize(
    ("fmt", "media_type"), [("rdf", "application/rdf+xml"), ("jsonld", "application/ld+json")]
)
def test_a_dataset_is_served_in_rdf_xml_and_json_ld_with_the_same_triples_as_turtle(
    client: TestClient, sample_catalogue: list[Resource], fmt: str, media_type: str
) -> None:
    name = sample_catalogue[0].name
    response = client.get(f"/dataset/{name}.{fmt}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    graph = _graph(response.text, fmt)
    turtle = _graph(client.get(f"/dataset/{name}.ttl").text)
    assert to_isomorphic(graph) == to_isomorphic(turtle)
    assert (URIRef(f"{BASE}/dataset/{name}"), RDF.type, DCAT.Dataset) in graph


def test_publisher_types_are_labelled_in_latvian_and_english(
    client: TestClient, sample_catalogue: list[Resource]
) -> None:
    addresses, statistics = sample_catalogue[0], sample_catalogue[1]
    for resource, lv, en in (
        (addresses, "Valsts iestāde", "National authority"),
        (statistics, "Pašvaldība", "Local authority"),
    ):
        graph = _graph(client.get(f"/dataset/{resource.name}.ttl").text)
        kind = graph.value(
            graph.value(URIRef(f"{BASE}/dataset/{resource.name}"), DCT.publisher), DCT.type
        )
        assert set(graph.objects(kind, SKOS.prefLabel)) == {
            Literal(lv, lang="lv"),
            Literal(en, lang="en"),
        }


def test_a_services_contact_does_not_depend_on_the_order_its_datasets_were_made(
    session: Session, system: Actor, make_resource: MakeResource
) -> None:
    """A harvested copy creates the datasets in another order; its export must not differ."""
    later = make_resource(
        "B reģistrs", owner="VZD", hvd_category="c_ac64a52d", contact_name="B nodaļa"
    )
    first = make_resource(
        "A reģistrs", owner="VZD", hvd_category="c_ac64a52d", contact_name="A nodaļa"
    )
    add_data_service(
        session,
        system,
        name="abu-registru-api",
        title_lv="Abu reģistru API",
        endpoint_url="https://api.example.lv/ab",
        serves=[later.name, first.name],
    )
    session.flush()
    text = "".join(
        dcat_catalogue.catalogue_document(
            session, base_url=BASE, fmt="ttl", catalogue_uri=f"{BASE}/organisations/VZD/catalog"
        )
    )
    graph = _graph(text)
    contact = graph.value(URIRef(f"{BASE}/data-service/abu-registru-api"), DCAT.contactPoint)
    assert graph.value(contact, VCARD.fn) == Literal("A nodaļa")
