"""Shapes of access requests, reviews, agreements, signatures, keys and notifications."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from dati.exchange.agreements.models import AgreementStatus, Party, RequestStatus

Scalar = str | int | float | bool
OPERATORS = ("eq", "ne", "in", "lt", "lte", "gt", "gte")


class OrgRef(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    short_name: str
    name_lv: str
    name_en: str


class RowCondition(BaseModel):
    """Only rows whose ``field`` compares with ``values`` this way are served."""

    field: str = Field(min_length=1, max_length=100)
    op: Literal["eq", "ne", "in", "lt", "lte", "gt", "gte"] = "eq"
    values: list[Scalar] = Field(min_length=1, max_length=1000)


class AccessRequestCreate(BaseModel):
    resource: str = Field(description="Name of the information resource.")
    org: str | None = Field(
        default=None, description="Requesting institution; the actor's own when it has only one."
    )
    fields: list[str] = Field(min_length=1, max_length=500)
    purpose: str = Field(min_length=10, max_length=4000)
    legal_basis: str = Field(min_length=3, max_length=2000)
    valid_from: date
    valid_until: date
    requests_per_day: int = Field(ge=1, le=10_000_000)
    rows_per_day: int = Field(ge=1, le=1_000_000_000)


class Terms(BaseModel):
    """What the provider's steward approves (narrowing the request) or an amendment changes."""

    fields: list[str] | None = Field(
        default=None, description="The fields granted; all requested fields when empty."
    )
    row_conditions: list[RowCondition] = []
    pseudonymised_fields: list[str] = []
    valid_from: date | None = None
    valid_until: date | None = None
    requests_per_day: int | None = Field(default=None, ge=1, le=10_000_000)
    rows_per_day: int | None = Field(default=None, ge=1, le=1_000_000_000)
    retention_days: int = Field(default=365, ge=1, le=36500)
    retention_duties: str = Field(default="", max_length=4000)
    version_policy: Literal["latest", "pinned"] = "latest"
    pinned_version: int | None = Field(default=None, ge=1)
    note: str = Field(default="", max_length=4000)


class AmendTerms(Terms):
    purpose: str | None = Field(default=None, min_length=10, max_length=4000)
    legal_basis: str | None = Field(default=None, min_length=3, max_length=2000)


class Reason(BaseModel):
    reason: str = Field(min_length=3, max_length=4000)


class RequestEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    actor_name: str
    action: str
    note: str
    changes: dict[str, Any]


class AccessRequestRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: str
    status: RequestStatus
    resource_name: str
    provider: OrgRef
    recipient: OrgRef
    requested_by_name: str
    fields: list[str]
    purpose: str
    legal_basis: str
    valid_from: date
    valid_until: date
    requests_per_day: int
    rows_per_day: int
    decision_reason: str
    created_at: datetime
    decided_at: datetime | None
    agreement_number: str | None = None
    events: list[RequestEventRead] = []


class SignatureRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    party: Party
    organisation: OrgRef
    key_fingerprint: str
    public_key: str
    signer_name: str
    signed_at: datetime
    signature: str


class AgreementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: str
    version: int
    status: AgreementStatus
    in_force: bool = False
    status_reason: str
    resource_name: str
    provider: OrgRef
    recipient: OrgRef
    purpose: str
    legal_basis: str
    valid_from: date
    valid_until: date
    document_sha256: str
    document: dict[str, Any]
    signatures: list[SignatureRead]
    created_at: datetime
    activated_at: datetime | None
    ended_at: datetime | None


class SignBody(BaseModel):
    document_sha256: str = Field(
        pattern=r"^[0-9a-f]{64}$",
        description="SHA-256 of the canonical document the signatory read; signing fails if it "
        "has changed since.",
    )


class SigningKeyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    org: str
    fingerprint: str
    public_key: str
    created_at: datetime
    retired_at: datetime | None


class SignedByRead(BaseModel):
    party: str
    org: str
    signer: str
    signed_at: str
    key: str


class VerificationRead(BaseModel):
    ok: bool
    fully_signed: bool
    document_sha256: str
    problems: list[str]
    warnings: list[str]
    signed_by: list[SignedByRead]


class NotificationRead(BaseModel):
    id: int
    at: datetime
    text: str
    url: str
    read: bool
