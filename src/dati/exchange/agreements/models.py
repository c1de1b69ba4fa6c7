"""Tables of the agreements sub-feature: access requests and their history, e-agreements and
their signatures, organisations' signing keys, daily usage against quotas, notifications."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dati import clock
from dati.catalog.models import Resource
from dati.db.base import Base, UTCDateTime
from dati.orgs.models import Organisation


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class RequestStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class AgreementStatus(enum.StrEnum):
    AWAITING_PROVIDER = "awaiting_provider"  # the provider signs first
    AWAITING_RECIPIENT = "awaiting_recipient"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"  # a newer version of the same agreement took over
    EXPIRED = "expired"


class Party(enum.StrEnum):
    PROVIDER = "provider"
    RECIPIENT = "recipient"


class AccessRequest(Base):
    """A recipient institution's request for fields of a resource, for a stated purpose."""

    __tablename__ = "access_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_resource.id", ondelete="RESTRICT"), index=True
    )
    resource_name: Mapped[str] = mapped_column(String(100))
    provider_org_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    recipient_org_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    requested_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    requested_by_name: Mapped[str] = mapped_column(String(200), default="")
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    purpose: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    requests_per_day: Mapped[int] = mapped_column(Integer)
    rows_per_day: Mapped[int] = mapped_column(Integer)
    status: Mapped[RequestStatus] = mapped_column(
        _enum(RequestStatus), default=RequestStatus.SUBMITTED, index=True
    )
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    provider: Mapped[Organisation] = relationship(foreign_keys=[provider_org_id], lazy="joined")
    recipient: Mapped[Organisation] = relationship(foreign_keys=[recipient_org_id], lazy="joined")
    resource: Mapped[Resource] = relationship()
    events: Mapped[list[AccessRequestEvent]] = relationship(
        back_populates="request", order_by="AccessRequestEvent.id", cascade="all, delete-orphan"
    )


class AccessRequestEvent(Base):
    """One step in a request's history, shown to both sides."""

    __tablename__ = "access_request_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("access_request.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    # submitted, approved, rejected, withdrawn, agreement
    action: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    request: Mapped[AccessRequest] = relationship(back_populates="events")


class Agreement(Base):
    """One version of an e-agreement. ``number`` names the agreement across its versions;
    ``document`` is the machine-readable content every signature covers."""

    __tablename__ = "agreement"
    __table_args__ = (
        UniqueConstraint("number", "version"),
        Index("ix_agreement_recipient_resource", "recipient_org_id", "resource_name", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("access_request.id", ondelete="SET NULL"), index=True
    )
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_resource.id", ondelete="RESTRICT"), index=True
    )
    resource_name: Mapped[str] = mapped_column(String(100))
    provider_org_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    recipient_org_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    document_sha256: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    status: Mapped[AgreementStatus] = mapped_column(
        _enum(AgreementStatus), default=AgreementStatus.AWAITING_PROVIDER, index=True
    )
    status_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    provider: Mapped[Organisation] = relationship(foreign_keys=[provider_org_id], lazy="joined")
    recipient: Mapped[Organisation] = relationship(foreign_keys=[recipient_org_id], lazy="joined")
    request: Mapped[AccessRequest | None] = relationship()
    resource: Mapped[Resource] = relationship()
    signatures: Mapped[list[AgreementSignature]] = relationship(
        back_populates="agreement", order_by="AgreementSignature.id", lazy="selectin"
    )

    @property
    def label(self) -> str:
        return f"{self.number} v{self.version}"

    def signature_of(self, party: Party) -> AgreementSignature | None:
        return next((s for s in self.signatures if s.party == party), None)


class AgreementSignature(Base):
    """A party's Ed25519 signature, made with its organisation's key by a signatory."""

    __tablename__ = "agreement_signature"
    __table_args__ = (UniqueConstraint("agreement_id", "party"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), index=True
    )
    party: Mapped[Party] = mapped_column(_enum(Party))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="RESTRICT"))
    key_fingerprint: Mapped[str] = mapped_column(String(64))
    public_key: Mapped[str] = mapped_column(String(60))
    signer_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    signer_name: Mapped[str] = mapped_column(String(200))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    signature: Mapped[str] = mapped_column(String(100))

    agreement: Mapped[Agreement] = relationship(back_populates="signatures")
    organisation: Mapped[Organisation] = relationship(lazy="joined")


class SigningKey(Base):
    """An organisation's Ed25519 key. The private half is sealed with a key derived from the
    instance secret; rotation retires the old key, whose public half keeps old signatures
    verifiable."""

    __tablename__ = "org_signing_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    public_key: Mapped[str] = mapped_column(String(60))
    sealed_private_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by_name: Mapped[str] = mapped_column(String(200), default="")
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:
        return self.retired_at is None


class AgreementUsage(Base):
    """Requests and rows served under an agreement (all its versions) on one day, shared by
    every app node so quotas hold across the cluster."""

    __tablename__ = "agreement_usage"

    agreement_number: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    rows: Mapped[int] = mapped_column(Integer, default=0)


class Notification(Base):
    """An in-app message to one user; ``kind`` and ``params`` are rendered in the reader's language."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    url: Mapped[str] = mapped_column(String(300), default="")
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
