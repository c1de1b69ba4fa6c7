"""Tables of the audit feature: the hash-chained log, its head, signed checkpoints, the
platform signing key, the index of data subjects and the access-time roll-up.

Audit rows carry plain ids and names, never foreign keys that could cascade: deleting a
user or an agreement must not rewrite history (and would break the chain).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dati import clock
from dati.db.base import Base, UTCDateTime

GENESIS_HASH = "0" * 64


class AuditEntry(Base):
    """One appended event. ``hash`` covers every column but ``id``, ``seq`` and ``mac``, plus
    ``prev_hash``; the order of entries is the chain of hashes, ``seq`` only numbers it."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_org_at", "actor_org_id", "at"),
        Index("ix_audit_entry_resource_at", "resource", "at"),
        Index("ix_audit_entry_provider_at", "provider_org_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    # data.read, data.denied, request.submitted, agreement.signed, key.created, ...
    action: Mapped[str] = mapped_column(String(40), index=True)
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    actor_user_id: Mapped[int | None] = mapped_column(Integer)
    token_id: Mapped[int | None] = mapped_column(Integer)
    # The organisation the actor acted for: the recipient for a data access.
    actor_org_id: Mapped[int | None] = mapped_column(Integer)
    provider_org_id: Mapped[int | None] = mapped_column(Integer)
    agreement_id: Mapped[str | None] = mapped_column(String(40), index=True)
    agreement_version: Mapped[int | None] = mapped_column(Integer)
    resource: Mapped[str | None] = mapped_column(String(100))
    resource_version: Mapped[int | None] = mapped_column(Integer)
    # Canonical JSON text (a list of names; the request's filters and the agreement's row
    # conditions), so the verifier hashes the stored text without parsing it.
    fields: Mapped[str] = mapped_column(Text, default="[]")
    filter: Mapped[str] = mapped_column(Text, default="{}")
    row_count: Mapped[int | None] = mapped_column(Integer)
    subject_count: Mapped[int] = mapped_column(Integer, default=0)
    # SHA-256 over the sorted subject hashes, so the subject index is covered by the chain.
    subjects_digest: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(12), default="ok")
    detail: Mapped[str] = mapped_column(Text, default="")
    duration_us: Mapped[int | None] = mapped_column(BigInteger)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # HMAC of ``hash`` under a key derived from the instance secret: someone who can write
    # to the database but lacks the secret cannot forge an entry, even at the chain's end.
    mac: Mapped[str] = mapped_column(String(64))

    @property
    def field_list(self) -> list[str]:
        return list(json.loads(self.fields or "[]"))

    @property
    def filter_data(self) -> dict[str, Any]:
        return dict(json.loads(self.filter or "{}"))


class AuditSubject(Base):
    """A person whose record an entry returned: a keyed hash of the personal code, never the code."""

    __tablename__ = "audit_subject"
    # SQLite: the primary key is the table (no rowid B-tree to maintain on every append).
    __table_args__ = {"sqlite_with_rowid": False}

    entry_id: Mapped[int] = mapped_column(ForeignKey("audit_entry.id"), primary_key=True)
    subject: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class AuditChainHead(Base):
    """The single row every append locks: the last sequence number and hash."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)
    checkpoint_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    checkpoint_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditCheckpoint(Base):
    """A platform signature over the chain's hash at ``seq``: rewriting earlier entries shows."""

    __tablename__ = "audit_checkpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    key_fingerprint: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(100))


class AuditPlatformKey(Base):
    """The platform's Ed25519 checkpoint key; the private half sealed with the instance secret."""

    __tablename__ = "audit_platform_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    public_key: Mapped[str] = mapped_column(String(60))
    sealed_private_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AccessStat(Base):
    """Data accesses per hour, resource and recipient: counts and a latency histogram.

    ``buckets`` holds counts per upper bound in LATENCY_BOUNDS_MS (the last is +Inf), so p50
    and p95 can be estimated for any period by adding hours together.
    """

    __tablename__ = "audit_access_stat"

    hour: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    resource: Mapped[str] = mapped_column(String(100), primary_key=True)
    recipient_org_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_org_id: Mapped[int | None] = mapped_column(Integer, index=True)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    denied: Mapped[int] = mapped_column(Integer, default=0)
    buckets: Mapped[list[int]] = mapped_column(JSON, default=list)
