"""Tables of the AI register: systems, their change history, AI Act assessments, obligations and
the evidence kept for them."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from dati import clock
from dati.ai.verdict import RiskClass
from dati.catalog.models import Resource
from dati.db.base import Base, UTCDateTime
from dati.orgs.models import Organisation


class Technique(enum.StrEnum):
    RULE_BASED = "rule_based"
    CLASSICAL_ML = "classical_ml"
    DEEP_LEARNING = "deep_learning"
    GENERATIVE = "generative"
    COMPUTER_VISION = "computer_vision"
    SPEECH = "speech"
    OTHER = "other"


class AiRole(enum.StrEnum):
    """The institution's role under the AI Act (Art. 3(3) provider, Art. 3(4) deployer)."""

    PROVIDER = "provider"
    DEPLOYER = "deployer"
    BOTH = "both"


class Lifecycle(enum.StrEnum):
    IDEA = "idea"
    PROTOTYPE = "prototype"
    PILOT = "pilot"
    PRODUCTION = "production"
    RETIRED = "retired"


class Sourcing(enum.StrEnum):
    VENDOR = "vendor"
    IN_HOUSE = "in_house"


class DataUsage(enum.StrEnum):
    """How a system uses a dataset (the AI Act's training, validation, testing and input data)."""

    TRAINING = "training"
    VALIDATION = "validation"
    TESTING = "testing"
    INPUT = "input"


class ObligationStatus(enum.StrEnum):
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"


def _enum(kind: type[enum.Enum]) -> Enum:
    return Enum(kind, native_enum=False, length=20)


class AiSystem(Base):
    __tablename__ = "ai_system"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    name_lv: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    purpose_lv: Mapped[str] = mapped_column(Text)
    purpose_en: Mapped[str] = mapped_column(Text, default="")
    problem_lv: Mapped[str] = mapped_column(Text, default="")
    problem_en: Mapped[str] = mapped_column(Text, default="")
    technique: Mapped[Technique] = mapped_column(_enum(Technique))
    role: Mapped[AiRole] = mapped_column(_enum(AiRole))
    lifecycle: Mapped[Lifecycle] = mapped_column(_enum(Lifecycle), index=True)
    sourcing: Mapped[Sourcing] = mapped_column(_enum(Sourcing))
    vendor: Mapped[str] = mapped_column(String(200), default="")
    human_oversight_lv: Mapped[str] = mapped_column(Text, default="")
    human_oversight_en: Mapped[str] = mapped_column(Text, default="")
    affected_groups_lv: Mapped[str] = mapped_column(Text, default="")
    affected_groups_en: Mapped[str] = mapped_column(Text, default="")
    legal_basis: Mapped[str] = mapped_column(String(500), default="")
    # Data the system uses that is not (yet) described in the catalogue.
    data_sources: Mapped[str] = mapped_column(Text, default="")
    build_cost_eur: Mapped[int | None] = mapped_column(Integer)
    yearly_run_cost_eur: Mapped[int | None] = mapped_column(Integer)
    hours_saved_per_year: Mapped[int | None] = mapped_column(Integer)
    cost_saving_eur_per_year: Mapped[int | None] = mapped_column(Integer)
    quality_benefit_lv: Mapped[str] = mapped_column(Text, default="")
    quality_benefit_en: Mapped[str] = mapped_column(Text, default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(200), default="")
    in_service_since: Mapped[date | None] = mapped_column(Date)
    retired_on: Mapped[date | None] = mapped_column(Date)
    # Published in the transparency register once in pilot or production, unless exempted.
    publish: Mapped[bool] = mapped_column(Boolean, default=True)
    publish_exemption: Mapped[str] = mapped_column(String(500), default="")
    # Copied from the newest assessment so registers can filter and count by class.
    risk_class: Mapped[RiskClass | None] = mapped_column(_enum(RiskClass), index=True)
    classification_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    classified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    org: Mapped[Organisation] = relationship(lazy="joined")
    obligations: Mapped[list[AiObligation]] = relationship(
        back_populates="system", cascade="all, delete-orphan", order_by="AiObligation.id"
    )
    datasets: Mapped[list[AiSystemDataset]] = relationship(
        back_populates="system", cascade="all, delete-orphan", order_by="AiSystemDataset.id"
    )

    @staticmethod
    def matching(q: str) -> ColumnElement[bool]:
        """Name or purpose contains ``q`` (case-insensitive for ASCII letters on SQLite)."""
        like = f"%{q.lower()}%"
        return or_(
            func.lower(AiSystem.name_lv).like(like),
            func.lower(AiSystem.name_en).like(like),
            func.lower(AiSystem.purpose_lv).like(like),
            func.lower(AiSystem.purpose_en).like(like),
        )

    @property
    def is_public(self) -> bool:
        """Shown in the public transparency register."""
        return self.publish and self.lifecycle in (Lifecycle.PILOT, Lifecycle.PRODUCTION)

    def __repr__(self) -> str:
        return f"<AiSystem {self.id} {self.name_lv!r}>"


class AiChange(Base):
    """One row of a system's change history: who changed what, when, from what to what."""

    __tablename__ = "ai_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    system_id: Mapped[int] = mapped_column(
        ForeignKey("ai_system.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(String(500), default="")
    changes: Mapped[list[Any]] = mapped_column(JSON, default=list)


class AiAssessment(Base):
    """The answers given to the AI Act questionnaire and the classifier's verdict on them."""

    __tablename__ = "ai_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    system_id: Mapped[int] = mapped_column(
        ForeignKey("ai_system.id", ondelete="CASCADE"), index=True
    )
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    risk_class: Mapped[RiskClass] = mapped_column(_enum(RiskClass))
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    lowest_possible_class: Mapped[RiskClass] = mapped_column(_enum(RiskClass))
    missing: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by: Mapped[str] = mapped_column(String(200))


class AiObligation(Base):
    """One AI Act obligation of one system, with its status; codes come from ``obligations``."""

    __tablename__ = "ai_obligation"
    __table_args__ = (UniqueConstraint("system_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    system_id: Mapped[int] = mapped_column(
        ForeignKey("ai_system.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(40))
    applies_from: Mapped[date] = mapped_column(Date)
    status: Mapped[ObligationStatus] = mapped_column(
        _enum(ObligationStatus), default=ObligationStatus.TODO
    )
    note: Mapped[str] = mapped_column(Text, default="")
    # False once a new assessment no longer triggers it; kept because its evidence is history.
    applicable: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_by: Mapped[str] = mapped_column(String(200), default="")

    system: Mapped[AiSystem] = relationship(back_populates="obligations")
    evidence: Mapped[list[AiEvidence]] = relationship(
        back_populates="obligation", cascade="all, delete-orphan", order_by="AiEvidence.id"
    )


class AiEvidence(Base):
    """A file or a link showing an obligation is met. Files live under DATA_DIR/ai/evidence."""

    __tablename__ = "ai_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    obligation_id: Mapped[int] = mapped_column(
        ForeignKey("ai_obligation.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(1000))
    file_name: Mapped[str | None] = mapped_column(String(255))  # as uploaded, for display only
    stored_name: Mapped[str | None] = mapped_column(String(80), unique=True)  # generated
    media_type: Mapped[str | None] = mapped_column(String(100))
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by: Mapped[str] = mapped_column(String(200))

    obligation: Mapped[AiObligation] = relationship(back_populates="evidence")


class AiSystemDataset(Base):
    """A catalogue resource an AI system uses, and how: the lineage shown on both sides."""

    __tablename__ = "ai_system_dataset"
    __table_args__ = (UniqueConstraint("system_id", "resource_id", "usage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    system_id: Mapped[int] = mapped_column(
        ForeignKey("ai_system.id", ondelete="CASCADE"), index=True
    )
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_resource.id", ondelete="CASCADE"), index=True
    )
    usage: Mapped[DataUsage] = mapped_column(_enum(DataUsage))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by: Mapped[str] = mapped_column(String(200))

    system: Mapped[AiSystem] = relationship(back_populates="datasets")
    resource: Mapped[Resource] = relationship(lazy="joined")
