"""Exchange output shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from dati.exchange.models import Operation


class VersionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: int
    operation: Operation
    rows: int
    size_bytes: int
    sha256: str
    source_name: str
    based_on: int | None
    rows_rejected: int
    created_by: str
    created_at: datetime
    files_removed_at: datetime | None
    table_schema: dict[str, Any]
    has_quarantine: bool = False

    @classmethod
    def of(cls, version: Any) -> VersionRead:
        read = cls.model_validate(version)
        read.has_quarantine = bool(version.quarantine_file) and version.files_removed_at is None
        return read


class PublishRead(BaseModel):
    version: VersionRead
    inferred_schema: bool
    report: dict[str, Any]


class RowsPage(BaseModel):
    resource: str
    version: int
    fields: list[str]
    rows: list[dict[str, Any]]
    next_cursor: str | None
    total: int | None = None


class RetentionUpdate(BaseModel):
    keep_versions: int
    keep_days: int


class RetentionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    keep_versions: int
    keep_days: int
