"""Appending to the hash chain, and the platform's signed checkpoints.

Appends are serialised inside the caller's transaction by locking the single chain-head
row: ``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite a no-op UPDATE of the head takes the
database write lock, so a second process waits instead of reading a stale head.

SQLite cannot upgrade a transaction that has already read to a writer once another process
has committed since (SQLITE_BUSY_SNAPSHOT: "database is locked", no waiting). Actions that
already wrote hold the lock and append in their own transaction, atomically with the action.
Data reads, whose transaction has only read, append through ``write_transaction``: a short
transaction of its own whose first statement takes the lock, committed before data leaves.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from dati import clock
from dati.audit import crypto
from dati.audit.driver import DriverStatement
from dati.audit.models import (
    GENESIS_HASH,
    AuditChainHead,
    AuditCheckpoint,
    AuditEntry,
    AuditPlatformKey,
    AuditSubject,
)

HEAD_ID = 1
CHECKPOINT_EVERY = 1000  # entries
CHECKPOINT_INTERVAL = timedelta(hours=1)
MAC_PURPOSE = b"dati/audit/mac/v1"
SUBJECT_PURPOSE = b"dati/audit/subjects/v1"

# The columns the hash covers, in the order the verifier reads them.
HASHED_COLUMNS = (
    "at",
    "action",
    "actor_name",
    "actor_user_id",
    "token_id",
    "actor_org_id",
    "provider_org_id",
    "agreement_id",
    "agreement_version",
    "resource",
    "resource_version",
    "fields",
    "filter",
    "row_count",
    "subject_count",
    "subjects_digest",
    "outcome",
    "detail",
    "duration_us",
)


@dataclass
class Event:
    """What happened, before it gets its place in the chain."""

    action: str
    actor_name: str = ""
    actor_user_id: int | None = None
    token_id: int | None = None
    actor_org_id: int | None = None
    provider_org_id: int | None = None
    agreement_id: str | None = None
    agreement_version: int | None = None
    resource: str | None = None
    resource_version: int | None = None
    fields: list[str] = field(default_factory=list)
    filter: dict[str, Any] = field(default_factory=dict)
    row_count: int | None = None
    outcome: str = "ok"
    detail: str = ""
    duration_us: int | None = None
    # Personal codes of the people whose records were returned; only keyed hashes are stored.
    subjects: Iterable[str] = ()


def jsonable(value: Any) -> Any:
    """Filters hold typed values (dates, decimals); the log keeps their text form."""
    kind = type(value)
    if kind is str or kind is int or value is None:  # most values: every access logs a filter
        return value
    if kind is list:
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | bytes):
        return str(value)
    if isinstance(value, float) and value != value:  # NaN has no JSON form
        return None
    return value


def timestamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# The C JSON encoder is the fastest unambiguous way to serialise a row of texts and integers.
_encode_row = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), check_circular=False
).encode


def preimage(prev_hash: str, values: dict[str, Any]) -> bytes:
    """What an entry's hash covers: a JSON array of the previous hash and every hashed column
    (texts, integers or null; the time as ISO 8601 UTC). JSON columns are hashed as their stored
    canonical text, never re-serialised."""
    return preimage_of_row(prev_hash, [values[name] for name in HASHED_COLUMNS])


def preimage_of_row(prev_hash: str, row: Sequence[Any]) -> bytes:
    """``preimage`` for the hashed columns already in HASHED_COLUMNS order (the verifier's rows)."""
    at = row[0]  # HASHED_COLUMNS starts with the time; every other column is text or integer
    when = (at if at.tzinfo is UTC else at.astimezone(UTC)).isoformat()
    return _encode_row([prev_hash, when, *row[1:]]).encode("utf-8")


def entry_hash(prev_hash: str, values: dict[str, Any]) -> str:
    return hashlib.sha256(preimage(prev_hash, values)).hexdigest()


def entry_mac(secret: str, hash_: str) -> str:
    return crypto.keyed_hash(crypto.derive_key(secret, MAC_PURPOSE), hash_)


def subject_key(secret: str) -> bytes:
    return crypto.derive_key(secret, SUBJECT_PURPOSE)


def subject_hash(key: bytes, personal_code: str) -> str:
    from dati.lv_codes import normalise_personal_code

    return crypto.keyed_hash(key, normalise_personal_code(personal_code))


def subjects_digest(hashes: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(hashes)).encode("ascii")).hexdigest()


@dataclass
class Head:
    """The chain head as read under its lock."""

    seq: int
    hash: str
    checkpoint_seq: int
    checkpoint_at: datetime | None


@dataclass
class Appended:
    """An entry just appended: its place in the chain and the hashed columns' values."""

    id: int | None  # None until its shared write transaction inserts it
    seq: int
    prev_hash: str
    hash: str
    mac: str
    values: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["values"][name]
        except KeyError:
            raise AttributeError(name) from None


HEADS = cast(Table, AuditChainHead.__table__)
ENTRIES = cast(Table, AuditEntry.__table__)
SUBJECTS = cast(Table, AuditSubject.__table__)
# Built once: every data access runs them, and building a statement costs more than running it.
_LOCK_HEAD = (
    update(HEADS)
    .where(HEADS.c.id == HEAD_ID)
    .values(seq=HEADS.c.seq)
    .returning(HEADS.c.seq, HEADS.c.hash, HEADS.c.checkpoint_seq, HEADS.c.checkpoint_at)
)
_MOVE_HEAD = (
    update(HEADS)
    .where(HEADS.c.id == HEAD_ID)
    .values(
        seq=bindparam("new_seq"),
        hash=bindparam("new_hash"),
        checkpoint_seq=bindparam("new_checkpoint_seq"),
        checkpoint_at=bindparam("new_checkpoint_at"),
    )
)
_MOVE_HEAD_ROW = DriverStatement(_MOVE_HEAD)
_HEAD_KEY = "dati.audit.head"  # in a write_transaction's own session: the head it locked
_FLUSH_KEY = "dati.audit.flush"  # ... and what to write just before it commits


def before_commit(session: Session, key: str, flush: Callable[[Session], None]) -> bool:
    """In a ``write_transaction`` session, run ``flush`` once before it commits (the batch's
    totals: usage, access statistics); False elsewhere, where callers write at once."""
    hooks = session.info.get(_FLUSH_KEY)
    if hooks is None:
        return False
    hooks.setdefault(key, flush)
    return True


def lock_head(session: Session) -> Head:
    """The chain head, locked until the caller's transaction ends.

    One statement on both backends: the UPDATE takes PostgreSQL's row lock (or SQLite's write
    lock) and RETURNING reads the head under it. Inside ``write_transaction`` the head it locked
    is reused (that session lives for one transaction only).
    """
    cached = session.info.get(_HEAD_KEY)
    if cached is not None:
        return cast(Head, cached)
    # Core on the session's connection: the ORM's execute costs more than the statement.
    connection = session.connection()
    row = connection.execute(_LOCK_HEAD).first()
    if row is None:  # a database created before the migration seeded the head row
        connection.execute(
            insert(HEADS).values(id=HEAD_ID, seq=0, hash=GENESIS_HASH, checkpoint_seq=0)
        )
        row = connection.execute(_LOCK_HEAD).first()
        assert row is not None
    return Head(row[0], row[1], row[2], row[3])


@dataclass
class Known:
    """What one app process last committed under the head lock (kept by its log writer): the
    head it left and, per feature, the values it wrote. While the head is still where it left
    it, nobody else has written, so the values are current and need not be read again. Every
    change to them happens under the head lock together with an append (which moves the head),
    or is a pure increment of a counter that is never cached."""

    head: tuple[int, str] | None = None
    values: dict[str, dict[Any, Any]] = field(default_factory=dict)


_KNOWN_KEY = "dati.audit.known"
_DATABASE_KEY = "dati.audit.database"


def database(session: Session) -> Engine | Connection:
    """The database a session works on: what per-process caches are keyed by (a log writer's
    session runs on a connection of its own)."""
    found = session.info.get(_DATABASE_KEY)
    return cast(Engine | Connection, session.get_bind() if found is None else found)


def known(session: Session, name: str) -> dict[Any, Any] | None:
    """In a log writer's transaction, the feature's remembered values (valid, or emptied when
    the head moved); None elsewhere, where callers read what they need."""
    values = session.info.get(_KNOWN_KEY)
    return None if values is None else values.setdefault(name, {})


@contextmanager
def write_transaction(
    bind: Session | Connection,
    *,
    known: Known | None = None,
    database: Engine | Connection | None = None,
) -> Iterator[Session]:
    """A new session on the same database whose transaction starts by locking the chain head,
    committed when the block ends (rolled back on error). A caller's session is untouched;
    a connection (the log writer's, taken from ``database``) is used as it is.
    """
    # Bound to a connection in a transaction (the tests') it nests as a savepoint.
    with Session(
        bind=bind.get_bind() if isinstance(bind, Session) else bind,
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
    ) as own:
        own.info[_DATABASE_KEY] = own.get_bind() if database is None else database
        try:
            head = own.info[_HEAD_KEY] = lock_head(own)
            start = head.seq, head.checkpoint_seq
            if known is not None:
                if known.head != (head.seq, head.hash):
                    known.values.clear()
                own.info[_KNOWN_KEY] = known.values
            own.info[_FLUSH_KEY] = {}
            yield own
            for flush in own.info[_FLUSH_KEY].values():
                flush(own)
            if (head.seq, head.checkpoint_seq) != start:  # appended: move the head once
                _move_head(own, head)
            own.commit()
        except BaseException:
            if known is not None:
                known.head = None
                known.values.clear()
            own.rollback()
            raise
        if known is not None:
            known.head = (head.seq, head.hash)


def append(session: Session, event: Event, *, secret: str) -> Appended:
    """Add ``event`` at the end of the chain inside the caller's transaction.

    Plain SQL statements rather than ORM objects: every data access appends, so this is the
    gateway's hot path (lock and read the head, insert the entry and its subjects, move the head).
    """
    head = lock_head(session)
    skey = subject_key(secret)
    hashes = sorted({subject_hash(skey, code) for code in event.subjects if code})
    values: dict[str, Any] = {
        "at": clock.now(),
        "action": event.action,
        "actor_name": event.actor_name[:200],
        "actor_user_id": event.actor_user_id,
        "token_id": event.token_id,
        "actor_org_id": event.actor_org_id,
        "provider_org_id": event.provider_org_id,
        "agreement_id": event.agreement_id,
        "agreement_version": event.agreement_version,
        "resource": event.resource,
        "resource_version": event.resource_version,
        "fields": crypto.canonical_json([str(f) for f in event.fields]).decode("utf-8"),
        "filter": crypto.canonical_json(jsonable(event.filter)).decode("utf-8"),
        "row_count": event.row_count,
        "subject_count": len(hashes),
        "subjects_digest": subjects_digest(hashes) if hashes else None,
        "outcome": event.outcome,
        "detail": event.detail,
        "duration_us": event.duration_us,
    }
    prev, seq = head.hash, head.seq + 1
    hash_ = entry_hash(prev, values)
    mac = entry_mac(secret, hash_)
    row = {"seq": seq, "prev_hash": prev, "hash": hash_, "mac": mac, **values}
    entry_id: int | None = None
    if before_commit(session, "audit-entries", _insert_pending):
        # A shared write transaction inserts its batch's entries together, at the end.
        session.info.setdefault(_ROWS_KEY, []).append((row, hashes))
    else:
        entry_id = session.execute(
            insert(ENTRIES).values(**row).returning(ENTRIES.c.id)
        ).scalar_one()
        if hashes:
            session.execute(
                insert(SUBJECTS), [{"entry_id": entry_id, "subject": h} for h in hashes]
            )
    head.seq, head.hash = seq, hash_
    if _checkpoint_due(head, values["at"]):
        _sign_checkpoint(session, head, secret, values["at"])
    if _HEAD_KEY not in session.info:  # a write_transaction moves the head once, at the end
        _move_head(session, head)
    return Appended(entry_id, seq, prev, hash_, mac, values)


_ROWS_KEY = "dati.audit.rows"
_INSERT_ENTRY_ROWS = DriverStatement(
    insert(ENTRIES), [column.key for column in ENTRIES.c if column.key != "id"]
)
# A subject names its entry by id; the batch's entries are found by their (unique) seq, so
# they can be inserted without returning their ids.
_INSERT_SUBJECTS_BY_SEQ = DriverStatement(
    insert(SUBJECTS).from_select(
        ["entry_id", "subject"],
        select(ENTRIES.c.id, bindparam("subject", type_=SUBJECTS.c.subject.type)).where(
            ENTRIES.c.seq == bindparam("entry_seq")
        ),
    )
)


def _insert_pending(session: Session) -> None:
    """The batch's entries in one executemany insert, then all their subjects in another."""
    pending = session.info.pop(_ROWS_KEY, [])
    if not pending:
        return
    connection = session.connection()
    _INSERT_ENTRY_ROWS.execute(connection, [row for row, _hashes in pending])
    subjects = [{"entry_seq": row["seq"], "subject": h} for row, hashes in pending for h in hashes]
    _INSERT_SUBJECTS_BY_SEQ.execute(connection, subjects)


def _move_head(session: Session, head: Head) -> None:
    _MOVE_HEAD_ROW.execute(
        session.connection(),
        [
            {
                "new_seq": head.seq,
                "new_hash": head.hash,
                "new_checkpoint_seq": head.checkpoint_seq,
                "new_checkpoint_at": head.checkpoint_at,
            }
        ],
    )


def _checkpoint_due(head: Head, now: datetime) -> bool:
    if head.seq - head.checkpoint_seq >= CHECKPOINT_EVERY:
        return True
    return head.checkpoint_at is None or now - head.checkpoint_at >= CHECKPOINT_INTERVAL


def checkpoint_message(seq: int, hash_: str, at: datetime, key_fingerprint: str) -> bytes:
    return crypto.canonical_json(
        {
            "type": "dati.audit.checkpoint",
            "seq": seq,
            "hash": hash_,
            "at": timestamp(at),
            "key": key_fingerprint,
        }
    )


def platform_key(session: Session, secret: str) -> AuditPlatformKey:
    """The current checkpoint key, created on first use."""
    key = session.scalars(
        select(AuditPlatformKey)
        .where(AuditPlatformKey.retired_at.is_(None))
        .order_by(AuditPlatformKey.id.desc())
    ).first()
    if key is None:
        sealed = crypto.new_sealed_key(secret)
        key = AuditPlatformKey(
            fingerprint=sealed.fingerprint,
            public_key=sealed.public_key,
            sealed_private_key=sealed.sealed_private_key,
            created_at=clock.now(),
        )
        session.add(key)
        session.flush()
    return key


def _sign_checkpoint(session: Session, head: Head, secret: str, at: datetime) -> AuditCheckpoint:
    key = platform_key(session, secret)
    private = crypto.open_sealed_key(secret, key.sealed_private_key, key.fingerprint)
    checkpoint = AuditCheckpoint(
        seq=head.seq,
        hash=head.hash,
        at=at,
        key_fingerprint=key.fingerprint,
        signature=crypto.sign(
            private, checkpoint_message(head.seq, head.hash, at, key.fingerprint)
        ),
    )
    session.add(checkpoint)
    head.checkpoint_seq, head.checkpoint_at = head.seq, at
    return checkpoint


def checkpoint_now(session: Session, *, secret: str) -> AuditCheckpoint | None:
    """Sign the current head now (a scheduled job); None when nothing is new since the last one."""
    head = lock_head(session)
    if head.seq == 0 or head.seq == head.checkpoint_seq:
        return None
    checkpoint = _sign_checkpoint(session, head, secret, clock.now())
    session.execute(
        update(HEADS)
        .where(HEADS.c.id == HEAD_ID)
        .values(checkpoint_seq=head.checkpoint_seq, checkpoint_at=head.checkpoint_at)
    )
    session.flush()
    return checkpoint


def rotate_platform_key(session: Session, *, secret: str) -> AuditPlatformKey:
    """Retire the checkpoint key and make a new one; old checkpoints stay verifiable."""
    lock_head(session)
    now = clock.now()
    for key in session.scalars(
        select(AuditPlatformKey).where(AuditPlatformKey.retired_at.is_(None))
    ):
        key.retired_at = now
    session.flush()
    return platform_key(session, secret)
