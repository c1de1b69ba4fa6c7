"""The gateway against the database: agreements found, rows shaped, quotas counted across
requests, every access and refusal in the audit chain, and the citizen finding it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dati.audit import service as audit_service
from dati.audit.models import AuditEntry
from dati.audit.verify import verify_chain
from dati.auth.actor import Actor, ActorKind
from dati.catalog.models import Resource
from dati.errors import NotAuthenticated, TooManyRequests
from dati.exchange.agreements import gateway
from dati.exchange.agreements.schemas import Terms
from dati.exchange.agreements.services import access, changes
from tests.agreements.conftest import RIGA_ONLY, SECRET, MakeAgreement, People

ROWS = [
    {
        "personal_code": "150385-11116",
        "first_name": "Kristaps",
        "last_name": "Demo",
        "municipality": "LV-RIX",
        "children": 2,
        "address": "Rīga",
    },
    {
        "personal_code": "010101-10006",
        "first_name": "Anna",
        "last_name": "Ozola",
        "municipality": "LV-JEL",
        "children": 1,
        "address": "Jelgava",
    },
    {
        "personal_code": "120277-12345",
        "first_name": "Jānis",
        "last_name": "Liepa",
        "municipality": "LV-RIX",
        "children": 0,
        "address": "Rīga",
    },
]


def read(
    session: Session, actor: Actor, resource: Resource, **request: Any
) -> list[dict[str, Any]]:
    grant = access.authorise(
        session=session,
        actor=actor,
        resource=resource,
        request=gateway.ReadRequest(**request),
        secret=SECRET,
    )
    return access.serve_rows(session, grant, [dict(r) for r in ROWS], version=1, secret=SECRET)


def entries(session: Session, action: str) -> list[AuditEntry]:
    session.expire_all()
    return list(
        session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
        )
    )


def test_recipient_gets_only_agreed_rows_and_fields_pseudonymised(
    session: Session, make_agreement: MakeAgreement, people: People, population: Resource
) -> None:
    agreement = make_agreement()
    rows = read(session, people.recipient, population)
    assert [r["first_name"] for r in rows] == ["Kristaps", "Jānis"]
    assert set(rows[0]) == {"personal_code", "first_name", "municipality", "children"}
    assert rows[0]["personal_code"].startswith("ps_") and rows[0]["personal_code"] != "150385-11116"
    assert (
        read(session, people.recipient, population)[0]["personal_code"] == rows[0]["personal_code"]
    )
    (entry, _again) = entries(session, "data.read")
    assert (entry.agreement_id, entry.agreement_version, entry.row_count) == (
        agreement.number,
        1,
        2,
    )
    assert entry.subject_count == 2 and entry.actor_org_id == agreement.recipient_org_id
    assert entry.filter_data["conditions"] == [["municipality", "eq", ["LV-RIX"]]]
    citizen = Actor(kind=ActorKind.CITIZEN, name="K", user_id=1, personal_code="150385-11116")
    seen = audit_service.my_accesses(session=session, actor=citizen, secret=SECRET)
    assert (
        len(seen) == 2
        and seen[0].purpose == agreement.purpose
        and seen[0].recipient_short_name == "VSAA"
    )
    outsider = Actor(kind=ActorKind.CITIZEN, name="A", user_id=2, personal_code="010101-10006")
    assert audit_service.my_accesses(session=session, actor=outsider, secret=SECRET) == []
    assert verify_chain(session, secret=SECRET).ok


def test_refusals_are_logged_with_their_reason(
    session: Session, make_agreement: MakeAgreement, people: People, population: Resource
) -> None:
    make_agreement()
    with pytest.raises(access.AccessDenied) as exc:
        read(session, people.recipient, population, fields=("last_name",))
    assert "last_name" in exc.value.detail
    with pytest.raises(access.AccessDenied):
        read(session, people.outsider, population)
    with pytest.raises(NotAuthenticated):
        read(session, Actor.anonymous(), population)
    denied = entries(session, "data.denied")
    assert len(denied) == 2 and "last_name" in denied[0].detail


def test_unsigned_or_suspended_agreements_serve_nothing(
    session: Session, make_agreement: MakeAgreement, people: People, population: Resource
) -> None:
    pending = make_agreement(signed_by="provider")
    with pytest.raises(access.AccessDenied) as exc:
        read(session, people.recipient, population)
    assert pending.number in exc.value.detail
    active = make_agreement()
    read(session, people.recipient, population, agreement=active.number)
    changes.suspend_agreement(
        session=session,
        actor=people.pmlp_steward,
        number=active.number,
        reason="Pārbaude",
        secret=SECRET,
    )
    with pytest.raises(access.AccessDenied):
        read(session, people.recipient, population, agreement=active.number)


def test_row_quota_truncates_then_refuses(
    session: Session, make_agreement: MakeAgreement, people: People, population: Resource
) -> None:
    make_agreement(
        terms=Terms.model_validate(
            {**RIGA_ONLY.model_dump(), "rows_per_day": 3, "requests_per_day": 10}
        )
    )
    assert len(read(session, people.recipient, population)) == 2
    assert len(read(session, people.recipient, population)) == 1  # 3 rows a day
    with pytest.raises(TooManyRequests):
        read(session, people.recipient, population)
    assert [e.row_count for e in entries(session, "data.read")] == [2, 1]


def test_request_quota_is_counted_in_the_database(
    session: Session, make_agreement: MakeAgreement, people: People, population: Resource
) -> None:
    make_agreement(terms=Terms.model_validate({**RIGA_ONLY.model_dump(), "requests_per_day": 2}))
    read(session, people.recipient, population)
    read(session, people.recipient, population)
    with pytest.raises(TooManyRequests) as exc:
        read(session, people.recipient, population)
    assert exc.value.extra["retry_after"] > 0


def test_owner_reads_everything_and_is_logged(
    session: Session, people: People, population: Resource
) -> None:
    rows = read(session, people.pmlp_steward, population)
    assert len(rows) == 3 and rows[0]["personal_code"] == "150385-11116"
    (entry,) = entries(session, "data.read")
    assert entry.agreement_id is None and entry.detail == "owner" and entry.subject_count == 3
