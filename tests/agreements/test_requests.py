"""Access requests: filing, reviewing (narrowing, conditions), rejecting, withdrawing; history
and notifications on both sides; who may do what."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dati.audit.models import AuditEntry
from dati.catalog.models import Resource
from dati.errors import Conflict, Forbidden, Invalid, NotFound
from dati.exchange.agreements.models import AgreementStatus, RequestStatus
from dati.exchange.agreements.schemas import Terms
from dati.exchange.agreements.services import notifications, requests
from tests.agreements.conftest import RIGA_ONLY, SECRET, MakeRequest, People, days, request_data


def test_a_request_reaches_the_providers_stewards(
    session: Session, make_request: MakeRequest, people: People
) -> None:
    request = make_request()
    assert request.number.startswith("PP-") and request.status == RequestStatus.SUBMITTED
    assert request.provider.short_name == "PMLP" and request.recipient.short_name == "VSAA"
    inbox = notifications.list_notifications(session=session, actor=people.pmlp_steward)
    assert len(inbox) == 1 and request.number in notifications.render(
        inbox[0].kind, inbox[0].params
    )
    assert notifications.list_notifications(session=session, actor=people.outsider) == []
    actions = session.scalars(select(AuditEntry.action)).all()
    assert "request.submitted" in actions


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"fields": ["personal_code", "no_such_field"]}, "fields"),
        ({"valid_from": days(10), "valid_until": days(5)}, "valid_until"),
        ({"valid_from": days(-30), "valid_until": days(-1)}, "valid_until"),
    ],
    ids=["unknown field", "end before start", "already over"],
)
def test_bad_requests_are_refused_with_the_field_named(
    session: Session, population: Resource, people: People, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(Invalid) as exc:
        requests.submit_request(
            session=session,
            actor=people.recipient,
            data=request_data(population, **changes),
            secret=SECRET,
        )
    assert field in exc.value.errors


def test_the_owner_and_outsiders_cannot_request(
    session: Session, population: Resource, people: People
) -> None:
    with pytest.raises(Invalid) as exc:
        requests.submit_request(
            session=session,
            actor=people.pmlp_steward,
            data=request_data(population, org="PMLP"),
            secret=SECRET,
        )
    assert "org" in exc.value.errors
    with pytest.raises(Forbidden):
        requests.submit_request(
            session=session,
            actor=people.pmlp_signatory,
            data=request_data(population, org="VSAA"),
            secret=SECRET,
        )


def test_approval_narrows_and_draws_up_the_agreement(
    session: Session, make_request: MakeRequest, people: People
) -> None:
    request = make_request()
    agreement = requests.approve_request(
        session=session,
        actor=people.pmlp_steward,
        number=request.number,
        terms=RIGA_ONLY,
        secret=SECRET,
    )
    assert request.status == RequestStatus.APPROVED
    assert agreement.status == AgreementStatus.AWAITING_PROVIDER and agreement.version == 1
    doc = agreement.document
    assert [f["name"] for f in doc["fields"]] == [
        "personal_code",
        "first_name",
        "municipality",
        "children",
    ]
    assert doc["row_conditions"] == [{"field": "municipality", "op": "eq", "values": ["LV-RIX"]}]
    assert doc["pseudonymised_fields"] == ["personal_code"]
    history = [
        e.action
        for e in requests.get_request(
            session=session, actor=people.recipient, number=request.number
        ).events
    ]
    assert history == ["submitted", "approved"]
    assert request.events[-1].changes["fields_removed"] == ["last_name"]
    signatories = notifications.list_notifications(session=session, actor=people.pmlp_signatory)
    assert [n.kind for n in signatories] == ["agreement.awaiting_signature"]
    assert [
        n.kind for n in notifications.list_notifications(session=session, actor=people.recipient)
    ] == ["request.approved"]


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"fields": ["personal_code", "address"]}, "fields"),
        ({"row_conditions": [{"field": "nope", "op": "eq", "values": ["x"]}]}, "row_conditions.0"),
        (
            {"row_conditions": [{"field": "children", "op": "gt", "values": ["many"]}]},
            "row_conditions.0",
        ),
        (
            {"row_conditions": [{"field": "municipality", "op": "eq", "values": ["a", "b"]}]},
            "row_conditions.0",
        ),
        (
            {"pseudonymised_fields": ["last_name"], "fields": ["personal_code"]},
            "pseudonymised_fields",
        ),
        ({"version_policy": "pinned"}, "pinned_version"),
    ],
    ids=[
        "field not requested",
        "unknown condition field",
        "bad value type",
        "eq with two values",
        "pseudonymise ungranted",
        "pinned without version",
    ],
)
def test_review_mistakes_are_named(
    session: Session,
    make_request: MakeRequest,
    people: People,
    terms: dict[str, object],
    field: str,
) -> None:
    request = make_request()
    with pytest.raises(Invalid) as exc:
        requests.approve_request(
            session=session,
            actor=people.pmlp_steward,
            number=request.number,
            terms=Terms.model_validate(terms),
            secret=SECRET,
        )
    assert field in exc.value.errors
    assert request.status == RequestStatus.SUBMITTED


def test_rejection_needs_a_reason_and_is_final(
    session: Session, make_request: MakeRequest, people: People
) -> None:
    request = make_request()
    with pytest.raises(Invalid):
        requests.reject_request(
            session=session,
            actor=people.pmlp_steward,
            number=request.number,
            reason=" ",
            secret=SECRET,
        )
    requests.reject_request(
        session=session,
        actor=people.pmlp_steward,
        number=request.number,
        reason="Nav tiesiskā pamata",
        secret=SECRET,
    )
    assert (
        request.status == RequestStatus.REJECTED
        and request.decision_reason == "Nav tiesiskā pamata"
    )
    with pytest.raises(Conflict):
        requests.approve_request(
            session=session,
            actor=people.pmlp_steward,
            number=request.number,
            terms=RIGA_ONLY,
            secret=SECRET,
        )
    texts = [
        notifications.render(n.kind, n.params)
        for n in notifications.list_notifications(session=session, actor=people.recipient)
    ]
    assert any("Nav tiesiskā pamata" in t for t in texts)


def test_withdrawal_by_the_requester_only(
    session: Session, make_request: MakeRequest, people: People
) -> None:
    request = make_request()
    with pytest.raises(Forbidden):
        requests.withdraw_request(
            session=session, actor=people.pmlp_steward, number=request.number, secret=SECRET
        )
    requests.withdraw_request(
        session=session, actor=people.recipient, number=request.number, secret=SECRET
    )
    assert request.status == RequestStatus.WITHDRAWN
    # The provider's stewards learn that the request no longer needs their review.
    latest = notifications.list_notifications(session=session, actor=people.pmlp_steward)[0]
    assert notifications.render(latest.kind, latest.params) == (
        f"VSAA atsauca savu piekļuves pieprasījumu {request.number} resursam {request.resource_name}."
    )


def test_outsiders_do_not_learn_a_request_exists(
    session: Session, make_request: MakeRequest, people: People
) -> None:
    request = make_request()
    for call in (
        lambda: requests.get_request(session=session, actor=people.outsider, number=request.number),
        lambda: requests.approve_request(
            session=session,
            actor=people.outsider,
            number=request.number,
            terms=RIGA_ONLY,
            secret=SECRET,
        ),
    ):
        with pytest.raises(NotFound):
            call()
    assert (
        requests.get_request(session=session, actor=people.auditor, number=request.number)
        is request
    )


def test_listing_by_direction(session: Session, make_request: MakeRequest, people: People) -> None:
    request = make_request()
    assert requests.list_requests(
        session=session, actor=people.pmlp_steward, direction="incoming"
    ) == [request]
    assert (
        requests.list_requests(session=session, actor=people.pmlp_steward, direction="outgoing")
        == []
    )
    assert requests.list_requests(
        session=session, actor=people.recipient, direction="outgoing"
    ) == [request]
    assert requests.list_requests(session=session, actor=people.outsider) == []
    assert request in requests.list_requests(session=session, actor=people.auditor)
