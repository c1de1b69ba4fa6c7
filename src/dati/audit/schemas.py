"""Audit log shapes: filters, entries, verification results, citizen accesses, access times."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class EntryFilter(BaseModel):
    """What the auditor narrows the log to; every field is optional."""

    date_from: date | None = None
    date_to: date | None = None
    action: str | None = Field(
        default=None, max_length=40, description="Exact action or a prefix ending in '.'."
    )
    org: str | None = Field(
        default=None, max_length=40, description="Acting (recipient) organisation."
    )
    provider: str | None = Field(default=None, max_length=40, description="Providing organisation.")
    resource: str | None = Field(default=None, max_length=100)
    agreement: str | None = Field(default=None, max_length=40)
    outcome: str | None = Field(default=None, pattern=r"^(ok|denied|error)$")
    person: str | None = Field(
        default=None, max_length=20, description="Personal code (auditors only)."
    )


class EntryRead(BaseModel):
    seq: int
    at: datetime
    action: str
    outcome: str
    actor_name: str
    actor_user_id: int | None
    token_id: int | None
    org: str | None = None
    provider: str | None = None
    agreement_id: str | None
    agreement_version: int | None
    resource: str | None
    resource_version: int | None
    fields: list[str]
    filter: dict[str, object]
    row_count: int | None
    subject_count: int
    detail: str
    duration_ms: float | None = None
    hash: str


class EntryPage(BaseModel):
    entries: list[EntryRead]
    next_before: int | None = Field(description="Pass as ?before= for the next (older) page.")


class ProblemRead(BaseModel):
    kind: str
    seq: int | None
    entry_id: int | None
    message: str


class VerifyRead(BaseModel):
    ok: bool
    entries: int
    checkpoints: int
    last_seq: int
    last_hash: str
    macs_checked: bool
    problems: list[ProblemRead]


class CheckpointRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    hash: str
    at: datetime
    key_fingerprint: str
    signature: str


class PlatformKeyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    fingerprint: str
    public_key: str
    created_at: datetime
    retired_at: datetime | None


class CitizenAccess(BaseModel):
    at: datetime
    recipient: str
    recipient_short_name: str | None
    provider: str
    resource: str | None
    fields: list[str]
    agreement_id: str | None
    agreement_version: int | None
    purpose: str | None
    legal_basis: str | None


class AccessTimeRow(BaseModel):
    resource: str
    recipient: str
    day: date | None = None
    requests: int
    errors: int
    denied: int
    error_rate: float
    p50_ms: float | None
    p95_ms: float | None


class AccessTimes(BaseModel):
    days: int
    pairs: list[AccessTimeRow] = Field(
        description="Totals per resource and recipient over the period."
    )
    daily: list[AccessTimeRow] = Field(
        description="Per day, all visible resources and recipients together."
    )
