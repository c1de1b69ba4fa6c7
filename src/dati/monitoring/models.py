"""Indicators with their reference values (baseline, trajectory, targets), recorded actual values
and the yearly Data Champion snapshots."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dati import clock
from dati.db.base import Base, UTCDateTime
from dati.orgs.models import Organisation


class Framework(enum.StrEnum):
    DATA_STRATEGY = "data_strategy"
    DIGITAL_DECADE = "digital_decade"
    PLATFORM = "platform"


class Aggregation(enum.StrEnum):
    """How a year's value reads: a level at the end of the year, or a count within the year."""

    LEVEL = "level"
    PER_YEAR = "per_year"


class ReferenceKind(enum.StrEnum):
    LV_BASELINE = "lv_baseline"
    LV_TRAJECTORY = "lv_trajectory"
    LV_TARGET = "lv_target"
    EU_BASELINE = "eu_baseline"
    EU_TARGET = "eu_target"


class Indicator(Base):
    """A national target or platform measure, defined by the bundled reference CSVs."""

    __tablename__ = "monitoring_indicator"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    framework: Mapped[Framework] = mapped_column(Enum(Framework, native_enum=False, length=20))
    group_code: Mapped[str] = mapped_column(String(20), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name_lv: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(20))
    aggregation: Mapped[Aggregation] = mapped_column(
        Enum(Aggregation, native_enum=False, length=10), default=Aggregation.LEVEL
    )
    # The lead institution as printed (e.g. "VARAM") and the organisation it resolves to.
    responsible: Mapped[str] = mapped_column(String(60), default="")
    responsible_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    co_responsible: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(Text, default="")
    method_lv: Mapped[str] = mapped_column(Text, default="")
    method_en: Mapped[str] = mapped_column(Text, default="")
    is_result_indicator: Mapped[bool] = mapped_column(Boolean, default=True)
    live_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    responsible_org: Mapped[Organisation | None] = relationship(lazy="joined")
    references: Mapped[list[ReferenceValue]] = relationship(
        back_populates="indicator",
        cascade="all, delete-orphan",
        order_by="ReferenceValue.year",
    )

    def __repr__(self) -> str:
        return f"<Indicator {self.code}>"


class ReferenceValue(Base):
    """A printed baseline, trajectory or target cell; ``value`` is empty when the print is text."""

    __tablename__ = "monitoring_reference_value"
    __table_args__ = (UniqueConstraint("indicator_id", "kind", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("monitoring_indicator.id", ondelete="CASCADE")
    )
    kind: Mapped[ReferenceKind] = mapped_column(Enum(ReferenceKind, native_enum=False, length=20))
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[float | None] = mapped_column(Float)
    value_text: Mapped[str] = mapped_column(Text, default="")
    # Set only when this cell's unit differs from the indicator's (gigabit: households vs %).
    unit: Mapped[str] = mapped_column(String(20), default="")
    note: Mapped[str] = mapped_column(Text, default="")

    indicator: Mapped[Indicator] = relationship(back_populates="references")


class ActualValue(Base):
    """One recorded actual value. Rows are never changed: a correction is a new row that
    replaces the previous one for the same year, so the history keeps who, when and the old value."""

    __tablename__ = "monitoring_actual_value"
    __table_args__ = (Index("ix_monitoring_actual_value_indicator_year", "indicator_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("monitoring_indicator.id", ondelete="CASCADE")
    )
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[float | None] = mapped_column(Float)
    value_text: Mapped[str] = mapped_column(Text, default="")
    measured_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(300))
    comment: Mapped[str] = mapped_column(Text, default="")
    computed: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    replaces_id: Mapped[int | None] = mapped_column(
        ForeignKey("monitoring_actual_value.id", ondelete="SET NULL")
    )

    indicator: Mapped[Indicator] = relationship()
    replaces: Mapped[ActualValue | None] = relationship(remote_side=[id])


class ChampionRun(Base):
    """That a Data Champion category was computed for a year, and whether its data existed."""

    __tablename__ = "monitoring_champion_run"
    __table_args__ = (UniqueConstraint("year", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(40))
    measured: Mapped[bool] = mapped_column(Boolean)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class ChampionScore(Base):
    """An institution's value in one Data Champion category for one year."""

    __tablename__ = "monitoring_champion_score"
    __table_args__ = (UniqueConstraint("year", "category", "org_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(40))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    value: Mapped[float] = mapped_column(Float)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
