"""Harvesting DCAT-AP: round trip, idempotence, per-dataset errors, real-world documents."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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
from dati.interop.harvest_fetch import Document
from dati.interop.models import RunStatus
from dati.interop.rdf_writer import DCAT
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
