"""Harvesting DCAT-AP: round trip, idempotence, per-dataset errors, real-world documents."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.compare import graph_diff, to_isomorphic
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dati.auth.actor import Actor
from dati.catalog.models import Change, Resource
from dati.db import migrate
from dati.db.database import Database
from dati.interop import dcat_catalogue, service
from dati.interop.dcat_harvest import DCAT
from dati.interop.harvest_fetch import Document
from dati.interop.models import RunStatus
from dati.orgs import factories as orgs_factories
from tests.conftest import fresh_database_url

BASE = "https://dati.example.lv"
PARSERS = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld"}


def export(session: Session, fmt: str = "ttl", org: str | None = None) -> str:
    return "".join(
        service.export_catalogue(
            session=session, actor=Actor.anonymous(), fmt=fmt, base_url=BASE, org=org
        )
    )


def harvest_text(session: Session, text: str, fmt: str = "turtle", org: str = "VZD"):  # type: ignore[no-untyped-def]
    document = Document(text.encode(), fmt, f"catalogue.{fmt}")
    return service.harvest_document(
        session=session, actor=Actor.system("tests"), org=org, document=document
    )


@pytest.fixture
def empty_instance(tmp_path: Path) -> Iterator[Session]:
    """A second, freshly migrated dati database holding only the reference organisations."""
    url = fresh_database_url(tmp_path, "empty_instance")
    migrate.upgrade(url)
    database = Database(url)
    with database.session() as session:
        orgs_factories.load_demo(session, Actor.system("tests"))
    session = database.new_session()
    yield session
    session.close()
    database.dispose()


def _datasets_only(text: str, fmt: str = "ttl") -> Graph:
    """The export without the catalogue's own description (title, dates, membership)."""
    graph = Graph().parse(data=text, format=PARSERS[fmt])
    for catalogue in list(graph.subjects(None, DCAT.Catalog)):
        graph.remove((catalogue, None, None))
    return graph


@pytest.mark.parametrize("fmt", ["ttl", "rdf", "jsonld"])
def test_export_harvest_export_round_trip_keeps_every_dataset_and_property(
    session: Session, sample_catalogue: list[Resource], empty_instance: Session, fmt: str
) -> None:
    first = export(session, fmt)
    run = harvest_text(empty_instance, first, PARSERS[fmt])
    empty_instance.commit()
    assert (run.status, run.created, run.failed) == (RunStatus.OK, 3, 0), run.errors
    second = export(empty_instance, fmt)
    before, after = _datasets_only(first, fmt), _datasets_only(second, fmt)
    _, only_before, only_after = graph_diff(to_isomorphic(before), to_isomorphic(after))
    assert not list(only_before) and not list(only_after), (
        only_before.serialize(format="turtle"),
        only_after.serialize(format="turtle"),
    )
    datasets = {URIRef(f"{BASE}/dataset/{r.name}") for r in sample_catalogue}
    assert set(after.subjects(None, DCAT.Dataset)) == datasets


def test_harvesting_the_same_catalogue_again_creates_no_duplicates(
    session: Session, sample_catalogue: list[Resource], empty_instance: Session
) -> None:
    text = export(session)
    first = harvest_text(empty_instance, text)
    second = harvest_text(empty_instance, text)
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    assert empty_instance.scalar(select(func.count()).select_from(Resource)) == 3
    changed = text.replace("Valsts adrešu reģistrs", "Valsts adrešu reģistrs (precizēts)")
    third = harvest_text(empty_instance, changed)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 2)
    titles = set(empty_instance.scalars(select(Resource.title_lv)))
    assert "Valsts adrešu reģistrs (precizēts)" in titles
    history = empty_instance.scalars(
        select(Change).where(Change.field == "title_lv", Change.action == "updated")
    ).all()
    assert [c.actor_name for c in history] == ["system:harvest"]


SOURCES = Path(__file__).resolve().parent / "data" / "sources"


def _resource(session: Session, name: str) -> Resource:
    found = session.scalars(select(Resource).where(Resource.name == name)).first()
    assert found is not None, name
    return found


def test_real_world_dcat_ap_is_accepted_and_bad_records_are_reported(session: Session) -> None:
    run = harvest_text(session, (SOURCES / "real-world.ttl").read_text(), org="riga")
    assert run.status is RunStatus.PARTIAL
    assert (run.created, run.failed) == (3, 2)
    failures = {e["identifier"]: e for e in run.errors if e["level"] == "error"}
    assert failures["https://portal.example.lv/ds/bez-nosaukuma"]["fields"] == {
        "title_lv": "Ievadiet nosaukumu latviešu valodā."
    }
    assert "contact_email" in failures["https://portal.example.lv/ds/slikts-epasts"]["fields"]
    warnings = [e["message"] for e in run.errors if e["level"] == "warning"]
    assert any("http://example.org/themes/unknown" in w for w in warnings)

    budget = _resource(session, "budzets-2023")
    assert (budget.title_lv, budget.title_en) == ("Budžets 2023", "Budget 2023")
    assert budget.themes == ["ECON"] and budget.keywords_lv == ["budžets", "finanses"]
    assert str(budget.temporal_start) == "2023-01-01" and str(budget.issued) == "2023-02-15"
    assert budget.contact_email == "finanses@pasvaldiba.lv" and budget.spatial == "LV"
    assert budget.licence == "CC_BY_4_0"  # a Creative Commons URL, mapped to the EU code
    assert budget.owner.short_name == "riga"
    formats = sorted((d.format, d.licence, d.media_type) for d in budget.distributions)
    assert formats == [("CSV", "CC_BY_4_0", "text/csv"), ("XLSX", "CC_BY_4_0", None)]
    api = next(d for d in budget.distributions if d.format == "XLSX").access_service
    assert api is not None and api.endpoint_url == "https://portal.example.lv/api"
    assert sorted(r.name for r in api.resources) == ["budzets-2023", "budzets-2024"]

    exported = Graph().parse(data=export(session, org="riga"), format="turtle")
    series = URIRef("https://portal.example.lv/ds/budzets")
    assert (series, None, DCAT.DatasetSeries) in exported
    members = set(exported.subjects(DCAT.inSeries, series))
    assert members == {
        URIRef("https://portal.example.lv/ds/budzets-2023"),
        URIRef("https://portal.example.lv/ds/budzets-2024"),
    }


def test_json_ld_with_the_dcat_ap_context_is_read_without_fetching_it(session: Session) -> None:
    run = harvest_text(session, (SOURCES / "geoportal.jsonld").read_text(), "json-ld", org="VVD")
    assert (run.status, run.created) == (RunStatus.OK, 1), run.errors
    ortho = _resource(session, "ortofoto")
    assert (ortho.title_en, ortho.hvd_category, ortho.frequency) == (
        "Orthophoto maps",
        "c_ac64a52d",
        "IRREG",
    )
    assert sorted(d.format for d in ortho.distributions) == ["WMS_SRVC", "ZIP"]
    assert {d.licence for d in ortho.distributions} == {"CC_BY_4_0"}


def test_a_source_removing_a_distribution_removes_it_here(session: Session) -> None:
    text = (SOURCES / "real-world.ttl").read_text()
    harvest_text(session, text, org="riga")
    trimmed = text.replace(
        "dcat:distribution <https://portal.example.lv/ds/budzets-2024/json> .", "."
    )
    run = harvest_text(session, trimmed, org="riga")
    assert run.updated == 1
    assert _resource(session, "budzets-2024").distributions == []


def test_a_dataset_harvested_by_one_institution_is_not_taken_over_by_another(
    session: Session,
) -> None:
    text = (SOURCES / "geoportal.jsonld").read_text()
    harvest_text(session, text, "json-ld", org="VVD")
    run = harvest_text(session, text, "json-ld", org="VZD")
    assert (run.created, run.failed) == (0, 1)
    assert "VVD" in run.errors[0]["message"]
    assert _resource(session, "ortofoto").owner.short_name == "VVD"


@pytest.mark.parametrize(
    ("text", "fmt", "message"),
    [
        (
            '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
            "xml",
            "DOCTYPE",
        ),
        (
            '{"@context": "https://attacker.example/ctx.jsonld", "@id": "x"}',
            "json-ld",
            "neielādējam",
        ),
        ("@prefix : <http://a/> . :a :b", "turtle", "nav derīgs turtle"),
    ],
)
def test_hostile_or_broken_documents_fail_the_run_with_a_reason(
    session: Session, text: str, fmt: str, message: str
) -> None:
    run = harvest_text(session, text, fmt)
    assert run.status is RunStatus.FAILED
    assert message in run.message
    assert "root:" not in run.message


def test_only_stewards_of_the_institution_may_harvest_into_it(session: Session, make_user) -> None:  # type: ignore[no-untyped-def]
    from dati.auth.actor import Role
    from dati.errors import Forbidden

    steward = make_user("vzd-parvaldnieks", (Role.STEWARD, "VZD"))
    document = Document((SOURCES / "geoportal.jsonld").read_bytes(), "json-ld", "g.jsonld")
    with pytest.raises(Forbidden):
        service.harvest_document(session=session, actor=steward, org="VVD", document=document)
    run = service.harvest_document(session=session, actor=steward, org="VZD", document=document)
    assert run.created == 1 and run.actor_name == "Vzd-Parvaldnieks"


@pytest.fixture
def remote_catalogue(
    session: Session, sample_catalogue: list[Resource], monkeypatch: pytest.MonkeyPatch
) -> list[str]:
    """Serves this instance's Hydra pages at https://katalogs.example.lv without a network."""
    from dati.interop import harvest_fetch
    from dati.interop.dcat_catalogue import Page

    requested: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requested.append(str(request.url))
        number = int(request.url.params.get("page", "1"))
        page = Page(number, 1, lambda n: f"https://katalogs.example.lv/catalog.ttl?page={n}")
        text = "".join(
            dcat_catalogue.catalogue_document(
                session, base_url=BASE, fmt="ttl", catalogue_uri=f"{BASE}/catalog", page=page
            )
        )
        return httpx.Response(200, text=text, headers={"content-type": "text/turtle"})

    monkeypatch.setattr(harvest_fetch, "TRANSPORT", httpx.MockTransport(handler))
    monkeypatch.setattr(harvest_fetch, "resolve_host", lambda host, port: ["195.244.150.10"])
    return requested


def test_a_url_is_harvested_page_by_page_following_hydra_next(
    remote_catalogue: list[str], empty_instance: Session
) -> None:
    run = service.harvest_url(
        session=empty_instance,
        actor=Actor.system("tests"),
        org="VZD",
        url="https://katalogs.example.lv/catalog.ttl?page=1",
    )
    assert (run.status, run.created) == (RunStatus.OK, 3), (run.message, run.errors)
    assert len(remote_catalogue) == 3


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/catalog.ttl",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.7/catalog.ttl",
        "file:///etc/passwd",
        "ftp://example.lv/catalog.ttl",
    ],
)
def test_harvest_urls_may_not_reach_into_private_networks(session: Session, url: str) -> None:
    from dati.errors import Invalid

    with pytest.raises(Invalid) as refused:
        service.harvest_url(session=session, actor=Actor.system("tests"), org="VZD", url=url)
    assert refused.value.errors.get("url")


def test_a_redirect_into_a_private_network_is_refused(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dati.interop import harvest_fetch

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"location": "http://127.0.0.1/admin"})

    monkeypatch.setattr(harvest_fetch, "TRANSPORT", httpx.MockTransport(handler))
    monkeypatch.setattr(
        harvest_fetch,
        "resolve_host",
        lambda host, port: ["195.244.150.10"] if host != "127.0.0.1" else ["127.0.0.1"],
    )
    run = service.harvest_url(
        session=session, actor=Actor.system("tests"), org="VZD", url="https://ok.example.lv/c.ttl"
    )
    assert run.status is RunStatus.FAILED
    assert "privāt" in run.message or "private" in run.message


def test_a_distribution_listed_twice_and_files_shared_between_datasets_are_fine(
    session: Session,
) -> None:
    text = """
    @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
    <https://p.example.lv/a> a dcat:Dataset ; dct:title "A" ;
        dcat:distribution <https://p.example.lv/shared>, <https://p.example.lv/shared>,
            [ dcat:accessURL <https://p.example.lv/x> ], [ dcat:accessURL <https://p.example.lv/x> ] .
    <https://p.example.lv/b> a dcat:Dataset ; dct:title "B" ;
        dcat:distribution <https://p.example.lv/shared> .
    <https://p.example.lv/shared> a dcat:Distribution ; dcat:accessURL <https://p.example.lv/f.csv> .
    """
    run = harvest_text(session, text)
    assert (run.created, run.failed) == (2, 0), run.errors
    assert len(_resource(session, "a").distributions) == 2
    assert len(_resource(session, "b").distributions) == 1
    again = harvest_text(session, text)
    assert again.unchanged == 2


def test_regional_language_tags_count_as_their_language_and_others_stay_out_of_latvian(
    session: Session,
) -> None:
    text = """
    @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
    <https://p.example.lv/budzets> a dcat:Dataset ;
        dct:title "Budget"@en-GB, "Budžets"@lv-LV ;
        dcat:keyword "budget"@en-GB, "budžets"@lv, "finanses", "Haushalt"@de, "бюджет"@ru .
    """
    run = harvest_text(session, text)
    assert (run.created, run.failed) == (1, 0), run.errors
    budget = _resource(session, "budzets")
    assert (budget.title_lv, budget.title_en) == ("Budžets", "Budget")
    assert budget.keywords_lv == ["budžets", "finanses"]
    assert budget.keywords_en == ["budget"]


def test_a_harvested_real_world_catalogue_survives_a_second_round_trip(
    session: Session, empty_instance: Session
) -> None:
    """Series, members, shared data services, several distributions and licence URLs."""
    harvest_text(session, (SOURCES / "real-world.ttl").read_text(), org="riga")
    first = export(session, org="riga")
    run = harvest_text(empty_instance, first, org="riga")
    empty_instance.commit()
    assert (run.created, run.failed) == (3, 0), run.errors
    before, after = _datasets_only(first), _datasets_only(export(empty_instance, org="riga"))
    _, only_before, only_after = graph_diff(to_isomorphic(before), to_isomorphic(after))
    assert not list(only_before) and not list(only_after), (
        only_before.serialize(format="turtle"),
        only_after.serialize(format="turtle"),
    )
    assert set(after.subjects(DCAT.inSeries, None))
    assert set(after.subjects(None, DCAT.DataService))
