"""Reading the log: who sees which entries, filters, CSV export, the citizen view, access times."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from dati import clock
from dati.audit import chain, metrics, service
from dati.audit.schemas import EntryFilter
from dati.auth.actor import Actor, ActorKind, Role
from dati.errors import Forbidden, Invalid, NotAuthenticated
from dati.orgs import service as orgs_service
from tests.audit.conftest import SECRET, Append
from tests.conftest import MakeUser


def org_id(session: Session, short_name: str) -> int:
    org = orgs_service.find_by_short_name(session, short_name)
    assert org is not None
    return org.id


def citizen(code: str) -> Actor:
    return Actor(kind=ActorKind.CITIZEN, name="Citizen", user_id=999, personal_code=code)


@pytest.fixture
def two_orgs_log(session: Session, append: Append) -> None:
    vsaa, pmlp, riga = org_id(session, "VSAA"), org_id(session, "PMLP"), org_id(session, "riga")
    append(2, subjects=("150385-11116",), actor_org_id=vsaa, provider_org_id=pmlp)
    append(1, subjects=("010101-10006",), actor_org_id=riga, provider_org_id=pmlp)
    append(1, action="agreement.signed", actor_org_id=riga, provider_org_id=org_id(session, "VZD"))


def test_auditor_sees_every_entry(
    session: Session, make_user: MakeUser, two_orgs_log: None
) -> None:
    auditor = make_user("aud", (Role.AUDITOR, "VKONTROLE"))
    page = service.list_entries(session=session, actor=auditor, filters=EntryFilter())
    assert [e.seq for e in page.entries] == [4, 3, 2, 1]
    assert page.entries[-1].org == "VSAA" and page.entries[-1].provider == "PMLP"


def test_steward_sees_only_entries_of_own_organisation(
    session: Session, make_user: MakeUser, two_orgs_log: None
) -> None:
    steward = make_user("stew", (Role.STEWARD, "VZD"))
    page = service.list_entries(session=session, actor=steward, filters=EntryFilter())
    assert [e.action for e in page.entries] == ["agreement.signed"]


@pytest.mark.parametrize(
    ("actor", "error"),
    [(Actor.anonymous(), NotAuthenticated), (citizen("150385-11116"), Forbidden)],
    ids=["anonymous", "citizen"],
)
def test_others_may_not_read_the_log(
    session: Session, actor: Actor, error: type[Exception], two_orgs_log: None
) -> None:
    with pytest.raises(error):
        service.list_entries(session=session, actor=actor, filters=EntryFilter())


def test_filters_and_pages(session: Session, make_user: MakeUser, two_orgs_log: None) -> None:
    auditor = make_user("aud", (Role.AUDITOR, "VKONTROLE"))

    def seqs(**kw: object) -> list[int]:
        page = service.list_entries(
            session=session, actor=auditor, filters=EntryFilter.model_validate(kw), secret=SECRET
        )
        return [e.seq for e in page.entries]

    assert seqs(org="VSAA") == [2, 1]
    assert seqs(provider="VZD") == [4]
    assert seqs(action="data.") == [3, 2, 1]
    assert seqs(person="150385-11116") == [2, 1]
    assert seqs(date_from=clock.today() + timedelta(days=1)) == []
    first = service.list_entries(session=session, actor=auditor, filters=EntryFilter(), limit=3)
    assert first.next_before == 2
    rest = service.list_entries(
        session=session, actor=auditor, filters=EntryFilter(), before=first.next_before
    )
    assert [e.seq for e in rest.entries] == [1] and rest.next_before is None


def test_unknown_organisation_filter_is_explained(
    session: Session, make_user: MakeUser, two_orgs_log: None
) -> None:
    auditor = make_user("aud", (Role.AUDITOR, "VKONTROLE"))
    with pytest.raises(Invalid) as exc:
        service.list_entries(session=session, actor=auditor, filters=EntryFilter(org="NOPE"))
    assert "org" in exc.value.errors


def test_only_auditors_search_by_personal_code(
    session: Session, make_user: MakeUser, two_orgs_log: None
) -> None:
    steward = make_user("stew", (Role.STEWARD, "PMLP"))
    with pytest.raises(Invalid) as exc:
        service.list_entries(
            session=session,
            actor=steward,
            filters=EntryFilter(person="150385-11116"),
            secret=SECRET,
        )
    assert "person" in exc.value.errors


def test_csv_export_neutralises_formulas(session: Session, make_user: MakeUser) -> None:
    auditor = make_user("aud", (Role.AUDITOR, "VKONTROLE"))
    chain.append(
        session, chain.Event(action="data.denied", detail='=HYPERLINK("http://x")'), secret=SECRET
    )
    text = "".join(
        service.export_entries_csv(session=session, actor=auditor, filters=EntryFilter())
    )
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0]["detail"] == '\'=HYPERLINK("http://x")' and rows[0]["action"] == "data.denied"


def test_citizen_sees_only_accesses_to_own_record(session: Session, two_orgs_log: None) -> None:
    mine = service.my_accesses(session=session, actor=citizen("150385-11116"), secret=SECRET)
    assert len(mine) == 2 and {a.recipient_short_name for a in mine} == {"VSAA"}
    assert mine[0].fields == ["personal_code", "name"]
    other = service.my_accesses(session=session, actor=citizen("010101-10006"), secret=SECRET)
    assert [a.recipient_short_name for a in other] == ["riga"]


def test_staff_have_no_citizen_view(session: Session, make_user: MakeUser) -> None:
    with pytest.raises(Forbidden):
        service.my_accesses(
            session=session, actor=make_user("stew", (Role.STEWARD, "PMLP")), secret=SECRET
        )


def test_percentiles_from_buckets() -> None:
    buckets = [0] * len(metrics.LATENCY_BOUNDS_MS)
    buckets[metrics.bucket_of(3_000)] = 50  # 3 ms -> (2, 5]
    buckets[metrics.bucket_of(80_000)] = 50  # 80 ms -> (50, 100]
    assert metrics.percentile(buckets, 0.5) == pytest.approx(5.0)
    assert 50 < (metrics.percentile(buckets, 0.95) or 0) <= 100
    assert metrics.percentile([0] * len(buckets), 0.5) is None


def test_access_times_are_scoped_to_the_parties(session: Session, make_user: MakeUser) -> None:
    vsaa, pmlp, riga = org_id(session, "VSAA"), org_id(session, "PMLP"), org_id(session, "riga")
    now = clock.now()
    for duration, outcome in [
        (2_000, "ok"),
        (4_000, "ok"),
        (90_000, "ok"),
        (0, "error"),
        (0, "denied"),
    ]:
        metrics.observe(
            session, resource="population", recipient_org_id=vsaa, recipient_name="VSAA",
            provider_org_id=pmlp, outcome=outcome, duration_us=duration, at=now,
        )  # fmt: skip
    metrics.observe(
        session, resource="population", recipient_org_id=riga, recipient_name="riga",
        provider_org_id=pmlp, outcome="ok", duration_us=1_000, at=now,
    )  # fmt: skip
    recipient = make_user("rec", (Role.RECIPIENT, "VSAA"))
    times = service.access_times(session=session, actor=recipient)
    assert [(p.resource, p.recipient) for p in times.pairs] == [("population", "VSAA")]
    pair = times.pairs[0]
    assert (pair.requests, pair.errors, pair.denied) == (5, 1, 1) and pair.error_rate == 0.2
    assert pair.p50_ms is not None and 2 <= pair.p50_ms <= 5
    provider = make_user("prov", (Role.STEWARD, "PMLP"))
    assert len(service.access_times(session=session, actor=provider).pairs) == 2
    assert service.access_times(session=session, actor=provider).daily[0].requests == 6
    # One recipient over time, as its provider sees it; an unknown one is named.
    riga_only = service.access_times(session=session, actor=provider, recipient="riga")
    assert [(d.recipient, d.requests) for d in riga_only.daily] == [("riga", 1)]
    assert [p.recipient for p in riga_only.pairs] == ["riga"]
    with pytest.raises(Invalid) as unknown:
        service.access_times(session=session, actor=provider, recipient="NOPE")
    assert "recipient" in (unknown.value.errors or {})
