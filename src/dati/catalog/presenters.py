"""Read models assembled from several records (resource with its links, search results,
quality panels), shared by the API and the pages."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from dati.catalog import quality, vocabularies
from dati.catalog.models import (
    DataService,
    GlossaryTerm,
    InformationSystem,
    Resource,
    ResourceField,
)
from dati.catalog.schemas import (
    DataServiceRead,
    DistributionRead,
    FieldRead,
    GlossaryTermRead,
    OrgRef,
    ResourceRead,
    ResourceSummary,
    SystemRead,
)
from dati.catalog.search import SearchResult
from dati.i18n import gettext as _
from dati.i18n import pick
from dati.orgs.models import Organisation

M = TypeVar("M", bound=BaseModel)


def build(model: type[M], obj: object, **overrides: Any) -> M:
    """A read model from a record, where some properties are names instead of related records."""
    values = {k: getattr(obj, k) for k in model.model_fields if k not in overrides}
    return model.model_validate({**values, **overrides})


def resource_read(resource: Resource) -> ResourceRead:
    return build(
        ResourceRead,
        resource,
        owner=OrgRef.model_validate(resource.owner),
        publisher=OrgRef.model_validate(resource.publisher) if resource.publisher else None,
        system=resource.system.name if resource.system else None,
        steward=resource.steward.username if resource.steward else None,
        fields=[
            build(FieldRead, f, glossary_term=f.glossary_term.name if f.glossary_term else None)
            for f in resource.fields
        ],
        distributions=[DistributionRead.model_validate(d) for d in resource.distributions],
        data_services=[s.name for s in resource.data_services],
    )


class FacetCount(BaseModel):
    value: str
    label: str
    count: int


class SearchHit(ResourceSummary):
    score: float = 0.0


class SearchResultRead(BaseModel):
    total: int
    page: int
    pages: int
    page_size: int
    sort: str
    items: list[SearchHit]
    facets: dict[str, list[FacetCount]]


def facet_label(facet: str, value: str, orgs: dict[str, Organisation]) -> str:
    """The human name of a facet value in the current language."""
    if facet == "org":
        org = orgs.get(value)
        return pick(org.name_lv, org.name_en) if org else value
    if facet == "theme" and value in vocabularies.THEMES:
        return pick(*vocabularies.THEMES[value])
    if facet == "hvd" and value in vocabularies.HVD_CATEGORIES:
        return pick(*vocabularies.HVD_CATEGORIES[value])
    if facet == "licence":
        return vocabularies.licence_label(value)
    if facet == "format":
        fmt = vocabularies.formats().get(value)
        return fmt.label if fmt else value
    if facet == "access":
        return _(ACCESS_LABELS.get(value, value))
    if facet == "personal":
        return _("Contains personal data") if value == "yes" else _("No personal data")
    return value


ACCESS_LABELS = {"public": "Public", "restricted": "Restricted", "non_public": "Non-public"}


def search_result_read(result: SearchResult, session: Session) -> SearchResultRead:
    org_names = [v for v, _count in result.facets.get("org", [])]
    orgs = {
        o.short_name: o
        for o in session.scalars(select(Organisation).where(Organisation.short_name.in_(org_names)))
    }
    return SearchResultRead(
        total=result.total,
        page=result.page,
        pages=result.pages,
        page_size=result.page_size,
        sort=result.sort.value,
        items=[
            SearchHit.model_validate(r).model_copy(
                update={"score": round(result.scores.get(r.id, 0.0), 4)}
            )
            for r in result.resources
        ],
        facets={
            facet: [
                FacetCount(value=v, label=facet_label(facet, v, orgs), count=c) for v, c in values
            ]
            for facet, values in result.facets.items()
        },
    )


class IndicatorRead(BaseModel):
    key: str
    dimension: str
    label: str
    points: int
    earned: int
    advice: str | None


class QualityRead(BaseModel):
    score: int
    max_score: int
    rating: str
    completeness: int
    dimensions: dict[str, dict[str, int]]
    indicators: list[IndicatorRead]
    fix_first: list[str]
    missing_properties: list[str]


def quality_read(result: quality.Assessment) -> QualityRead:
    return QualityRead(
        score=result.score,
        max_score=quality.MAX_SCORE,
        rating=result.rating,
        completeness=result.completeness,
        dimensions={d: {"earned": e, "max": m} for d, (e, m) in result.dimensions.items()},
        indicators=[
            IndicatorRead(
                key=i.key,
                dimension=i.dimension,
                label=_(i.label),
                points=i.points,
                earned=i.points if result.met[i.key] else 0,
                advice=None if result.met[i.key] else _(i.advice),
            )
            for i in quality.INDICATORS
        ],
        fix_first=[_(a.text) for a in result.advice[:3]],
        missing_properties=[_(m.label) for m in result.missing_properties],
    )


class QualityRowRead(BaseModel):
    organisation: OrgRef | None
    resources: int
    average_score: float
    rating: str
    average_completeness: float
    ratings: dict[str, int]


class QualityOverviewRead(BaseModel):
    national: QualityRowRead
    institutions: list[QualityRowRead]


def _row(row: quality.QualityRow) -> QualityRowRead:
    return QualityRowRead(
        organisation=OrgRef.model_validate(row.org) if row.org else None,
        resources=row.resources,
        average_score=row.average_score,
        rating=row.rating,
        average_completeness=row.average_completeness,
        ratings=row.ratings,
    )


def quality_overview_read(
    national: quality.QualityRow, rows: list[quality.QualityRow]
) -> QualityOverviewRead:
    return QualityOverviewRead(national=_row(national), institutions=[_row(r) for r in rows])


class SystemDetail(SystemRead):
    resources: list[str]
    data_services: list[str]


def system_detail(system: InformationSystem) -> SystemDetail:
    return build(
        SystemDetail,
        system,
        owner=OrgRef.model_validate(system.owner),
        resources=[r.name for r in system.resources],
        data_services=[d.name for d in system.data_services],
    )


def data_service_read(found: DataService) -> DataServiceRead:
    return build(
        DataServiceRead,
        found,
        owner=OrgRef.model_validate(found.owner),
        serves=[r.name for r in found.resources],
    )


class FieldUse(BaseModel):
    resource: str
    field: str


class GlossaryTermDetail(GlossaryTermRead):
    used_by: list[FieldUse] = []


def glossary_detail(term: GlossaryTerm, used: list[ResourceField]) -> GlossaryTermDetail:
    return build(
        GlossaryTermDetail,
        term,
        broader=term.broader.name if term.broader else None,
        used_by=[FieldUse(resource=f.resource.name, field=f.name) for f in used],
    )
