"""Organisation input and output shapes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from dati.orgs.models import OrgKind


class OrganisationCreate(BaseModel):
    short_name: str = Field(
        min_length=1, max_length=40, pattern=r"^[\w.\-ĀČĒĢĪĶĻŅŠŪŽāčēģīķļņšūž]+$"
    )
    name_lv: str = Field(min_length=1, max_length=300)
    name_en: str = Field(default="", max_length=300)
    reg_number: str | None = Field(default=None, pattern=r"^\d{11}$")
    kind: OrgKind
    parent_short_name: str | None = None
    municipality_code: str | None = Field(default=None, pattern=r"^LV-[0-9A-Z]{2,3}$")
    website: str | None = None


class OrganisationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    short_name: str
    name_lv: str
    name_en: str
    reg_number: str | None
    kind: OrgKind
    parent_id: int | None
    municipality_code: str | None
    website: str | None
