"""Scheduled harvest sources: who may manage them, when they run, and the job that runs them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session

from dati import clock
from dati.auth.actor import Actor, Role
from dati.errors import Forbidden, Invalid, NotAuthenticated, NotFound
from dati.interop import harvest_fetch, sources
from dati.interop.models import RunStatus
from dati.interop.schemas import HarvestSourceCreate, HarvestSourceUpdate
from tests.conftest import MakeUser

GEOPORTAL = Path(__file__).resolve().parent / "data" / "sources" / "geoportal.jsonld"


@pytest.fixture
def public_internet(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every host resolves to a public address and answers with the geoportal catalogue."""
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(
            200, content=GEOPORTAL.read_bytes(), headers={"content-type": "application/ld+json"}
        )

    monkeypatch.setattr(harvest_fetch, "TRANSPORT", httpx.MockTransport(handler))
    monkeypatch.setattr(harvest_fetch, "resolve_host", lambda host, port: ["195.244.150.10"])
    return calls


def _source(session: Session, actor: Actor, org: str = "VZD", **extra: object):  # type: ignore[no-untyped-def]
    data = {"title": "Ģeoportāls", "url": "https://geo.example.lv/catalog.jsonld", "org": org}
    return sources.create_source(
        session=session, actor=actor, data=HarvestSourceCreate(**(data | extra))
    )


@pytest.mark.parametrize(
    ("grants", "allowed"),
    [
        ([(Role.STEWARD, "VZD")], True),
        ([(Role.STEWARD, "CSP")], False),
        ([(Role.PUBLISHER, "VZD")], False),
        ([(Role.RECIPIENT, "VZD")], False),
        ([(Role.ADMIN, None)], True),
    ],
)
def test_only_the_institutions_stewards_add_sources(
    session: Session,
    make_user: MakeUser,
    public_internet: list[str],
    grants,
    allowed: bool,  # type: ignore[no-untyped-def]
) -> None:
    actor = make_user("lietotajs", *grants)
    if allowed:
        assert _source(session, actor).org.short_name == "VZD"
    else:
        with pytest.raises(Forbidden):
            _source(session, actor)


def test_anonymous_visitors_are_asked_to_log_in(session: Session) -> None:
    with pytest.raises(NotAuthenticated):
        sources.list_sources(session=session, actor=Actor.anonymous())


def test_stewards_see_only_their_institutions_sources_and_runs(
    session: Session, make_user: MakeUser, system: Actor, public_internet: list[str]
) -> None:
    mine = _source(session, system, "VZD")
    theirs = _source(session, system, "CSP")
    theirs_run = sources.run_source(session=session, actor=system, source_id=theirs.id)
    steward = make_user("vzd", (Role.STEWARD, "VZD"))
    assert [s.id for s in sources.list_sources(session=session, actor=steward)] == [mine.id]
    assert sources.list_runs(session=session, actor=steward) == []
    with pytest.raises(NotFound):  # another institution's source does not exist for them
        sources.get_source(session=session, actor=steward, source_id=theirs.id)
    with pytest.raises(NotFound):
        sources.get_run(session=session, actor=steward, run_id=theirs_run.id)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"title": " "}, "title"),
        ({"url": "geo.example.lv/catalog"}, "url"),
        ({"url": "http://192.168.1.10/catalog.ttl"}, "url"),
        ({"org": "NAV-TADAS"}, "org"),
    ],
)
def test_bad_sources_are_refused_with_the_field_named(
    session: Session, system: Actor, public_internet: list[str], values: dict, field: str
) -> None:
    before = len(sources.list_sources(session=session, actor=system))
    with pytest.raises(Invalid) as refused:
        _source(session, system, **values)
    assert field in refused.value.errors
    assert len(sources.list_sources(session=session, actor=system)) == before


def test_the_job_runs_due_sources_once_and_schedules_the_next_run(
    session: Session, system: Actor, public_internet: list[str]
) -> None:
    due = _source(session, system, interval_hours=6)
    later = _source(session, system, "CSP", title="Vēlāk")
    sources.update_source(
        session=session, actor=system, source_id=later.id, data=HarvestSourceUpdate(enabled=False)
    )
    job = Actor.system("harvest")
    claimed = sources.claim_due(session=session, actor=job)
    assert claimed == [due.id]
    assert sources.claim_due(session=session, actor=job) == []  # a second node finds nothing
    run = sources.run_source(session=session, actor=job, source_id=due.id)
    assert (run.status, run.created, run.source_id) == (RunStatus.OK, 1, due.id)
    assert due.next_run_at is not None and due.next_run_at - clock.now() > timedelta(hours=5)
    again = sources.run_source(session=session, actor=job, source_id=due.id)
    assert (again.created, again.unchanged) == (0, 1)
    assert len(public_internet) == 2


def test_only_the_system_job_may_claim_due_sources(session: Session, make_user: MakeUser) -> None:
    steward = make_user("vzd", (Role.STEWARD, "VZD"))
    with pytest.raises(Forbidden):
        sources.claim_due(session=session, actor=steward)


def test_a_source_that_cannot_be_read_records_a_failed_run(
    session: Session, system: Actor, monkeypatch: pytest.MonkeyPatch, public_internet: list[str]
) -> None:
    source = _source(session, system)
    monkeypatch.setattr(
        harvest_fetch, "TRANSPORT", httpx.MockTransport(lambda r: httpx.Response(503))
    )
    run = sources.run_source(session=session, actor=system, source_id=source.id)
    assert run.status is RunStatus.FAILED
    assert "503" in run.message


@pytest.mark.parametrize("operation", ["get", "update", "run", "delete"])
def test_another_institutions_source_does_not_exist_for_a_steward(
    session: Session,
    make_user: MakeUser,
    system: Actor,
    public_internet: list[str],
    operation: str,
) -> None:
    theirs = _source(session, system, "CSP")
    steward = make_user("vzd", (Role.STEWARD, "VZD"))
    calls = {
        "get": lambda: sources.get_source(session=session, actor=steward, source_id=theirs.id),
        "update": lambda: sources.update_source(
            session=session,
            actor=steward,
            source_id=theirs.id,
            data=HarvestSourceUpdate(url="https://cits.example.lv/c.ttl"),
        ),
        "run": lambda: sources.run_source(session=session, actor=steward, source_id=theirs.id),
        "delete": lambda: sources.delete_source(
            session=session, actor=steward, source_id=theirs.id
        ),
    }
    with pytest.raises(NotFound):
        calls[operation]()
    assert public_internet == []  # nothing was fetched
    assert sources.get_source(session=session, actor=system, source_id=theirs.id).url == (
        "https://geo.example.lv/catalog.jsonld"
    )
