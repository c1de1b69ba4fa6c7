"""Scheduled harvest sources and the reports of harvest runs.

A source is due when its ``next_run_at`` has passed. Several app nodes may run the job at
once, so a source is claimed first by moving its next run forward in a conditional update
that only one of them can win.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from dati import clock
from dati.auth.actor import Actor, Role
from dati.auth.permissions import require
from dati.errors import Invalid, NotFound
from dati.i18n import gettext as _
from dati.interop import harvest_fetch, harvest_runs
from dati.interop.models import HarvestRun, HarvestSource
from dati.interop.permissions import (
    CHANGE_SOURCE,
    MANAGE_SOURCES,
    RUN_DUE,
    VIEW_HARVEST_RECORD,
    VIEW_HARVESTS,
)
from dati.interop.schemas import HarvestSourceCreate, HarvestSourceUpdate
from dati.orgs import service as orgs_service


def _visible(actor: Actor, stmt: Select[Any], org_column: Any) -> Select[Any]:
    """Admins see every institution's; stewards their own institutions'."""
    if actor.is_admin:
        return stmt
    return stmt.where(org_column.in_(actor.org_ids(Role.STEWARD)))


def list_sources(*, session: Session, actor: Actor) -> list[HarvestSource]:
    """The harvest sources of the actor's institutions (all of them for an admin)."""
    require(actor, VIEW_HARVESTS)
    stmt = select(HarvestSource).order_by(HarvestSource.title)
    return list(session.scalars(_visible(actor, stmt, HarvestSource.org_id)))


def _source(session: Session, source_id: int) -> HarvestSource:
    source = session.get(HarvestSource, source_id)
    if source is None:
        raise NotFound(_("No such harvest source."))
    return source


def get_source(*, session: Session, actor: Actor, source_id: int) -> HarvestSource:
    source = _source(session, source_id)
    require(actor, VIEW_HARVEST_RECORD, source)
    return source


def _check(title: str, url: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Enter a title.")
    try:
        harvest_fetch.check_url(url.strip(), allow_private=False, resolve=False)
    except Invalid as exc:
        errors["url"] = exc.detail
    return errors


def create_source(*, session: Session, actor: Actor, data: HarvestSourceCreate) -> HarvestSource:
    """Register a catalogue URL to harvest regularly; it is due at once."""
    org = orgs_service.find_by_short_name(session, data.org) if data.org else None
    if org is None:
        raise Invalid(_("Choose an institution."), errors={"org": _("Unknown organisation.")})
    require(actor, MANAGE_SOURCES, org.id)
    errors = _check(data.title, data.url)
    if errors:
        raise Invalid(_("The harvest source has errors; nothing was saved."), errors=errors)
    source = HarvestSource(
        title=data.title.strip(),
        url=data.url.strip(),
        org_id=org.id,
        interval_hours=data.interval_hours,
        enabled=data.enabled,
        next_run_at=clock.now(),
        created_by=actor.name,
    )
    session.add(source)
    session.flush()
    return source


def update_source(
    *, session: Session, actor: Actor, source_id: int, data: HarvestSourceUpdate
) -> HarvestSource:
    """Change a source's title, address, interval or whether it runs."""
    source = _source(session, source_id)
    require(actor, CHANGE_SOURCE, source)
    changes = data.model_dump(exclude_unset=True)
    errors = _check(changes.get("title", source.title) or "", changes.get("url", source.url) or "")
    if errors:
        raise Invalid(_("The harvest source has errors; nothing was saved."), errors=errors)
    for key, value in changes.items():
        setattr(source, key, value.strip() if isinstance(value, str) else value)
    session.flush()
    return source


def delete_source(*, session: Session, actor: Actor, source_id: int) -> None:
    """Stop harvesting a source; what it brought in stays in the catalogue."""
    source = _source(session, source_id)
    require(actor, CHANGE_SOURCE, source)
    session.delete(source)
    session.flush()


def run_source(*, session: Session, actor: Actor, source_id: int) -> HarvestRun:
    """Harvest a source now (a steward's "run now", or the scheduled job)."""
    source = _source(session, source_id)
    require(actor, CHANGE_SOURCE, source)
    now = clock.now()
    source.last_run_at = now
    source.next_run_at = now + timedelta(hours=source.interval_hours)
    run = harvest_runs.start(session, source.org, source.url, actor, source.id)
    try:
        harvest_fetch.check_url(source.url, allow_private=False)
    except Invalid as exc:
        return harvest_runs.finish(run, exc.detail)
    return harvest_runs.harvest_url(session, run, source.url, allow_private=False)


def claim_due(*, session: Session, actor: Actor, now: datetime | None = None) -> list[int]:
    """Claim the enabled sources whose next run has passed; returns their ids.

    Each claim moves ``next_run_at`` forward only if nobody else moved it first, so two
    nodes running the job at the same time never harvest the same source twice.
    """
    require(actor, RUN_DUE)
    now = now or clock.now()
    due = session.execute(
        select(HarvestSource.id, HarvestSource.next_run_at, HarvestSource.interval_hours).where(
            HarvestSource.enabled.is_(True), HarvestSource.next_run_at <= now
        )
    ).all()
    claimed = []
    for source_id, planned, hours in due:
        result = session.execute(
            update(HarvestSource)
            .where(HarvestSource.id == source_id, HarvestSource.next_run_at == planned)
            .values(next_run_at=now + timedelta(hours=hours))
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append(source_id)
    return claimed


def list_runs(
    *, session: Session, actor: Actor, source_id: int | None = None, limit: int = 50
) -> list[HarvestRun]:
    """The latest harvest runs the actor may see, newest first."""
    require(actor, VIEW_HARVESTS)
    stmt = select(HarvestRun).order_by(HarvestRun.started_at.desc(), HarvestRun.id.desc())
    if source_id is not None:
        stmt = stmt.where(HarvestRun.source_id == source_id)
    return list(session.scalars(_visible(actor, stmt, HarvestRun.org_id).limit(limit)))


def get_run(*, session: Session, actor: Actor, run_id: int) -> HarvestRun:
    """One run's report with its per-dataset errors and warnings."""
    run = session.get(HarvestRun, run_id)
    if run is None:
        raise NotFound(_("No such harvest run."))
    require(actor, VIEW_HARVEST_RECORD, run)
    return run
