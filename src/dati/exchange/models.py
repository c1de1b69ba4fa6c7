"""Tables of the exchange feature: dataset versions and the retention policy per resource."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Enum, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dati import clock
from dati.catalog.models import Resource
from dati.db.base import Base, UTCDateTime


class Operation(enum.StrEnum):
    REPLACE = "replace"
    APPEND = "append"
    UPSERT = "upsert"
    ROLLBACK = "rollback"


class DatasetVersion(Base):
    """One immutable published state of a resource's data; the highest number is served.

    A rollback is a new version pointing at an older version's file, so history only grows.
    """

    __tablename__ = "exchange_version"
    __table_args__ = (UniqueConstraint("resource_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_resource.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    operation: Mapped[Operation] = mapped_column(Enum(Operation, native_enum=False, length=20))
    file_name: Mapped[str] = mapped_column(String(100))
    rows: Mapped[int] = mapped_column(BigInteger)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    table_schema: Mapped[dict[str, Any]] = mapped_column(JSON)
    source_name: Mapped[str] = mapped_column(String(300), default="")
    based_on: Mapped[int | None] = mapped_column(
        Integer
    )  # version number rolled back to or extended
    rows_rejected: Mapped[int] = mapped_column(BigInteger, default=0)
    quarantine_file: Mapped[str | None] = mapped_column(String(100))
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[str] = mapped_column(String(200))
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    files_removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    resource: Mapped[Resource] = relationship()

    @property
    def etag(self) -> str:
        return f'"{self.sha256[:32]}-{self.number}"'


class RetentionPolicy(Base):
    """How many versions of a resource keep their files (the newest is always kept)."""

    __tablename__ = "exchange_retention"

    resource_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_resource.id", ondelete="CASCADE"), primary_key=True
    )
    keep_versions: Mapped[int] = mapped_column(Integer, default=10)
    keep_days: Mapped[int] = mapped_column(Integer, default=365)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
