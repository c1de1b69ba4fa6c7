"""Interop input and output shapes: harvest sources and harvest run reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from dati.interop.models import RunStatus


class HarvestSourceCreate(BaseModel):
    title: str = ""
    url: str = ""
    org: str = Field(description="Short name of the institution whose catalogue is filled.")
    interval_hours: int = Field(default=24, ge=1, le=24 * 31)
    enabled: bool = True


class HarvestSourceUpdate(BaseModel):
    title: str | None = None
    url: str | None = None
    interval_hours: int | None = Field(default=None, ge=1, le=24 * 31)
    enabled: bool | None = None


class OrgRef(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    short_name: str
    name_lv: str


class HarvestSourceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    url: str
    org: OrgRef
    interval_hours: int
    enabled: bool
    next_run_at: datetime | None
    last_run_at: datetime | None


class HarvestUrl(BaseModel):
    url: str
    org: str


class HarvestRunRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    source_id: int | None
    org: OrgRef
    origin: str
    actor_name: str
    started_at: datetime
    finished_at: datetime | None
    status: RunStatus
    created: int
    updated: int
    unchanged: int
    failed: int
    message: str
    errors: list[dict[str, Any]]
