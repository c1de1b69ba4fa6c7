"""The data API: rows of a resource's current version, key lookups, versions and publishing."""

from __future__ import annotations

import hashlib
import json
import shutil
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile, status
from fastapi.responses import FileResponse, Response, StreamingResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from dati.auth.actor import Actor
from dati.config import Settings
from dati.exchange import export, governed, service
from dati.exchange.query import cursor_version, encode_cursor
from dati.exchange.schemas import PublishRead, RetentionRead, RetentionUpdate, RowsPage, VersionRead
from dati.exchange.service import Dataset, SourceSpec
from dati.web.deps import (
    AppSettings,
    CurrentActor,
    DbSession,
    current_actor,
    get_session,
    get_settings,
)

router = APIRouter(prefix="/data", tags=["data"])

RESERVED = {"fields", "sort", "cursor", "limit", "format", "count", "version", "lang", "agreement"}
MEDIA = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
}


def _request_context(request: Request) -> tuple[Session, Actor, Settings]:
    """Session, actor and settings without dependency injection.

    The read routes are async and resolve these inline: the short metadata queries cost less
    than the several thread-pool hops that sync dependencies take, which dominated a key
    lookup's latency under load (see bench/RESULTS.md). Engine work runs in the thread pool.
    """
    session = get_session(request)
    return session, current_actor(request, session), get_settings(request)


def _field_list(fields: str | None) -> tuple[str, ...]:
    return tuple(f.strip() for f in (fields or "").split(",") if f.strip())


def _plan(request: Request, name: str, **params: Any) -> governed.Read:
    """The decided read, with the transaction ended before engine work.

    Nothing was changed (expire_on_commit is off, so the loaded records stay usable); ending
    it returns the connection to the pool, which concurrent requests waiting on DuckDB would
    otherwise exhaust. Logging a governed read opens its own short transaction later.
    """
    session, actor, settings = _request_context(request)
    read = governed.plan_read(
        session=session,
        actor=actor,
        name=name,
        store=service.store_for(settings),
        secret=settings.effective_secret_key,
        **params,
    )
    _end_reads(session)
    return read


def _end_reads(session: Session) -> None:
    if session.in_transaction():  # cached metadata may have spared it one
        session.commit()


def _validators(request: Request, dataset: Dataset) -> tuple[str, str, bool]:
    """ETag, Last-Modified, and whether the client's copy is still fresh (answer 304)."""
    version = dataset.version
    variant = hashlib.sha256(str(request.url.query).encode()).hexdigest()[:12]
    etag = f'W/"{version.sha256[:20]}-{version.number}-{variant}"'
    modified = format_datetime(version.created_at.replace(microsecond=0), usegmt=True)
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        return (
            etag,
            modified,
            etag in [t.strip() for t in if_none_match.split(",")] or if_none_match.strip() == "*",
        )
    since = request.headers.get("if-modified-since")
    if since:
        try:
            return (
                etag,
                modified,
                version.created_at.replace(microsecond=0) <= parsedate_to_datetime(since),
            )
        except (TypeError, ValueError):
            pass
    return etag, modified, False


def _dumps(body: Any) -> bytes:
    return json.dumps(
        body, ensure_ascii=False, default=export.json_value, separators=(",", ":")
    ).encode()


@router.get(
    "/{resource_name}",
    response_model=RowsPage,
    summary="Rows of a dataset",
    description=(
        "Filter with `field=value` or `field__op=value` (op: eq, ne, lt, lte, gt, gte, in, "
        "contains); `in` takes comma-separated values. Sort with `sort=field,-other`. JSON is "
        "paged (`limit`, `next_cursor`); CSV and Parquet stream every matching row unless "
        "`limit` is given. ETag and Last-Modified allow conditional requests."
    ),
    responses={200: {"content": {"text/csv": {}, "application/vnd.apache.parquet": {}}}},
)
async def read_rows(
    resource_name: str,
    request: Request,
    fields: str | None = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int | None, Query(ge=1, le=10000)] = None,
    format: Literal["json", "csv", "parquet"] = "json",
    count: bool = False,
    version: int | None = None,
    agreement: Annotated[
        str | None, Query(description="The agreement to read under, when several cover it.")
    ] = None,
) -> Response:
    cursor = governed.open_cursor(get_settings(request).effective_secret_key, cursor)
    if cursor and version is None:
        version = cursor_version(cursor)  # a cursor keeps paging the version it started on
    paged = format == "json"
    read = _plan(
        request,
        resource_name,
        version=version,
        fields=fields,
        filters=[(k, v) for k, v in request.query_params.multi_items() if k not in RESERVED],
        sort=sort,
        cursor=cursor,
        limit=(limit or 100) if paged else limit,
        agreement=agreement,
    )
    dataset = read.dataset
    etag, modified, fresh = _validators(request, dataset)
    headers = {"ETag": etag, "Last-Modified": modified, "Cache-Control": "no-cache"}
    if fresh:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    if not paged:
        arrow_schema, batches = await run_in_threadpool(governed.export_batches, read)
        chunks = (
            export.csv_chunks(arrow_schema, batches)
            if format == "csv"
            else export.parquet_chunks(arrow_schema, batches)
        )
        name = f"{dataset.resource.name}-v{dataset.version.number}.{format}"
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return StreamingResponse(chunks, media_type=MEDIA[format], headers=headers)
    page = await run_in_threadpool(governed.read_page, read)
    # Logging a governed read writes to the database: off the event loop.
    rows = await run_in_threadpool(governed.serve_page, read, page) if read.governed else page.rows
    next_cursor = (
        encode_cursor(dataset.version.number, page.next_after) if page.next_after else None
    )
    body = {
        "resource": dataset.resource.name,
        "version": dataset.version.number,
        "fields": governed.columns(read),
        "rows": rows,
        "next_cursor": governed.seal_cursor(read, next_cursor),
    }
    if count:
        body["total"] = await run_in_threadpool(service.count_rows, dataset, read.query)
    return Response(_dumps(body), media_type=MEDIA["json"], headers=headers)


@router.get(
    "/{resource_name}/rows/{key}", summary="One row by primary key (parts joined by commas)"
)
async def read_row(
    resource_name: str,
    key: str,
    request: Request,
    fields: str | None = None,
    version: int | None = None,
    agreement: str | None = None,
) -> Response:
    # Usually answered before routing by lookup_route.KeyLookupMiddleware, with the same code.
    return await lookup_response(
        request, resource_name, key, fields=fields, version=version, agreement=agreement
    )


async def lookup_response(
    request: Request,
    resource_name: str,
    key: str,
    *,
    fields: str | None,
    version: int | None,
    agreement: str | None,
) -> Response:
    """The answer to a key lookup: the row as the caller may see it, or 304."""
    session, actor, settings = _request_context(request)
    parts = key.split(",")
    read = await governed.plan_lookup_async(
        session=session,
        actor=actor,
        name=resource_name,
        store=service.store_for(settings),
        secret=settings.effective_secret_key,
        key=parts,
        version=version,
        fields=fields,
        agreement=agreement,
    )
    _end_reads(session)
    etag, modified, fresh = _validators(request, read.dataset)
    headers = {"ETag": etag, "Last-Modified": modified, "Cache-Control": "no-cache"}
    if fresh:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    found = governed.lookup(read, parts)
    row = await governed.serve_row_async(read, parts, found)
    return Response(_dumps(row), media_type=MEDIA["json"], headers=headers)


@router.get(
    "/{resource_name}/versions",
    response_model=list[VersionRead],
    summary="Published versions, newest first",
)
def list_versions(resource_name: str, session: DbSession, actor: CurrentActor) -> list[VersionRead]:
    _resource, versions = service.list_versions(session=session, actor=actor, name=resource_name)
    return [VersionRead.of(v) for v in versions]


@router.post(
    "/{resource_name}/versions",
    response_model=PublishRead,
    status_code=status.HTTP_201_CREATED,
    summary="Publish a file as a new version (replace, append or upsert)",
)
def publish_version(
    resource_name: str,
    session: DbSession,
    actor: CurrentActor,
    settings: AppSettings,
    file: Annotated[UploadFile, File(description="CSV, XLSX, JSON, NDJSON or Parquet")],
    mode: Annotated[Literal["replace", "append", "upsert"], Form()] = "replace",
    quarantine: Annotated[bool, Form()] = False,
    delimiter: Annotated[str | None, Form(max_length=1)] = None,
) -> PublishRead:
    store = service.store_for(settings)
    filename = (file.filename or "upload.csv").rsplit("/", 1)[-1][-200:]
    upload = store.temp_path(".upload")
    try:
        with upload.open("wb") as out:
            shutil.copyfileobj(file.file, out, 1 << 20)
        result = service.publish_version(
            session=session,
            actor=actor,
            name=resource_name,
            source=SourceSpec(path=upload, name=filename, delimiter=delimiter or None),
            store=store,
            mode=mode,
            quarantine=quarantine,
        )
    finally:
        upload.unlink(missing_ok=True)
    return PublishRead(
        version=VersionRead.of(result.version),
        inferred_schema=result.inferred_schema,
        report=result.version.report,
    )


@router.post(
    "/{resource_name}/versions/{number}/rollback",
    response_model=VersionRead,
    status_code=status.HTTP_201_CREATED,
    summary="Serve an earlier version again",
)
def rollback(
    resource_name: str, number: int, session: DbSession, actor: CurrentActor
) -> VersionRead:
    return VersionRead.of(
        service.rollback(session=session, actor=actor, name=resource_name, number=number)
    )


@router.put(
    "/{resource_name}/retention",
    response_model=RetentionRead,
    summary="Set how many versions keep their data",
)
def set_retention(
    resource_name: str, data: RetentionUpdate, session: DbSession, actor: CurrentActor
) -> RetentionRead:
    policy = service.set_retention(
        session=session,
        actor=actor,
        name=resource_name,
        keep_versions=data.keep_versions,
        keep_days=data.keep_days,
    )
    return RetentionRead.model_validate(policy)


@router.get(
    "/{resource_name}/versions/{number}/refused",
    summary="Rows refused when a version was published (CSV)",
    response_class=FileResponse,
)
def refused_rows(
    resource_name: str, number: int, session: DbSession, actor: CurrentActor, settings: AppSettings
) -> FileResponse:
    name, path = service.quarantine_file(
        session=session,
        actor=actor,
        name=resource_name,
        number=number,
        store=service.store_for(settings),
    )
    return FileResponse(path, media_type=MEDIA["csv"], filename=name)
