"""Reads under the agreements gateway, for every format: JSON pages, key lookups, CSV and
Parquet exports and the dataset page's preview.

``plan_read`` asks ``service.authorise_read`` with the request's fields, filters, sort and
version, then rewrites the query the engine runs: the fields the decision reads, the request's
filters plus the agreement's row conditions, the limit within today's row allowance. The
``serve_*`` functions apply the decision to what the engine returned (a second, independent
check) and log the access before any row leaves. Open data takes the plain path, unlogged.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import pyarrow as pa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.orm import Session

from dati.audit import crypto
from dati.auth.actor import Actor
from dati.auth.permissions import require
from dati.errors import Invalid, NotFound
from dati.exchange import service
from dati.exchange.agreements import batches, gateway
from dati.exchange.agreements.services import access
from dati.exchange.permissions import READ_DATA
from dati.exchange.query import Filter, Page, Query, build_query
from dati.exchange.service import Dataset, ReadRequest
from dati.exchange.storage import DatasetStore
from dati.i18n import gettext as _

CURSOR_PURPOSE = b"dati/exchange/cursor/v1"
SEALED = "s."


@dataclass
class Read:
    """A decided read: the dataset, the query as the engine runs it, and the grant."""

    session: Session
    dataset: Dataset
    query: Query
    grant: access.Grant
    asked: tuple[Filter, ...]  # the request's own filters, for the audit log
    secret: str

    @property
    def governed(self) -> bool:
        return self.grant.audited


def plan_read(
    *,
    session: Session,
    actor: Actor,
    name: str,
    store: DatasetStore,
    secret: str,
    version: int | None = None,
    fields: str | None = None,
    filters: list[tuple[str, str]] | None = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = 100,
    agreement: str | None = None,
) -> Read:
    """Decide a read of rows and plan the engine's query within the decision."""
    require(actor, READ_DATA, name)
    dataset = service.open_version(session, name, store, version)
    query = build_query(
        dataset.schema, fields=fields, filters=filters, sort=sort, cursor=cursor, limit=limit
    )
    grant = _authorise(session, actor, dataset, query, version, agreement, secret)
    pinned = grant.decision.version
    if pinned is not None and pinned != dataset.version.number:
        # The agreement covers one version only: read that one.
        dataset = service.open_version(session, name, store, pinned)
        query = build_query(dataset.schema, fields=fields, filters=filters, sort=sort, limit=limit)
    dataset.grant = grant
    return Read(session, dataset, _within(query, grant.decision), grant, query.filters, secret)


def _authorise(
    session: Session,
    actor: Actor,
    dataset: Dataset,
    query: Query,
    version: int | None,
    agreement: str | None,
    secret: str,
) -> access.Grant:
    return service.authorise_read(
        actor, _read_request(session, dataset, query, version, agreement, secret)
    )


def _read_request(
    session: Session,
    dataset: Dataset,
    query: Query,
    version: int | None,
    agreement: str | None,
    secret: str,
) -> ReadRequest:
    return ReadRequest(
        session,
        dataset.resource,
        query.fields,
        query.filters,
        tuple(name for name, _descending in query.sort),
        version=version,
        latest_version=dataset.latest,
        agreement=agreement,
        secret=secret,
    )


def _within(query: Query, decision: gateway.Decision) -> Query:
    if decision.basis == gateway.OPEN:
        return query
    conditions = tuple(Filter(c.field, c.op, c.values) for c in decision.conditions)
    limit = query.limit
    if decision.row_allowance is not None:
        limit = decision.row_allowance if limit is None else min(limit, decision.row_allowance)
    return replace(
        query, fields=decision.read_fields, filters=query.filters + conditions, limit=limit
    )


def _asked(read: Read) -> list[list[Any]]:
    return [[f.field, f.op, list(f.values)] for f in read.asked]


@contextmanager
def counting_failures(read: Read) -> Iterator[None]:
    """A governed read that fails after it was granted counts as an error in the access times
    (the error rate per resource and recipient); the failure itself is raised on."""
    try:
        yield
    except Exception:
        if read.governed:
            access.record_failure(read.session, read.grant)
        raise


def read_page(read: Read) -> Page:
    """The engine's page for a decided read (failures counted)."""
    with counting_failures(read):
        return service.read_page(read.dataset, read.query)


def lookup(read: Read, key: list[str]) -> dict[str, Any] | None:
    """The engine's row for a decided key lookup (failures counted)."""
    with counting_failures(read):
        found: dict[str, Any] | None = service.reader().lookup(
            read.dataset.path, read.dataset.schema, key, read.query.fields
        )
        return found


def serve_page(read: Read, page: Page) -> list[dict[str, Any]]:
    """The page's rows as the caller may see them (logged when not open data)."""
    if not read.governed:
        return page.rows
    return access.serve_rows(
        read.session,
        read.grant,
        page.rows,
        version=read.dataset.version.number,
        filters=_asked(read),
        secret=read.secret,
    )


def columns(read: Read) -> list[str]:
    return list(read.grant.decision.return_fields or read.query.fields or read.dataset.schema.names)


# --- key lookups --------------------------------------------------------------------------------


def plan_lookup(
    *,
    session: Session,
    actor: Actor,
    name: str,
    store: DatasetStore,
    secret: str,
    key: list[str],
    version: int | None = None,
    fields: str | None = None,
    agreement: str | None = None,
) -> Read:
    """A lookup by primary key is a read filtered on the key: the agreement must let the
    caller filter by it (a pseudonymised key cannot be looked up)."""
    dataset, query = _lookup_query(session, actor, name, store, key, version, fields)
    grant = _authorise(session, actor, dataset, query, version, agreement, secret)
    return _planned(session, dataset, query, grant, secret)


async def plan_lookup_async(
    *,
    session: Session,
    actor: Actor,
    name: str,
    store: DatasetStore,
    secret: str,
    key: list[str],
    version: int | None = None,
    fields: str | None = None,
    agreement: str | None = None,
) -> Read:
    """``plan_lookup`` for a coroutine: a refusal is logged without blocking the event loop."""
    dataset, query = _lookup_query(session, actor, name, store, key, version, fields)
    grant = await service.authorise_read_async(
        actor, _read_request(session, dataset, query, version, agreement, secret)
    )
    return _planned(session, dataset, query, grant, secret)


def _lookup_query(
    session: Session,
    actor: Actor,
    name: str,
    store: DatasetStore,
    key: list[str],
    version: int | None,
    fields: str | None,
) -> tuple[Dataset, Query]:
    require(actor, READ_DATA, name)
    dataset = service.open_version(session, name, store, version)
    primary = dataset.schema.primary_key
    if not primary:
        raise Invalid(
            _("This dataset has no primary key, so rows cannot be looked up by key."),
            errors={"key": _("No primary key.")},
        )
    if len(key) != len(primary):
        raise Invalid(
            _(
                "The key has {count} part(s); expected {expected}.",
                count=len(key),
                expected=len(primary),
            ),
            errors={"key": _("Wrong number of parts.")},
        )
    query = build_query(
        dataset.schema, fields=fields, filters=list(zip(primary, key, strict=True)), limit=1
    )
    return dataset, query


def _planned(
    session: Session, dataset: Dataset, query: Query, grant: access.Grant, secret: str
) -> Read:
    dataset.grant = grant
    return Read(session, dataset, _within(query, grant.decision), grant, query.filters, secret)


def serve_row(read: Read, key: list[str], row: dict[str, Any] | None) -> dict[str, Any]:
    """The looked-up row as the caller may see it; 404 when absent or outside the agreement
    (the two are not told apart)."""
    if not read.governed:
        return _only(key, [row] if row is not None else [])
    served = access.serve_rows(
        read.session,
        read.grant,
        [row] if row is not None else [],
        version=read.dataset.version.number,
        filters=_asked(read),
        secret=read.secret,
    )
    return _only(key, served)


async def serve_row_async(read: Read, key: list[str], row: dict[str, Any] | None) -> dict[str, Any]:
    """``serve_row`` for a coroutine: the event loop serves other requests while the access is
    logged (``access.serve_rows_async``)."""
    if not read.governed:
        return serve_row(read, key, row)
    served = await access.serve_rows_async(
        read.session,
        read.grant,
        [row] if row is not None else [],
        version=read.dataset.version.number,
        filters=_asked(read),
        secret=read.secret,
    )
    return _only(key, served)


def _only(key: list[str], served: list[dict[str, Any]]) -> dict[str, Any]:
    if not served:
        raise NotFound(_("No row has the key {key}.", key=",".join(key)))
    return served[0]


# --- exports ------------------------------------------------------------------------------------


def export_batches(read: Read) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
    """Every permitted row for a CSV or Parquet export. A governed export is logged first, with
    its row count and the people in it (a first pass over the identifier columns), and its
    rows are counted against the quota before the stream starts."""
    reader = service.reader()
    dataset, query = read.dataset, read.query
    if not read.governed:
        return reader.stream(dataset.path, dataset.schema, query)
    decision = read.grant.decision

    def people(limit: int | None) -> tuple[int, set[str]]:
        needed = tuple(
            dict.fromkeys([*decision.identifier_fields, *(c.field for c in decision.conditions)])
        )
        if not needed:
            total = reader.count(dataset.path, dataset.schema, query.filters)
            return (total if limit is None else min(total, limit)), set()
        _schema, stream = reader.stream(
            dataset.path, dataset.schema, replace(query, fields=needed, limit=limit)
        )
        return batches.subjects_in(decision, stream, limit)

    with counting_failures(read):
        count, found = people(query.limit)
    served = access.record_access(
        read.session,
        read.grant,
        row_count=count,
        subjects=lambda n: found if n >= count else people(n)[1],
        version=dataset.version.number,
        filters=_asked(read),
        secret=read.secret,
    )
    with counting_failures(read):
        schema, stream = reader.stream(dataset.path, dataset.schema, replace(query, limit=served))
    return batches.output_schema(decision, schema), _counted(
        read, batches.enforce_batches(decision, stream, schema, served)
    )


def _counted(read: Read, stream: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The export's batches; a failure while streaming counts as an error."""
    with counting_failures(read):
        yield from stream


# --- cursors ------------------------------------------------------------------------------------


def seal_cursor(read: Read, cursor: str | None) -> str | None:
    """Under an agreement, a page cursor would carry the last row's key (perhaps a personal code
    the recipient sees only as a pseudonym), so it is encrypted for the platform alone."""
    if cursor is None or read.grant.decision.basis != gateway.AGREEMENT:
        return cursor
    nonce = os.urandom(12)
    sealed = AESGCM(crypto.derive_key(read.secret, CURSOR_PURPOSE)).encrypt(
        nonce, cursor.encode(), None
    )
    return SEALED + base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def open_cursor(secret: str, cursor: str | None) -> str | None:
    if not cursor or not cursor.startswith(SEALED):
        return cursor
    text = cursor[len(SEALED) :]
    try:
        blob = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return (
            AESGCM(crypto.derive_key(secret, CURSOR_PURPOSE))
            .decrypt(blob[:12], blob[12:], None)
            .decode()
        )
    except (InvalidTag, ValueError):
        raise Invalid(
            _("The cursor is not valid; start from the first page."),
            errors={"cursor": _("The cursor is not valid; start from the first page.")},
        ) from None
