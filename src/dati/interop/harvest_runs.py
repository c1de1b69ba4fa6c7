"""A harvest run from start to finish: one document, or a URL and its Hydra pages."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dati import clock
from dati.auth.actor import Actor
from dati.errors import DatiError
from dati.i18n import gettext as _
from dati.interop import harvest_fetch
from dati.interop.harvest import harvest_graph
from dati.interop.models import HarvestRun, RunStatus
from dati.orgs.models import Organisation


def start(
    session: Session, org: Organisation, origin: str, actor: Actor, source_id: int | None = None
) -> HarvestRun:
    run = HarvestRun(
        org_id=org.id,
        origin=origin[:1000],
        actor_name=actor.name,
        source_id=source_id,
        started_at=clock.now(),
        status=RunStatus.RUNNING,
        errors=[],
    )
    session.add(run)
    session.flush()
    return run


def finish(run: HarvestRun, fatal: str | None = None) -> HarvestRun:
    run.finished_at = clock.now()
    if fatal:
        run.message = fatal
    written = run.created + run.updated + run.unchanged
    if fatal and not written:
        run.status = RunStatus.FAILED
    elif fatal or run.failed:
        run.status = RunStatus.PARTIAL
    else:
        run.status = RunStatus.OK
    return run


MAX_PAGES = 10_000


def harvest_url(session: Session, run: HarvestRun, url: str, *, allow_private: bool) -> HarvestRun:
    """Harvest a URL and every page its Hydra links lead to; a page that fails ends the run."""
    seen: set[str] = set()
    page: str | None = url
    fatal = None
    while page and page not in seen and len(seen) < MAX_PAGES:
        seen.add(page)
        try:
            graph = harvest_fetch.parse_document(
                harvest_fetch.fetch(page, allow_private=allow_private)
            )
        except DatiError as exc:
            fatal = _("Page {url}: {reason}", url=page, reason=exc.detail)
            break
        page = harvest_graph(session, run, graph).next_page
    return finish(run, fatal)


def harvest_document(
    session: Session, run: HarvestRun, document: harvest_fetch.Document
) -> HarvestRun:
    try:
        graph = harvest_fetch.parse_document(document)
    except DatiError as exc:
        return finish(run, exc.detail)
    harvest_graph(session, run, graph)
    return finish(run)
