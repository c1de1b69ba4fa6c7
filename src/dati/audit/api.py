"""JSON routes of the audit log: entries, CSV export, verification, checkpoints, keys,
access times and the citizen's own accesses."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import StreamingResponse

from dati.audit import service
from dati.audit.schemas import (
    AccessTimes,
    CheckpointRead,
    CitizenAccess,
    EntryFilter,
    EntryPage,
    PlatformKeyRead,
    ProblemRead,
    VerifyRead,
)
from dati.web.deps import AppSettings, CurrentActor, DbSession

router = APIRouter(prefix="/audit", tags=["audit"])

Filters = Annotated[EntryFilter, Query()]


@router.get("/entries", response_model=EntryPage)
def list_entries(
    session: DbSession,
    actor: CurrentActor,
    settings: AppSettings,
    filters: Filters,
    before: int | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> EntryPage:
    page = service.list_entries(
        session=session,
        actor=actor,
        filters=filters,
        secret=settings.effective_secret_key,
        before=before,
        limit=limit,
    )
    return EntryPage(entries=page.entries, next_before=page.next_before)


@router.get(
    "/entries.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "The filtered log as CSV."}},
)
def export_entries(
    session: DbSession, actor: CurrentActor, settings: AppSettings, filters: Filters
) -> StreamingResponse:
    rows = service.export_entries_csv(
        session=session, actor=actor, filters=filters, secret=settings.effective_secret_key
    )
    return StreamingResponse(
        rows,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
    )


@router.get("/verification", response_model=VerifyRead)
def verify(session: DbSession, actor: CurrentActor, settings: AppSettings) -> VerifyRead:
    report = service.verify_log(session=session, actor=actor, secret=settings.effective_secret_key)
    return VerifyRead(
        ok=report.ok,
        entries=report.entries,
        checkpoints=report.checkpoints,
        last_seq=report.last_seq,
        last_hash=report.last_hash,
        macs_checked=report.macs_checked,
        problems=[ProblemRead(**vars(p)) for p in report.problems],
    )


@router.get("/checkpoints", response_model=list[CheckpointRead])
def list_checkpoints(session: DbSession, actor: CurrentActor) -> list[CheckpointRead]:
    return [
        CheckpointRead.model_validate(c)
        for c in service.list_checkpoints(session=session, actor=actor)
    ]


@router.post(
    "/checkpoints",
    response_model=CheckpointRead | None,
    status_code=status.HTTP_201_CREATED,
)
def sign_checkpoint(
    session: DbSession, actor: CurrentActor, settings: AppSettings
) -> CheckpointRead | None:
    checkpoint = service.sign_checkpoint(
        session=session, actor=actor, secret=settings.effective_secret_key
    )
    return CheckpointRead.model_validate(checkpoint) if checkpoint else None


@router.get("/keys", response_model=list[PlatformKeyRead])
def list_platform_keys(session: DbSession, actor: CurrentActor) -> list[PlatformKeyRead]:
    return [
        PlatformKeyRead.model_validate(k)
        for k in service.list_platform_keys(session=session, actor=actor)
    ]


@router.get("/access-times", response_model=AccessTimes)
def access_times(
    session: DbSession,
    actor: CurrentActor,
    days: Annotated[int, Query(ge=1, le=366)] = 30,
    resource: str | None = None,
    recipient: Annotated[
        str | None, Query(description="Recipient organisation's short name, e.g. VSAA.")
    ] = None,
) -> AccessTimes:
    return service.access_times(
        session=session, actor=actor, days=days, resource=resource, recipient=recipient
    )


@router.get("/me/accesses", response_model=list[CitizenAccess])
def my_accesses(
    session: DbSession, actor: CurrentActor, settings: AppSettings
) -> list[CitizenAccess]:
    return service.my_accesses(session=session, actor=actor, secret=settings.effective_secret_key)
