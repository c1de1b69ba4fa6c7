"""Demo data: the catalogue's registers filled with records that look real and agree with
their described fields, published as versions."""

from __future__ import annotations

import itertools
import json

import pytest

from dati.auth import factories as auth_factories
from dati.auth.actor import Actor
from dati.catalog import factories as catalog_factories
from dati.catalog import service as catalog_service
from dati.catalog.vocabularies import DATA_DIR as CATALOG_DATA
from dati.errors import NotAuthenticated
from dati.exchange import factories, service
from dati.exchange.query import build_query
from dati.lv_codes import is_valid_personal_code, is_valid_registration_number


def rows(session, store, name, limit=500):  # type: ignore[no-untyped-def]
    dataset = service.open_dataset(
        session=session, actor=Actor.system("tests"), name=name, store=store, secret="test-secret"
    )
    return service.read_page(dataset, build_query(dataset.schema, limit=limit)).rows


def described_fields() -> dict[str, list[str]]:
    data = json.loads((CATALOG_DATA / "demo_catalogue.json").read_text(encoding="utf-8"))
    return {r["name"]: [f["name"] for f in r["schema"]["fields"]] for r in data["resources"]}


@pytest.fixture(scope="module")
def world() -> factories.World:
    return factories.World()


@pytest.mark.parametrize("demo", factories.DATASETS, ids=lambda d: d.name)
def test_every_described_field_is_filled_and_nothing_else(
    demo: factories.DemoDataset, world: factories.World
) -> None:
    described = described_fields()[demo.name]
    sample = list(itertools.islice(demo.rows(world), 3000))
    assert all(list(row) == described for row in sample), "the columns the catalogue describes"
    empty = [name for name in described if not any(row[name] != "" for row in sample)]
    assert empty == [], "a described field the demo never fills"


def test_the_registers_refer_to_each_other(world: factories.World) -> None:
    addresses = {a["adreses_kods"]: a for a in world.addresses}
    assert all(
        addresses[p["deklaretas_adreses_kods"]]["pasvaldiba"] == p["pasvaldiba"]
        for p in world.people
    )
    people = {p["personas_kods"] for p in world.people}
    firms = {e["registracijas_numurs"] for e in world.enterprises}
    vehicles = list(factories._vehicles(world))
    assert all(
        v["ipasnieka_personas_kods"] in people or v["ipasnieka_registracijas_numurs"] in firms
        for v in vehicles
    )
    assert addresses[factories.DEMO_HOME["adreses_kods"]]["pasvaldiba"] == "Rīga"


def test_demo_registers_look_real_and_respect_access(session, store) -> None:
    actor = Actor.system("demo")
    auth_factories.load_demo(session, actor)
    catalog_factories.load_described(session, actor)
    try:
        lines = factories.load_demo(session, actor, store)
    except Exception as exc:
        raise AssertionError(getattr(exc, "errors", exc)) from exc
    assert len(lines) == len(factories.DATASETS)
    assert "fizisko-personu-registrs version 1, 20000 rows" in lines[0]
    people = rows(session, store, factories.POPULATION)
    assert all(is_valid_personal_code(p["personas_kods"]) for p in people)
    places = set(factories.municipalities())
    assert {p["pasvaldiba"] for p in people} <= places and len(
        {p["pasvaldiba"] for p in people}
    ) > 20
    firms = rows(session, store, factories.ENTERPRISES)
    assert all(is_valid_registration_number(f["registracijas_numurs"]) for f in firms)
    # One resource per register: the described one now holds the data.
    resource = catalog_service.find_resource(session, factories.POPULATION)
    version = service.current_version(session, resource.id)
    assert version is not None and version.table_schema == catalog_service.table_schema(
        session, resource
    )
    with pytest.raises(NotAuthenticated):
        service.open_dataset(
            session=session,
            actor=Actor.anonymous(),
            name=factories.POPULATION,
            store=store,
            secret="test-secret",
        )
    assert factories.load_demo(session, actor, store) == [], "a second run publishes nothing new"


def test_a_register_missing_from_the_catalogue_is_skipped_and_said(session, store) -> None:
    lines = factories.load_demo(session, Actor.system("demo"), store)
    assert lines[0] == "data: fizisko-personu-registrs skipped, it is not in the catalogue"
