"""Tables of the interop feature: harvest sources, harvest runs with their per-dataset
report, the stable identifiers of harvested records, and dataset series membership.

The catalogue holds the metadata itself; these tables only remember where harvested
records came from, so a re-harvest updates the same resource instead of adding a copy,
and an export writes the original URIs back out.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
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
from dati.db.base import Base, UTCDateTime
from dati.orgs.models import Organisation


class RunStatus(enum.StrEnum):
    RUNNING = "running"
    OK = "ok"
    PARTIAL = "partial"  # some datasets failed, the rest were written
    FAILED = "failed"  # the source could not be read at all


class HarvestSource(Base):
    """A DCAT-AP catalogue URL harvested into one institution's catalogue on a schedule."""

    __tablename__ = "interop_harvest_source"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(1000))
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    interval_hours: Mapped[int] = mapped_column(Integer, default=24)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    next_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    org: Mapped[Organisation] = relationship(lazy="joined")


class HarvestRun(Base):
    """One harvest of a document (a source URL, an uploaded file or a CLI argument)."""

    __tablename__ = "interop_harvest_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("interop_harvest_source.id", ondelete="SET NULL"), index=True
    )
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    origin: Mapped[str] = mapped_column(String(1000))
    actor_name: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[RunStatus] = mapped_column(
        Enum(
            RunStatus, native_enum=False, length=12, values_callable=lambda e: [m.value for m in e]
        ),
        default=RunStatus.RUNNING,
    )
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    # Why the whole document could not be read (status FAILED).
    message: Mapped[str] = mapped_column(Text, default="")
    # Per-dataset problems: [{"identifier": ..., "title": ..., "message": ..., "fields": {...}}]
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    source: Mapped[HarvestSource | None] = relationship()
    org: Mapped[Organisation] = relationship(lazy="joined")


class HarvestedRecord(Base):
    """Where a catalogue record came from: its stable identifier and original URI.

    ``entity`` is resource, distribution or data_service; ``entity_id`` its catalogue id.
    """

    __tablename__ = "interop_harvested"
    __table_args__ = (
        UniqueConstraint("entity", "entity_id"),
        UniqueConstraint("entity", "identifier"),
        Index("ix_interop_harvested_owner", "entity", "parent_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int] = mapped_column(Integer)
    # The resource a distribution belongs to (None for resources and data services).
    parent_id: Mapped[int | None] = mapped_column(Integer)
    identifier: Mapped[str] = mapped_column(String(500))
    uri: Mapped[str | None] = mapped_column(String(1000))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("interop_harvest_source.id", ondelete="SET NULL")
    )
    origin: Mapped[str] = mapped_column(String(1000), default="")
    harvested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # Digest of the harvested description: an unchanged record is not rewritten.
    content_hash: Mapped[str] = mapped_column(String(64), default="")


class SeriesMember(Base):
    """dcat:inSeries: a resource belongs to a dataset series (itself a catalogue resource)."""

    __tablename__ = "interop_series_member"

    resource_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_resource.id", ondelete="CASCADE"), primary_key=True
    )
    series_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_resource.id", ondelete="CASCADE"), index=True
    )


class Series(Base):
    """Marks a catalogue resource as a dcat:DatasetSeries rather than a plain dataset."""

    __tablename__ = "interop_series"

    resource_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_resource.id", ondelete="CASCADE"), primary_key=True
    )
