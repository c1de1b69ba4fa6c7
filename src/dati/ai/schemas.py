"""Input and output shapes of the AI register and the classifier."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from dati.ai.models import AiRole, DataUsage, Lifecycle, ObligationStatus, Sourcing, Technique
from dati.ai.verdict import RiskClass

EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class _SystemFields(BaseModel):
    name_en: str = Field(default="", max_length=200)
    purpose_en: str = Field(default="", max_length=5000)
    problem_lv: str = Field(default="", max_length=5000)
    problem_en: str = Field(default="", max_length=5000)
    vendor: str = Field(default="", max_length=200)
    human_oversight_lv: str = Field(default="", max_length=5000)
    human_oversight_en: str = Field(default="", max_length=5000)
    affected_groups_lv: str = Field(default="", max_length=5000)
    affected_groups_en: str = Field(default="", max_length=5000)
    legal_basis: str = Field(default="", max_length=500)
    data_sources: str = Field(default="", max_length=5000)
    build_cost_eur: int | None = Field(default=None, ge=0)
    yearly_run_cost_eur: int | None = Field(default=None, ge=0)
    hours_saved_per_year: int | None = Field(default=None, ge=0)
    cost_saving_eur_per_year: int | None = Field(default=None, ge=0)
    quality_benefit_lv: str = Field(default="", max_length=5000)
    quality_benefit_en: str = Field(default="", max_length=5000)
    contact_name: str = Field(default="", max_length=200)
    contact_email: str = Field(default="", max_length=200, pattern=EMAIL + "|^$")
    in_service_since: date | None = None
    retired_on: date | None = None
    publish: bool = True
    publish_exemption: str = Field(default="", max_length=500)


class AiSystemCreate(_SystemFields):
    org: str = Field(min_length=1, max_length=40, description="Short name of the institution.")
    name_lv: str = Field(min_length=1, max_length=200)
    purpose_lv: str = Field(min_length=1, max_length=5000)
    technique: Technique
    role: AiRole
    lifecycle: Lifecycle
    sourcing: Sourcing


class AiSystemUpdate(BaseModel):
    """Only the fields sent are changed."""

    name_lv: str | None = Field(default=None, min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    purpose_lv: str | None = Field(default=None, min_length=1, max_length=5000)
    purpose_en: str | None = Field(default=None, max_length=5000)
    problem_lv: str | None = Field(default=None, max_length=5000)
    problem_en: str | None = Field(default=None, max_length=5000)
    technique: Technique | None = None
    role: AiRole | None = None
    lifecycle: Lifecycle | None = None
    sourcing: Sourcing | None = None
    vendor: str | None = Field(default=None, max_length=200)
    human_oversight_lv: str | None = Field(default=None, max_length=5000)
    human_oversight_en: str | None = Field(default=None, max_length=5000)
    affected_groups_lv: str | None = Field(default=None, max_length=5000)
    affected_groups_en: str | None = Field(default=None, max_length=5000)
    legal_basis: str | None = Field(default=None, max_length=500)
    data_sources: str | None = Field(default=None, max_length=5000)
    build_cost_eur: int | None = Field(default=None, ge=0)
    yearly_run_cost_eur: int | None = Field(default=None, ge=0)
    hours_saved_per_year: int | None = Field(default=None, ge=0)
    cost_saving_eur_per_year: int | None = Field(default=None, ge=0)
    quality_benefit_lv: str | None = Field(default=None, max_length=5000)
    quality_benefit_en: str | None = Field(default=None, max_length=5000)
    contact_name: str | None = Field(default=None, max_length=200)
    contact_email: str | None = Field(default=None, max_length=200, pattern=EMAIL + "|^$")
    in_service_since: date | None = None
    retired_on: date | None = None
    publish: bool | None = None
    publish_exemption: str | None = Field(default=None, max_length=500)


class AiSystemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    org: str
    name_lv: str
    name_en: str
    purpose_lv: str
    purpose_en: str
    problem_lv: str
    problem_en: str
    technique: Technique
    role: AiRole
    lifecycle: Lifecycle
    sourcing: Sourcing
    vendor: str
    human_oversight_lv: str
    human_oversight_en: str
    affected_groups_lv: str
    affected_groups_en: str
    legal_basis: str
    data_sources: str
    build_cost_eur: int | None
    yearly_run_cost_eur: int | None
    hours_saved_per_year: int | None
    cost_saving_eur_per_year: int | None
    quality_benefit_lv: str
    quality_benefit_en: str
    contact_name: str
    contact_email: str
    in_service_since: date | None
    retired_on: date | None
    publish: bool
    publish_exemption: str
    risk_class: RiskClass | None
    classification_provisional: bool
    classified_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, system: Any) -> AiSystemRead:
        return cls.model_validate({**_columns(system), "org": system.org.short_name})


def _columns(row: Any) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in row.__table__.columns}


class ChangeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    actor: str
    action: str
    summary: str
    changes: list[Any]


class EvidenceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    url: str | None
    file_name: str | None
    media_type: str | None
    size_bytes: int | None
    created_at: datetime
    created_by: str


class ObligationRead(BaseModel):
    id: int
    system_id: int
    system_name: str
    org: str
    code: str
    ref: str
    title: str
    action: str
    applies_from: date
    status: ObligationStatus
    overdue: bool
    applicable: bool
    note: str
    evidence: list[EvidenceRead]


class ObligationUpdate(BaseModel):
    status: ObligationStatus | None = None
    note: str | None = Field(default=None, max_length=5000)


class EvidenceLinkCreate(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    url: HttpUrl


class PublicEntry(BaseModel):
    """One system in the public transparency register.

    Field names follow the Dutch algorithm register's publication standard where a field fits
    (name, organisation, description, goal and impact, status, dates, contact, publication
    category, human intervention, legal basis, provider, methods and models, source data).
    """

    id: int
    name: str
    organisation: str
    organisation_code: str
    description_short: str
    goal_and_impact: str
    affected_groups: str
    status: Lifecycle
    begin_date: date | None
    end_date: date | None
    contact: str
    publication_category: RiskClass | None
    publication_category_label: str
    provisional: bool
    ai_act_provisions: list[str]
    human_intervention: str
    legal_basis: str
    provider: str
    methods_and_models: str
    source_data: list[str]
    url: str


class DashboardRead(BaseModel):
    today: date
    overdue: list[ObligationRead]
    upcoming: list[ObligationRead]
    before_service: list[ObligationRead]


class CountRead(BaseModel):
    key: str | None
    label: str
    count: int


class ShareRead(BaseModel):
    key: str
    label: str
    survey_percent: int
    institutions: int
    percent: float


class OrgCountRead(BaseModel):
    org: str
    name: str
    total: int
    in_use: int
    planned: int
    high_risk: int
    prohibited: int
    overdue: int


class OverviewRead(BaseModel):
    total: int
    public_institutions: int
    provisional: int
    overdue: int
    by_class: list[CountRead]
    by_lifecycle: list[CountRead]
    by_technique: list[CountRead]
    by_org: list[OrgCountRead]
    state_audit_shares: list[ShareRead]


class DatasetLinkCreate(BaseModel):
    resource: str = Field(
        min_length=1, max_length=100, description="Catalogue resource name or id."
    )
    usage: DataUsage


class DatasetLinkRead(BaseModel):
    id: int
    resource: str
    title: str
    owner: str
    usage: DataUsage
    created_at: datetime
    created_by: str


class ResourceSystemRead(BaseModel):
    system_id: int
    name: str
    org: str
    usage: DataUsage
    published: bool
