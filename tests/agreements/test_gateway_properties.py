"""Property-based tests of the gateway policy: over random schemas, agreements, rows and
queries, and even a query engine that ignores every condition, no response contains a field or
a row outside the agreement, and pseudonymised fields never show their real values."""

from __future__ import annotations

import operator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dati.exchange.agreements import batches, gateway
from dati.exchange.agreements.conditions import Condition, pseudonym

TODAY = date(2026, 11, 22)
SECRET = "property-secret"
TYPES = ("string", "integer", "number", "boolean", "date")
NAMES = ("personal_code", "name", "municipality", "age", "income", "born", "active", "notes")
OWNER, RECIPIENT = 1, 2


def values_of(type_: str) -> st.SearchStrategy[Any]:
    return {
        "string": st.text(alphabet="abcdefghLVRIX-", min_size=0, max_size=4),
        "integer": st.integers(-5, 5),
        "number": st.decimals(-5, 5, places=1, allow_nan=False, allow_infinity=False),
        "boolean": st.booleans(),
        "date": st.dates(date(2000, 1, 1), date(2000, 1, 10)),
    }[type_]


@st.composite
def schemas(draw: st.DrawFn) -> gateway.ResourceInfo:
    names = draw(st.lists(st.sampled_from(NAMES), min_size=2, max_size=6, unique=True))
    fields = tuple(
        gateway.FieldInfo(
            name,
            draw(st.sampled_from(TYPES)),
            "personal_identifier" if name == "personal_code" else "personal_data",
        )
        for name in names
    )
    return gateway.ResourceInfo("people", OWNER, is_open=False, fields=fields)


@st.composite
def conditions_on(draw: st.DrawFn, resource: gateway.ResourceInfo, names: list[str]) -> Condition:
    name = draw(st.sampled_from(names))
    type_ = resource.type_of(name)
    op = draw(st.sampled_from(("eq", "ne", "in", "lt", "lte", "gt", "gte")))
    if type_ == "boolean" and op in ("lt", "lte", "gt", "gte"):
        op = "eq"
    size = draw(st.integers(1, 3)) if op == "in" else 1
    return Condition(name, op, tuple(draw(values_of(type_)) for _ in range(size)))


@st.composite
def cases(draw: st.DrawFn) -> tuple[Any, ...]:
    resource = draw(schemas())
    names = list(resource.names)
    agreed = draw(st.lists(st.sampled_from(names), min_size=1, unique=True))
    hidden = draw(st.lists(st.sampled_from(agreed), unique=True))
    terms = gateway.AgreementTerms(
        number="EV-2026-00001",
        version=1,
        status="active",
        provider_org_id=OWNER,
        recipient_org_id=RECIPIENT,
        resource="people",
        fields=tuple(agreed),
        conditions=tuple(draw(st.lists(conditions_on(resource, names), max_size=3))),
        pseudonymised=frozenset(hidden),
        valid_from=TODAY - timedelta(days=1),
        valid_until=TODAY + timedelta(days=1),
        requests_per_day=draw(st.integers(1, 5)),
        rows_per_day=draw(st.integers(1, 40)),
    )
    row = st.fixed_dictionaries(
        {f.name: st.one_of(st.none(), values_of(f.type)) for f in resource.fields}
    )
    rows = draw(st.lists(row, max_size=25))
    request = gateway.ReadRequest(
        fields=tuple(draw(st.lists(st.sampled_from(names), unique=True, max_size=4))),
        filters=tuple(draw(st.lists(conditions_on(resource, names), max_size=2))),
        sort=tuple(draw(st.lists(st.sampled_from(names), unique=True, max_size=1))),
    )
    usage = gateway.Usage(draw(st.integers(0, 6)), draw(st.integers(0, 45)))
    return resource, terms, rows, request, usage


COMPARE = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "lte": operator.le,
    "gt": operator.gt,
    "gte": operator.ge,
}


def satisfies(row: dict[str, Any], cond: Condition) -> bool:
    """An independent reading of a condition (SQL: NULL matches nothing)."""
    value = row.get(cond.field)
    if value is None:
        return False
    if isinstance(value, float):
        value = Decimal(repr(value))
    if cond.op == "in":
        return value in cond.values
    try:
        return bool(COMPARE[cond.op](value, cond.values[0]))
    except TypeError:
        return False


def adversarial_engine(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ignores fields, filters and conditions: every column of every row, reversed."""
    return [dict(r) for r in reversed(rows)]


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_no_field_or_row_outside_the_agreement(case: tuple[Any, ...]) -> None:
    resource, terms, rows, request, usage = case
    requester = gateway.Requester(True, recipient_org_ids=frozenset({RECIPIENT}))
    decision = gateway.decide(
        resource, requester, request, [terms], {terms.number: usage}, today=TODAY, secret=SECRET
    )
    asked_outside = set(request.fields) - set(terms.fields)
    filtered_by = {c.field for c in request.filters} | set(request.sort)
    if asked_outside or filtered_by - set(terms.fields) or filtered_by & terms.pseudonymised:
        assert not decision.allowed and decision.status == 403
        return
    if usage.requests >= terms.requests_per_day or usage.rows >= terms.rows_per_day:
        assert not decision.allowed and decision.status == 429
        return
    assert decision.allowed and decision.agreement == terms
    source = adversarial_engine(rows)
    served = gateway.enforce(decision, source)
    allowed_rows = [r for r in source if all(satisfies(r, c) for c in terms.conditions)]
    assert len(served) <= terms.rows_per_day - usage.rows
    assert len(served) == min(len(allowed_rows), terms.rows_per_day - usage.rows)
    key = gateway.pseudonym_key(SECRET, terms.number)
    for out, raw in zip(served, allowed_rows, strict=False):
        assert set(out) <= set(terms.fields)
        assert set(out) == set(request.fields or terms.fields)
        for name, value in out.items():
            if name in terms.pseudonymised:
                assert value == pseudonym(key, raw[name])
                assert raw[name] is None or value != raw[name]
            else:
                assert value == raw[name]


@settings(max_examples=60, deadline=None)
@given(
    cases(),
    st.sampled_from(["awaiting_provider", "awaiting_recipient", "suspended", "revoked", "expired"]),
)
def test_no_rows_unless_the_agreement_is_in_force(case: tuple[Any, ...], status: str) -> None:
    resource, terms, rows, request, _usage = case
    for candidate in (
        gateway.AgreementTerms(**{**terms.__dict__, "status": status}),
        gateway.AgreementTerms(**{**terms.__dict__, "valid_until": TODAY - timedelta(days=1)}),
        gateway.AgreementTerms(**{**terms.__dict__, "valid_from": TODAY + timedelta(days=1)}),
        gateway.AgreementTerms(**{**terms.__dict__, "recipient_org_id": 99}),
    ):
        decision = gateway.decide(
            resource,
            gateway.Requester(True, recipient_org_ids=frozenset({RECIPIENT})),
            gateway.ReadRequest(),
            [candidate],
            {},
            today=TODAY,
            secret=SECRET,
        )
        assert not decision.allowed and decision.reason
        assert gateway.enforce(decision, rows) == []


@settings(max_examples=30, deadline=None)
@given(cases())
def test_pseudonyms_are_stable_per_agreement_and_differ_between_agreements(
    case: tuple[Any, ...],
) -> None:
    _resource, terms, rows, _request, _usage = case
    first = gateway.pseudonym_key(SECRET, terms.number)
    assert first == gateway.pseudonym_key(SECRET, terms.number)
    other = gateway.pseudonym_key(SECRET, "EV-2026-00002")
    elsewhere = gateway.pseudonym_key("another instance", terms.number)
    for row in rows:
        for value in row.values():
            if value is not None:
                assert pseudonym(first, value) != pseudonym(other, value)
                assert pseudonym(first, value) != pseudonym(elsewhere, value)


def test_anonymous_callers_and_strangers_are_refused() -> None:
    resource = gateway.ResourceInfo("people", OWNER, False, (gateway.FieldInfo("name"),))
    anonymous = gateway.decide(
        resource,
        gateway.Requester(False),
        gateway.ReadRequest(),
        [],
        {},
        today=TODAY,
        secret=SECRET,
    )
    assert (anonymous.allowed, anonymous.status) == (False, 401)
    stranger = gateway.decide(
        resource,
        gateway.Requester(True, recipient_org_ids=frozenset({RECIPIENT})),
        gateway.ReadRequest(),
        [],
        {},
        today=TODAY,
        secret=SECRET,
    )
    assert (stranger.allowed, stranger.status) == (
        False,
        403,
    ) and "people" in stranger.reason
    owner = gateway.decide(
        resource,
        gateway.Requester(True, owner_org_ids=frozenset({OWNER})),
        gateway.ReadRequest(),
        [],
        {},
        today=TODAY,
        secret=SECRET,
    )
    assert owner.allowed and owner.basis == gateway.OWNER and owner.return_fields == ("name",)


ARROW_TYPES = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.integers(1, 7))
def test_exports_enforce_exactly_what_pages_enforce(case: tuple[Any, ...], batch_rows: int) -> None:
    """CSV and Parquet stream Arrow batches; they must give the very rows the JSON API gives."""
    resource, terms, rows, _request, _usage = case
    decision = gateway.decide(
        resource,
        gateway.Requester(True, recipient_org_ids=frozenset({RECIPIENT})),
        gateway.ReadRequest(),
        [terms],
        {},
        today=TODAY,
        secret=SECRET,
    )
    assert decision.allowed
    floats = [{k: float(v) if isinstance(v, Decimal) else v for k, v in r.items()} for r in rows]
    schema = pa.schema([pa.field(f.name, ARROW_TYPES[f.type]) for f in resource.fields])
    table = pa.Table.from_pylist(floats, schema=schema)
    streamed = batches.enforce_batches(
        decision, table.to_batches(max_chunksize=batch_rows), schema, decision.row_allowance
    )
    exported = [row for batch in streamed for row in batch.to_pylist()]
    assert exported == gateway.enforce(decision, floats)
    count, people = batches.subjects_in(
        decision, table.to_batches(max_chunksize=batch_rows), decision.row_allowance
    )
    assert count == len(exported)
    assert people == gateway.subjects(decision, gateway.permitted_rows(decision, floats))
