"""Catalogue input and output shapes. Domain checks (vocabularies, dates, uniqueness) live in
the service, so their messages name the field in the user's language."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from dati.catalog.models import AccessRights, FieldClassification, SystemStatus


class SystemCreate(BaseModel):
    name: str | None = Field(default=None, description="URL name; made from the title if empty.")
    title_lv: str = ""
    title_en: str = ""
    description_lv: str = ""
    description_en: str = ""
    owner: str = Field(description="Short name of the owning institution, e.g. PMLP.")
    legal_basis: str = ""
    status: SystemStatus = SystemStatus.PRODUCTION
    homepage: str | None = None


class SystemUpdate(BaseModel):
    title_lv: str | None = None
    title_en: str | None = None
    description_lv: str | None = None
    description_en: str | None = None
    legal_basis: str | None = None
    status: SystemStatus | None = None
    homepage: str | None = None


class OrgRef(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    short_name: str
    name_lv: str
    name_en: str


class SystemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    title_lv: str
    title_en: str
    description_lv: str
    description_en: str
    owner: OrgRef
    legal_basis: str
    status: SystemStatus
    homepage: str | None
    updated_at: datetime


class ResourceBase(BaseModel):
    """Every DCAT-AP property a steward describes; shared by create, update and import."""

    title_lv: str = ""
    title_en: str = ""
    description_lv: str = ""
    description_en: str = ""
    keywords_lv: list[str] = []
    keywords_en: list[str] = []
    themes: list[str] = Field(default=[], description="EU data-theme codes, e.g. GOVE, SOCI.")
    contact_name: str | None = None
    contact_email: str | None = None
    spatial: str | None = Field(default=None, description="LV or a municipality code (LV-RIX).")
    temporal_start: date | None = None
    temporal_end: date | None = None
    frequency: str | None = Field(default=None, description="EU frequency code, e.g. MONTHLY.")
    issued: date | None = None
    modified: date | None = None
    licence: str | None = Field(default=None, description="EU licence code or licence URL.")
    rights: str | None = None
    conforms_to: str | None = None
    landing_page: str | None = None
    hvd_category: str | None = Field(
        default=None, description="EU HVD category code, e.g. c_a9135398."
    )
    legal_basis: str = ""
    personal_data: bool = False


class ResourceCreate(ResourceBase):
    name: str | None = Field(default=None, description="URL name; made from the title if empty.")
    owner: str = Field(description="Short name of the owning institution.")
    access_rights: AccessRights
    publisher: str | None = Field(
        default=None, description="Publisher's short name; the owner if empty."
    )
    system: str | None = Field(default=None, description="Name of the information system.")
    steward: str | None = Field(default=None, description="User name of the responsible steward.")


class ResourceUpdate(BaseModel):
    """Only the properties sent are changed."""

    title_lv: str | None = None
    title_en: str | None = None
    description_lv: str | None = None
    description_en: str | None = None
    keywords_lv: list[str] | None = None
    keywords_en: list[str] | None = None
    themes: list[str] | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    spatial: str | None = None
    temporal_start: date | None = None
    temporal_end: date | None = None
    frequency: str | None = None
    issued: date | None = None
    modified: date | None = None
    access_rights: AccessRights | None = None
    licence: str | None = None
    rights: str | None = None
    conforms_to: str | None = None
    landing_page: str | None = None
    hvd_category: str | None = None
    legal_basis: str | None = None
    personal_data: bool | None = None
    publisher: str | None = None
    system: str | None = None
    steward: str | None = None


class FieldSpec(BaseModel):
    """One field of a Frictionless Table Schema, with the catalogue's extras."""

    name: str
    type: str = "string"
    format: str | None = None
    title_lv: str = ""
    title_en: str = ""
    description: str = ""
    constraints: dict[str, Any] = {}
    classification: FieldClassification = FieldClassification.OPEN
    glossary_term: str | None = Field(default=None, description="Name of a glossary term.")


class FieldRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    position: int
    name: str
    type: str
    format: str | None
    title_lv: str
    title_en: str
    description: str
    constraints: dict[str, Any]
    classification: FieldClassification
    glossary_term: str | None = None


class DistributionCreate(BaseModel):
    title_lv: str = ""
    title_en: str = ""
    description: str = ""
    access_url: str = ""
    download_url: str | None = None
    format: str | None = None
    media_type: str | None = None
    byte_size: int | None = Field(default=None, ge=0)
    licence: str | None = None
    rights: str | None = None
    conforms_to: str | None = None
    issued: date | None = None
    modified: date | None = None
    access_service: str | None = Field(default=None, description="Name of a data service.")


class DistributionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title_lv: str
    title_en: str
    description: str
    access_url: str
    download_url: str | None
    format: str | None
    media_type: str | None
    byte_size: int | None
    licence: str | None
    rights: str | None
    conforms_to: str | None
    issued: date | None
    modified: date | None


class DataServiceCreate(BaseModel):
    name: str | None = None
    title_lv: str = ""
    title_en: str = ""
    description_lv: str = ""
    description_en: str = ""
    owner: str
    system: str | None = None
    endpoint_url: str = ""
    endpoint_description: str | None = None
    access_rights: AccessRights
    licence: str | None = None
    conforms_to: str | None = None
    serves: list[str] = Field(default=[], description="Names of the resources it serves.")


class DataServiceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    title_lv: str
    title_en: str
    description_lv: str
    description_en: str
    owner: OrgRef
    endpoint_url: str
    endpoint_description: str | None
    access_rights: AccessRights
    licence: str | None
    conforms_to: str | None
    serves: list[str] = []


class ResourceSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    title_lv: str
    title_en: str
    owner: OrgRef
    access_rights: AccessRights
    personal_data: bool
    hvd_category: str | None
    quality_score: int
    completeness: int
    modified: date | None


class ResourceRead(ResourceBase):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    owner: OrgRef
    publisher: OrgRef | None
    access_rights: AccessRights
    system: str | None = None
    steward: str | None = None
    primary_key: list[str]
    foreign_keys: list[dict[str, Any]]
    fields: list[FieldRead] = []
    distributions: list[DistributionRead] = []
    data_services: list[str] = []
    quality_score: int
    completeness: int
    created_at: datetime
    updated_at: datetime


class GlossaryTermCreate(BaseModel):
    name: str | None = None
    term_lv: str = ""
    term_en: str = ""
    definition_lv: str = ""
    definition_en: str = ""
    source: str = ""
    owner: str | None = None
    broader: str | None = None
    related: list[str] = []


class GlossaryTermUpdate(BaseModel):
    term_lv: str | None = None
    term_en: str | None = None
    definition_lv: str | None = None
    definition_en: str | None = None
    source: str | None = None
    broader: str | None = None
    related: list[str] | None = None


class GlossaryTermRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    term_lv: str
    term_en: str
    definition_lv: str
    definition_en: str
    source: str
    broader: str | None = None
    related: list[str]


class ChangeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    actor_name: str
    entity: str
    entity_id: int
    action: str
    field: str
    old_value: str | None
    new_value: str | None
