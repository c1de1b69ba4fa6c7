"""The gateway with the real query engine: over random agreements (fields, row conditions,
pseudonymisation) and random API queries (fields, filters) on a published dataset, what the
data API's page and export paths serve is exactly what an independent reading of the
agreement allows — never a field or a row outside it, never a pseudonymised value in clear."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from dati.auth.actor import Actor
from dati.catalog.models import Resource
from dati.config import Settings
from dati.exchange import governed, service
from dati.exchange.agreements import batches, gateway
from dati.exchange.agreements.conditions import Condition, pseudonym
from dati.exchange.query import build_query
from dati.exchange.service import SourceSpec
from tests.agreements.conftest import POPULATION_SCHEMA
from tests.agreements.test_gateway_properties import COMPARE

TODAY = date(2026, 11, 22)
SECRET = "engine-property-secret"
TOWNS = ("LV-RIX", "LV-JEL", "LV-DGV")
NAMES = ("Anna", "Jānis", "Dace", "Kristaps", "Līga")
SCHEMA_FIELDS: list[dict[str, str]] = list(POPULATION_SCHEMA["fields"])  # type: ignore[call-overload]
FIELDS = tuple(f["name"] for f in SCHEMA_FIELDS)
TYPES = {f["name"]: f["type"] for f in SCHEMA_FIELDS}
PEOPLE: list[dict[str, Any]] = [
    {
        "personal_code": f"{1 + i % 28:02d}0{1 + i % 9}{80 + i % 20}-1{i:04d}",
        "first_name": NAMES[i % 5],
        "last_name": f"Uzvārds{i % 7}",
        "birth_date": date(1980 + i % 20, 1 + i % 12, 1 + i % 28),
        "municipality": TOWNS[i % 3],
        "address": f"Iela {i}",
        "children": i % 5,
    }
    for i in range(36)
]
RESOURCE = gateway.ResourceInfo(
    "people",
    owner_org_id=1,
    is_open=False,
    fields=tuple(
        gateway.FieldInfo(f["name"], f["type"], f["classification"]) for f in SCHEMA_FIELDS
    ),
)


def value_of(name: str) -> st.SearchStrategy[Any]:
    if name == "municipality":
        return st.sampled_from(TOWNS)
    if name == "children":
        return st.integers(0, 4)
    if name == "first_name":
        return st.sampled_from(NAMES)
    if name == "birth_date":
        return st.dates(date(1980, 1, 1), date(2000, 1, 1))
    return st.sampled_from([p[name] for p in PEOPLE[:6]])


@st.composite
def condition(draw: st.DrawFn, names: tuple[str, ...]) -> Condition:
    name = draw(st.sampled_from(names))
    ops = ("eq", "ne", "in") if TYPES[name] == "string" else ("eq", "in", "lt", "gte")
    op = draw(st.sampled_from(ops))
    size = draw(st.integers(1, 2)) if op == "in" else 1
    return Condition(name, op, tuple(draw(value_of(name)) for _ in range(size)))


@st.composite
def cases(draw: st.DrawFn) -> tuple[gateway.AgreementTerms, tuple[str, ...], list[Condition]]:
    agreed = tuple(draw(st.lists(st.sampled_from(FIELDS), min_size=1, unique=True)))
    terms = gateway.AgreementTerms(
        number="EV-2026-00042",
        version=1,
        status="active",
        provider_org_id=1,
        recipient_org_id=2,
        resource="people",
        fields=agreed,
        conditions=tuple(draw(st.lists(condition(FIELDS), max_size=2))),
        pseudonymised=frozenset(draw(st.lists(st.sampled_from(agreed), unique=True))),
        valid_from=TODAY - timedelta(days=1),
        valid_until=TODAY + timedelta(days=1),
        requests_per_day=100,
        rows_per_day=1000,
    )
    visible = tuple(f for f in agreed if f not in terms.pseudonymised) or agreed
    asked = tuple(draw(st.lists(st.sampled_from(FIELDS), unique=True, max_size=3)))
    filters = draw(st.lists(condition(visible), max_size=2))
    return terms, asked, filters


def satisfies(row: dict[str, Any], cond: Condition) -> bool:
    value = row[cond.field]
    if cond.op == "in":
        return value in cond.values
    return bool(COMPARE[cond.op](value, cond.values[0]))


def as_parameter(cond: Condition) -> tuple[str, str]:
    text = ",".join(v.isoformat() if isinstance(v, date) else str(v) for v in cond.values)
    return (cond.field if cond.op == "eq" else f"{cond.field}__{cond.op}", text)


@pytest.fixture
def published(
    session: Session, system: Actor, settings: Settings, population: Resource, tmp_path: Path
) -> service.Dataset:
    path = tmp_path / "people.csv"
    lines = [",".join(FIELDS)] + [
        ",".join(p[f].isoformat() if isinstance(p[f], date) else str(p[f]) for f in FIELDS)
        for p in PEOPLE
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = service.store_for(settings)
    service.publish_version(
        session=session,
        actor=system,
        name=population.name,
        source=SourceSpec(path=path, name="people.csv"),
        store=store,
    )
    session.flush()
    return service.open_version(session, population.name, store)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(cases())
def test_the_engine_serves_nothing_outside_the_agreement(
    published: service.Dataset, case: tuple[Any, ...]
) -> None:
    terms, asked, filters = case
    query = build_query(
        published.schema,
        fields=",".join(asked) or None,
        filters=[as_parameter(c) for c in filters],
        limit=1000,
    )
    decision = gateway.decide(
        RESOURCE,
        gateway.Requester(True, recipient_org_ids=frozenset({2})),
        gateway.ReadRequest(
            fields=query.fields,
            filters=tuple(Condition(f.field, f.op, f.values) for f in query.filters),
        ),
        [terms],
        {},
        today=TODAY,
        secret=SECRET,
    )
    searched = {c.field for c in filters}
    if set(asked) - set(terms.fields) or searched & terms.pseudonymised:
        assert not decision.allowed and decision.status == 403
        return
    assert decision.allowed
    key = gateway.pseudonym_key(SECRET, terms.number)
    shown = asked or tuple(f for f in FIELDS if f in terms.fields)
    expected = [
        {f: pseudonym(key, p[f]) if f in terms.pseudonymised else p[f] for f in shown}
        for p in PEOPLE
        if all(satisfies(p, c) for c in (*terms.conditions, *filters))
    ]
    planned = governed._within(query, decision)  # what the data API asks the engine
    page = service.read_page(published, planned).rows
    served = gateway.enforce(decision, page)
    assert len(page) == len(served)  # the engine applied the row conditions itself, too
    ordered = sorted(expected, key=repr)
    assert sorted(served, key=repr) == ordered
    _schema, stream = service.reader().stream(published.path, published.schema, planned)
    exported = [
        row
        for batch in batches.enforce_batches(decision, stream, _schema, decision.row_allowance)
        for row in batch.to_pylist()
    ]
    assert sorted(exported, key=repr) == ordered
