"""Exchange operations: publish a version, list and roll back versions, retention, read data.

Files are written before the version row is flushed and become visible when the caller
commits; see ``storage`` for why a crash at any moment leaves the previous version served.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer, lazyload, load_only

from dati import clock
from dati.auth.actor import Actor
from dati.auth.permissions import require
from dati.catalog import service as catalog_service
from dati.catalog.models import Resource
from dati.config import Settings
from dati.db.hot import HotCache
from dati.errors import Conflict, Invalid, NotFound
from dati.exchange import inference, readers, tables
from dati.exchange.agreements import gateway
from dati.exchange.agreements.conditions import Condition
from dati.exchange.agreements.services import access
from dati.exchange.fields import CompiledSchema, compile_schema, schema_signature
from dati.exchange.ingest import ingest
from dati.exchange.models import DatasetVersion, Operation, RetentionPolicy
from dati.exchange.permissions import (
    BROWSE_DATA,
    MANAGE_VERSIONS,
    PUBLISH_VERSION,
    READ_DATA,
    VIEW_QUARANTINE,
)
from dati.exchange.query import Filter, Page, Query, Reader
from dati.exchange.storage import DatasetStore
from dati.i18n import gettext as _

MIN_KEEP_VERSIONS = 2  # the previous version must survive until the new one has committed


def store_for(settings: Settings) -> DatasetStore:
    return DatasetStore(settings.data_dir / "exchange")


_reader: Reader | None = None


def reader() -> Reader:
    """The process's DuckDB reader (versions are immutable, so its caches are always right)."""
    global _reader
    if _reader is None:
        _reader = Reader()
    return _reader


@dataclass(frozen=True)
class SourceSpec:
    """Where the data comes from: a file (format from its name unless given) or a database table."""

    path: Path | None = None
    url: str | None = None
    table: str | None = None
    format: str | None = None
    delimiter: str | None = None
    encoding: str | None = None
    name: str = ""

    def open(self, progress: readers.Progress | None = None) -> readers.Source:
        if self.url is not None:
            if not self.table:
                raise Invalid(_("Name the table to read."), errors={"table": _("Required.")})
            return tables.open_table(self.url, self.table, progress=progress)
        if self.path is None:
            raise Invalid(_("Choose a file to publish."), errors={"file": _("Required.")})
        source = readers.open_file(
            self.path,
            format=self.format or readers._format_from_name(self.name or self.path.name),
            delimiter=self.delimiter,
            encoding=self.encoding,
            progress=progress,
        )
        source.name = self.name or source.name
        return source


@dataclass(frozen=True)
class ReadRequest:
    """What ``authorise_read`` decides on: who wants which fields, filters, sort order and
    version of which resource, under which agreement (when the caller names one)."""

    session: Session
    resource: Resource
    fields: tuple[str, ...] = ()
    filters: tuple[Filter, ...] = ()
    sort: tuple[str, ...] = ()
    version: int | None = None
    latest_version: int | None = None
    agreement: str | None = None
    # Required: pseudonyms and the audit seals are keyed with it, and an empty one forges both.
    secret: str = field(kw_only=True)


def authorise_read(actor: Actor, request: ReadRequest) -> access.Grant:
    """The one rule for reading a dataset's rows, in every format and export.

    Open resources without personal data are public; an institution's staff read its own
    resources; anyone else reads a resource only as a recipient under an agreement in force,
    and then only its fields and rows, pseudonymised as agreed and within its daily quotas
    (``dati.exchange.agreements.gateway``). A refusal raises 401, 403 or 429 with the reason;
    every read of data that is not open is logged in the audit chain.
    """
    return access.authorise(
        session=request.session,
        actor=actor,
        resource=request.resource,
        request=_gateway_request(request),
        secret=request.secret,
    )


async def authorise_read_async(actor: Actor, request: ReadRequest) -> access.Grant:
    """``authorise_read`` for a coroutine: the same decision, and a refusal is logged without
    blocking the event loop."""
    return await access.authorise_async(
        session=request.session,
        actor=actor,
        resource=request.resource,
        request=_gateway_request(request),
        secret=request.secret,
    )


def _gateway_request(request: ReadRequest) -> gateway.ReadRequest:
    return gateway.ReadRequest(
        fields=request.fields,
        filters=tuple(Condition(f.field, f.op, f.values) for f in request.filters),
        sort=request.sort,
        version=request.version,
        latest_version=request.latest_version,
        agreement=request.agreement,
    )


def may_read(session: Session, actor: Actor, resource: Resource) -> bool:
    """Whether ``actor`` may read anything of ``resource`` now (listings; nothing is logged)."""
    return access.check(session, actor, resource).allowed


def readable(session: Session, actor: Actor, resource: Resource) -> None:
    """Raise the gateway's refusal unless ``actor`` may read something of ``resource``; for
    metadata (versions, listings) that shows no rows, so nothing is logged."""
    decision = access.check(session, actor, resource)
    if not decision.allowed:
        raise access.refusal(decision)


@dataclass
class PublishResult:
    version: DatasetVersion
    inferred_schema: bool = False
    warnings: list[str] = field(default_factory=list)


def publish_version(
    *,
    session: Session,
    actor: Actor,
    name: str,
    source: SourceSpec,
    store: DatasetStore,
    mode: str = "replace",
    quarantine: bool = False,
    progress: readers.Progress | None = None,
) -> PublishResult:
    """Validate ``source`` against the resource's Table Schema and publish it as a new version.

    A resource without a schema gets one inferred from the data. Invalid rows refuse the
    whole publish unless ``quarantine``, which publishes the valid rows and keeps the rest
    in a downloadable file.
    """
    resource = catalog_service.find_resource(session, name)
    require(actor, PUBLISH_VERSION, resource)
    schema_dict = catalog_service.table_schema(session, resource)
    inferred = False
    if not schema_dict.get("fields"):
        schema_dict = inference.infer_schema(source.open())
        catalog_service.set_table_schema(
            session=session, actor=actor, name=resource.name, schema=schema_dict
        )
        schema_dict = catalog_service.table_schema(session, resource)
        inferred = True
    schema = compile_schema(schema_dict)
    current = _current(session, resource.id)
    current_path = None
    if mode != "replace":
        if current is None:
            mode = "replace"  # nothing to extend yet: the first version is the whole file
        else:
            _check_same_schema(current, schema_dict)
            current_path = store.path(resource.id, current.file_name)
    outcome = ingest(
        source.open(progress), schema, store, mode=mode, current=current_path, quarantine=quarantine
    )
    number = (current.number if current else 0) + 1
    stored = store.publish(resource.id, outcome.file, number)
    bad_file = None
    if outcome.quarantine is not None and outcome.quarantined:
        bad_file = store.publish(resource.id, outcome.quarantine, number, kind="csv").file_name
    elif outcome.quarantine is not None:
        outcome.quarantine.unlink(missing_ok=True)
    version = DatasetVersion(
        resource_id=resource.id,
        number=number,
        operation=Operation(mode),
        file_name=stored.file_name,
        rows=stored.rows,
        size_bytes=stored.size,
        sha256=stored.sha256,
        table_schema=schema_dict,
        source_name=source.name[:300],
        based_on=current.number if current and mode != "replace" else None,
        rows_rejected=outcome.report.rows_invalid,
        quarantine_file=bad_file,
        report=outcome.report.as_dict(),
        created_by=actor.name[:200],
        created_by_user_id=actor.user_id,
    )
    _insert(session, version, store, [stored.file_name, bad_file])
    _apply_retention(session, store, resource.id)
    return PublishResult(version=version, inferred_schema=inferred)


def _insert(
    session: Session, version: DatasetVersion, store: DatasetStore | None, files: list[str | None]
) -> None:
    """Add the version row; a concurrent publish of the same number loses and leaves no file."""
    try:
        with session.begin_nested():
            session.add(version)
            session.flush()
    except IntegrityError:
        for name in files:
            if name and store is not None:
                store.remove(version.resource_id, name)
        raise Conflict(_("Someone published this dataset at the same moment; try again.")) from None


def _check_same_schema(current: DatasetVersion, schema: dict[str, Any]) -> None:
    if schema_signature(current.table_schema) != schema_signature(schema):
        message = _(
            "The table schema changed since version {number}; publish the whole file instead.",
            number=current.number,
        )
        raise Conflict(message, errors={"mode": message})


def _current(session: Session, resource_id: int, slim: bool = False) -> DatasetVersion | None:
    stmt = select(DatasetVersion)
    if slim:  # the large JSON columns load only if used
        stmt = stmt.options(defer(DatasetVersion.report), defer(DatasetVersion.table_schema))
    return session.scalars(
        stmt.where(DatasetVersion.resource_id == resource_id)
        .order_by(DatasetVersion.number.desc())
        .limit(1)
    ).first()


def current_version(session: Session, resource_id: int) -> DatasetVersion | None:
    """Internal lookup for callers that already checked their own permission."""
    return _current(session, resource_id)


def list_versions(
    *, session: Session, actor: Actor, name: str
) -> tuple[Resource, list[DatasetVersion]]:
    """A resource's versions, newest first."""
    resource = catalog_service.find_resource(session, name)
    require(actor, READ_DATA, resource)
    readable(session, actor, resource)
    versions = session.scalars(
        select(DatasetVersion)
        .where(DatasetVersion.resource_id == resource.id)
        .order_by(DatasetVersion.number.desc())
    )
    return resource, list(versions)


def list_datasets(*, session: Session, actor: Actor) -> list[tuple[Resource, DatasetVersion]]:
    """Resources with published data that the actor may read, with their current version."""
    require(actor, BROWSE_DATA)
    newest = (
        select(DatasetVersion.resource_id, func.max(DatasetVersion.number).label("number"))
        .group_by(DatasetVersion.resource_id)
        .subquery()
    )
    pairs = session.execute(
        select(Resource, DatasetVersion)
        .join(DatasetVersion, DatasetVersion.resource_id == Resource.id)
        .join(
            newest,
            (newest.c.resource_id == DatasetVersion.resource_id)
            & (newest.c.number == DatasetVersion.number),
        )
        .order_by(Resource.title_lv)
    ).all()
    return [(r, v) for r, v in pairs if may_read(session, actor, r)]


def _version(
    session: Session, resource: Resource, number: int | None, slim: bool = False
) -> DatasetVersion:
    if number is None:
        version = _current(session, resource.id, slim)
        if version is None:
            raise NotFound(_("No data has been published for {name} yet.", name=resource.name))
        return version
    version = session.scalars(
        select(DatasetVersion).where(
            DatasetVersion.resource_id == resource.id, DatasetVersion.number == number
        )
    ).first()
    if version is None:
        raise NotFound(
            _("Version {number} of {name} does not exist.", number=number, name=resource.name)
        )
    return version


def rollback(*, session: Session, actor: Actor, name: str, number: int) -> DatasetVersion:
    """Serve an earlier version again, as a new version that reuses its file."""
    resource = catalog_service.find_resource(session, name)
    require(actor, MANAGE_VERSIONS, resource)
    target = _version(session, resource, number)
    current = _current(session, resource.id)
    assert current is not None
    if target.files_removed_at is not None:
        raise Conflict(
            _("Version {number} is past the retention period; its data was removed.", number=number)
        )
    if target.id == current.id:
        raise Conflict(_("Version {number} is already the current version.", number=number))
    version = DatasetVersion(
        resource_id=resource.id,
        number=current.number + 1,
        operation=Operation.ROLLBACK,
        file_name=target.file_name,
        rows=target.rows,
        size_bytes=target.size_bytes,
        sha256=target.sha256,
        table_schema=target.table_schema,
        source_name=target.source_name,
        based_on=target.number,
        rows_rejected=0,
        report={},
        created_by=actor.name[:200],
        created_by_user_id=actor.user_id,
    )
    _insert(session, version, None, [])
    return version


def set_retention(
    *, session: Session, actor: Actor, name: str, keep_versions: int, keep_days: int
) -> RetentionPolicy:
    """How many versions keep their data, and for how long (the newest two always do)."""
    resource = catalog_service.find_resource(session, name)
    require(actor, MANAGE_VERSIONS, resource)
    errors = {}
    if not MIN_KEEP_VERSIONS <= keep_versions <= 1000:
        errors["keep_versions"] = _("Keep between {low} and 1000 versions.", low=MIN_KEEP_VERSIONS)
    if not 1 <= keep_days <= 36500:
        errors["keep_days"] = _("Keep versions between 1 and 36500 days.")
    if errors:
        raise Invalid(_("The retention policy has errors; nothing was changed."), errors=errors)
    policy = session.get(RetentionPolicy, resource.id) or RetentionPolicy(resource_id=resource.id)
    policy.keep_versions, policy.keep_days, policy.updated_at = (
        keep_versions,
        keep_days,
        clock.now(),
    )
    session.add(policy)
    session.flush()
    return policy


def _apply_retention(session: Session, store: DatasetStore, resource_id: int) -> int:
    """Remove files of versions beyond the policy that no kept version still uses."""
    policy = session.get(RetentionPolicy, resource_id)
    keep_versions = policy.keep_versions if policy else 10
    keep_days = policy.keep_days if policy else 365
    versions = list(
        session.scalars(
            select(DatasetVersion)
            .where(DatasetVersion.resource_id == resource_id)
            .order_by(DatasetVersion.number.desc())
        )
    )
    cutoff = clock.now() - timedelta(days=keep_days)
    kept = versions[: max(keep_versions, MIN_KEEP_VERSIONS)]
    kept += [
        v for v in versions[len(kept) :] if v.created_at >= cutoff and len(kept) < keep_versions
    ]
    in_use = {v.file_name for v in kept} | {v.quarantine_file for v in kept if v.quarantine_file}
    removed = 0
    for version in versions:
        if version in kept or version.files_removed_at is not None:
            continue
        for file_name in (version.file_name, version.quarantine_file):
            if file_name and file_name not in in_use:
                store.remove(resource_id, file_name)
        version.files_removed_at = clock.now()
        removed += 1
    session.flush()
    return removed


def quarantine_file(
    *, session: Session, actor: Actor, name: str, number: int, store: DatasetStore
) -> tuple[str, Path]:
    """The file of rows refused when version ``number`` was published (download name, path)."""
    resource = catalog_service.find_resource(session, name)
    require(actor, VIEW_QUARANTINE, resource)
    version = _version(session, resource, number)
    if not version.quarantine_file or version.files_removed_at is not None:
        raise NotFound(_("Version {number} has no refused rows to download.", number=number))
    return f"{resource.name}-v{number}-refused.csv", store.path(
        resource.id, version.quarantine_file
    )


# --- reading ------------------------------------------------------------------------------


@dataclass
class Dataset:
    """A readable version: what the API needs to answer, cache-validate and stream."""

    resource: Resource
    version: DatasetVersion
    path: Path
    schema: CompiledSchema
    latest: int | None = None  # the newest version's number (agreements may cover only it)
    grant: access.Grant | None = None  # the gateway's decision, once authorised


def open_dataset(
    *,
    session: Session,
    actor: Actor,
    name: str,
    store: DatasetStore,
    secret: str,
    version: int | None = None,
    fields: tuple[str, ...] = (),
) -> Dataset:
    """The current (or a named) version of a resource the actor may read, with the gateway's
    grant for reading ``fields`` of it (see ``governed`` for reads with filters)."""
    require(actor, READ_DATA, name)
    dataset = open_version(session, name, store, version)
    dataset.grant = authorise_read(
        actor,
        ReadRequest(
            session,
            dataset.resource,
            fields,
            version=version,
            latest_version=dataset.latest,
            secret=secret,
        ),
    )
    return dataset


def open_version(
    session: Session, name: str, store: DatasetStore, version: int | None = None
) -> Dataset:
    """A version's file and compiled schema, before any read decision (internal lookup: it
    reveals only catalogue metadata, which is public).

    This is the data API's hot path: the current version is read with the resource in one
    prebuilt statement, loading only the columns a read needs, and each version's compiled
    schema is reused (versions never change).
    """
    latest: int | None
    current = None if version is not None else _current_version(session, name)
    if current is not None:
        resource, chosen, schema = current
        if chosen is None:
            raise NotFound(_("No data has been published for {name} yet.", name=name))
        latest = chosen.number
    else:  # a named version, or a resource addressed by its numeric id
        resource = catalog_service.find_resource(session, name)
        chosen = _version(session, resource, version, slim=True)
        latest = _latest_number(session, resource.id)
        schema = None
    if chosen.files_removed_at is not None:
        raise NotFound(
            _(
                "Version {number} is past the retention period; its data was removed.",
                number=chosen.number,
            )
        )
    schema = schema or _schema_of(resource, chosen)
    return Dataset(resource, chosen, store.path(resource.id, chosen.file_name), schema, latest)


def _schema_of(resource: Resource, version: DatasetVersion) -> CompiledSchema:
    cache_key = (resource.id, version.file_name)  # file names are unique per written file
    schema = _compiled.get(cache_key)
    if schema is None:
        schema = compile_schema(version.table_schema)
        if len(_compiled) > 1024:
            _compiled.clear()
        _compiled[cache_key] = schema
    return schema


# A resource, its current version and that version's compiled schema, kept for CURRENT_TTL
# seconds per process (db.hot): reading them was half of a key lookup's time. Loaded in a
# session of their own and detached, so no request's rollback can expire them under others.
CURRENT_TTL = 1.0
_Current = tuple[Resource, DatasetVersion | None, CompiledSchema | None]
_current_versions: HotCache[_Current] = HotCache(Resource, DatasetVersion, ttl=CURRENT_TTL)


def _current_version(session: Session, name: str) -> _Current | None:
    current = _current_versions.get(session, name)
    if current is None:
        with Session(bind=session.get_bind(), join_transaction_mode="create_savepoint") as own:
            row = own.execute(_CURRENT, {"name": name}).first()
            if row is None:
                return None
            resource, chosen = row
            schema = _schema_of(resource, chosen) if chosen is not None else None
        current = (resource, chosen, schema)
        _current_versions.put(session, name, current)
    return current


# Built once: constructing and caching a statement per request cost more than running it.
_CURRENT = (
    select(Resource, DatasetVersion)
    .outerjoin(DatasetVersion, DatasetVersion.resource_id == Resource.id)
    .options(
        lazyload(Resource.owner),
        load_only(
            Resource.id,
            Resource.name,
            Resource.owner_org_id,
            Resource.access_rights,
            Resource.personal_data,
        ),
        defer(DatasetVersion.report),
        defer(DatasetVersion.table_schema),
    )
    .where(Resource.name == bindparam("name"))
    .order_by(DatasetVersion.number.desc())
    .limit(1)
)


def _latest_number(session: Session, resource_id: int) -> int | None:
    return session.scalar(
        select(func.max(DatasetVersion.number)).where(DatasetVersion.resource_id == resource_id)
    )


_compiled: dict[tuple[int, str], CompiledSchema] = {}


def read_page(dataset: Dataset, query: Query) -> Page:
    return reader().page(dataset.path, dataset.schema, query)


def count_rows(dataset: Dataset, query: Query) -> int:
    return reader().count(dataset.path, dataset.schema, query.filters)


def version_count(session: Session, resource_id: int) -> int:
    return (
        session.scalar(select(func.count()).where(DatasetVersion.resource_id == resource_id)) or 0
    )


def cleanup_orphans(
    store: DatasetStore, session: Session, resource_id: int, min_age: timedelta = timedelta(hours=1)
) -> list[Path]:
    """Delete files a crash left behind: no version row refers to them and they are old enough
    not to belong to a publish another process has not committed yet."""
    referenced: set[str] = set()
    for file_name, bad in session.execute(
        select(DatasetVersion.file_name, DatasetVersion.quarantine_file).where(
            DatasetVersion.resource_id == resource_id
        )
    ):
        referenced |= {file_name, bad or file_name}
    cutoff = (clock.now() - min_age).timestamp()
    orphans = [p for p in store.orphans(resource_id, referenced) if p.stat().st_mtime < cutoff]
    for path in orphans:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    return orphans
