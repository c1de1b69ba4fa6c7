"""The background URL check feeds the score; the in-memory search copy follows every change."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session

from dati.auth.actor import Actor, Role
from dati.catalog import distributions, engine, quality, search, service, urlcheck
from dati.catalog.schemas import DistributionCreate, ResourceCreate, ResourceUpdate
from dati.db import migrate
from dati.db.database import Database
from dati.errors import Forbidden
from dati.orgs import factories as orgs_factories
from tests.catalog.conftest import MakeResource
from tests.conftest import MakeUser, fresh_database_url


def network(request: httpx.Request) -> httpx.Response:
    if request.url.host == "gone.example.lv":
        return httpx.Response(404)
    if request.url.host == "slow.example.lv":
        raise httpx.ConnectTimeout("timeout", request=request)
    if request.method == "HEAD" and request.url.host == "nohead.example.lv":
        return httpx.Response(405)
    return httpx.Response(200 if request.url.path != "/moved" else 302)


def test_url_check_updates_scores_and_never_runs_on_page_views(
    make_resource: MakeResource, session: Session, system: Actor
) -> None:
    resource = make_resource(description_lv="a")
    for url in ("https://ok.example.lv/x", "https://gone.example.lv/y"):
        distributions.add_distribution(
            session=session,
            actor=system,
            name=resource.name,
            data=DistributionCreate(access_url=url, download_url=url + ".csv"),
        )
    before = resource.quality_score
    with httpx.Client(transport=httpx.MockTransport(network)) as client:
        report = urlcheck.check_urls(session=session, actor=system, client=client)
    assert (report.checked, report.reachable) == (4, 2)
    session.refresh(resource)
    assert resource.quality_score == before + 50 + 30  # access and download URL answer
    checks = quality.url_checks(session, resource)
    assert checks["https://gone.example.lv/y"].status_code == 404
    assert not checks["https://gone.example.lv/y"].reachable


@pytest.mark.parametrize(
    "url, reachable, code",
    [
        ("https://nohead.example.lv/a", True, 200),
        ("https://ok.example.lv/moved", True, 302),
        ("https://slow.example.lv/a", False, None),
    ],
)
def test_probe(url: str, reachable: bool, code: int | None) -> None:
    with httpx.Client(transport=httpx.MockTransport(network)) as client:
        outcome = urlcheck.probe(client, url)
    assert (outcome.reachable, outcome.status_code) == (reachable, code)


def test_only_the_system_checks_urls(session: Session, make_user: MakeUser) -> None:
    steward = make_user("anna", (Role.STEWARD, "VZD"))
    with pytest.raises(Forbidden):
        urlcheck.check_urls(session=session, actor=steward)


def test_a_shared_copy_catches_up_and_never_takes_uncommitted_changes(tmp_path: Path) -> None:
    """Real separate connections (its own database), as between app processes and requests."""
    url = fresh_database_url(tmp_path, "engine")
    migrate.upgrade(url)
    db = Database(url)
    system = Actor.system("tests")
    with db.session() as s:
        orgs_factories.load_demo(s, system)
        resource = service.create_resource(
            session=s,
            actor=system,
            data=ResourceCreate(title_lv="Ūdens kvalitāte", owner="VVD", access_rights="public"),
        )
        name = resource.name
    shared = engine.Engine()
    with db.new_session() as reader:
        first = shared.snapshot(reader)
    assert "uden" in first.postings
    with db.session() as writer:
        service.update_resource(
            session=writer, actor=system, name=name, data=ResourceUpdate(title_lv="Gaisa kvalitāte")
        )
    with db.new_session() as reader:
        second = shared.snapshot(reader)
    assert second is not first and "gais" in second.postings and "uden" not in second.postings
    assert second.version is not None and first.version is not None
    assert second.version[0] > first.version[0]
    writer = db.new_session()
    service.update_resource(
        session=writer, actor=system, name=name, data=ResourceUpdate(title_lv="Trokšņa karte")
    )
    assert "troksn" in shared.snapshot(writer).postings  # its own, private copy
    with db.new_session() as reader:
        assert shared.snapshot(reader) is second  # others see nothing uncommitted
    writer.rollback()
    writer.close()
    with db.new_session() as reader:
        assert shared.snapshot(reader) is second
    db.dispose()


def test_search_answers_from_the_copy_of_a_clean_session(
    db: Database, make_resource: MakeResource, session: Session
) -> None:
    make_resource("Meža inventarizācija", owner="ZM")
    session.commit()
    reader = db.new_session()
    result = search.search_resources(
        session=reader, actor=Actor.anonymous(), query=search.SearchQuery(q="meži")
    )
    assert [r.title_lv for r in result.resources] == ["Meža inventarizācija"]
    reader.close()


def test_bitmaps() -> None:
    ids = [0, 1, 7, 8, 64, 1000]
    assert engine.bitmap_to_ids(engine.ids_to_bitmap(ids)) == ids
    assert engine.ids_to_bitmap([]) == 0 and engine.bitmap_to_ids(0) == []


def test_computed_orders_survive_a_change(
    make_resource: MakeResource, session: Session, system: Actor
) -> None:
    for title in ("Bērzi", "Ozoli", "Kļavas"):
        make_resource(title, owner="ZM")
    snap = engine.load(session)
    assert [snap.keys[i].title for i in snap.order("title")] == ["berzi", "klavas", "ozoli"]
    changed = make_resource("Apses", owner="ZM")
    head = engine._head(session)
    assert head is not None
    newer = engine.apply(snap, session, [changed.id], head)
    assert [newer.keys[i].title for i in newer._orders["title"]] == [
        "apses",
        "berzi",
        "klavas",
        "ozoli",
    ]


def test_the_log_is_pruned_and_old_copies_reload(
    make_resource: MakeResource, session: Session
) -> None:
    from sqlalchemy import func, select

    from dati.catalog import indexer
    from dati.catalog.models import IndexLog

    for n in range(5):
        make_resource(f"Resurss {n}")
    snap = engine.load(session)
    indexer.prune_log(session, keep=2)
    assert session.scalar(select(func.count()).select_from(IndexLog)) == 2
    newest = session.scalar(select(func.max(IndexLog.id)))
    assert snap.version is not None and snap.version[0] == newest  # the newest row is kept
