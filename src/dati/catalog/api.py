"""JSON routes of the catalogue (/api/v1/catalog/...). Each route is one service call."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, UploadFile, status
from pydantic import BaseModel

from dati.catalog import (
    distributions,
    glossary,
    history,
    quality,
    search,
    service,
    spreadsheet,
    systems,
)
from dati.catalog.presenters import (
    GlossaryTermDetail,
    QualityOverviewRead,
    QualityRead,
    SearchResultRead,
    SystemDetail,
    data_service_read,
    glossary_detail,
    quality_overview_read,
    quality_read,
    resource_read,
    search_result_read,
    system_detail,
)
from dati.catalog.schemas import (
    ChangeRead,
    DataServiceCreate,
    DataServiceRead,
    DistributionCreate,
    DistributionRead,
    GlossaryTermCreate,
    GlossaryTermRead,
    GlossaryTermUpdate,
    ResourceCreate,
    ResourceRead,
    ResourceUpdate,
    SystemCreate,
    SystemRead,
    SystemUpdate,
)
from dati.web.deps import CurrentActor, DbSession

router = APIRouter(prefix="/catalog", tags=["catalogue"])
Values = Annotated[list[str] | None, Query()]


class ImportErrorRead(BaseModel):
    row: int
    field: str
    message: str


class ImportReportRead(BaseModel):
    created: list[str]
    updated: list[str]
    errors: list[ImportErrorRead]


@router.get("/resources", response_model=SearchResultRead)
def search_resources(
    session: DbSession,
    actor: CurrentActor,
    q: str = "",
    org: Values = None,
    theme: Values = None,
    format: Values = None,
    access: Values = None,
    licence: Values = None,
    hvd: Values = None,
    personal: Values = None,
    sort: search.Sort = search.Sort.RELEVANCE,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=search.MAX_PAGE_SIZE)] = search.PAGE_SIZE,
) -> SearchResultRead:
    """Search and browse: words in Latvian or English (any case, diacritics optional), facets."""
    filters = {
        "org": org, "theme": theme, "format": format, "access": access,
        "licence": licence, "hvd": hvd, "personal": personal,
    }  # fmt: skip
    query = search.SearchQuery(
        q=q,
        filters={k: v for k, v in filters.items() if v},
        sort=sort,
        page=page,
        page_size=page_size,
    )
    return search_result_read(
        search.search_resources(session=session, actor=actor, query=query), session
    )


@router.post("/resources", response_model=ResourceRead, status_code=status.HTTP_201_CREATED)
def create_resource(data: ResourceCreate, session: DbSession, actor: CurrentActor) -> ResourceRead:
    return resource_read(service.create_resource(session=session, actor=actor, data=data))


@router.get("/resources/{name}", response_model=ResourceRead)
def get_resource(name: str, session: DbSession, actor: CurrentActor) -> ResourceRead:
    return resource_read(service.get_resource(session=session, actor=actor, name=name))


@router.patch("/resources/{name}", response_model=ResourceRead)
def update_resource(
    name: str, data: ResourceUpdate, session: DbSession, actor: CurrentActor
) -> ResourceRead:
    return resource_read(
        service.update_resource(session=session, actor=actor, name=name, data=data)
    )


@router.get("/resources/{name}/schema")
def get_table_schema(name: str, session: DbSession, actor: CurrentActor) -> dict[str, Any]:
    """The resource's Frictionless Table Schema, with a classification per field."""
    resource = service.get_resource(session=session, actor=actor, name=name)
    return service.table_schema(session, resource)


@router.put("/resources/{name}/schema")
def set_table_schema(
    name: str, schema: dict[str, Any], session: DbSession, actor: CurrentActor
) -> dict[str, Any]:
    """Replace the field schema (Frictionless Table Schema JSON)."""
    resource = service.set_table_schema(session=session, actor=actor, name=name, schema=schema)
    return service.table_schema(session, resource)


@router.post("/schema-drafts")
async def draft_table_schema(
    file: UploadFile, session: DbSession, actor: CurrentActor
) -> dict[str, Any]:
    """Draft a Table Schema from a CSV/XLSX header (or read a schema JSON file); not saved."""
    content = await file.read()
    return service.draft_table_schema(
        session=session, actor=actor, filename=file.filename or "", content=content
    )


@router.get("/resources/{name}/history", response_model=list[ChangeRead])
def resource_history(name: str, session: DbSession, actor: CurrentActor) -> list[ChangeRead]:
    """Every recorded change: who, when, which property, old and new value (newest first)."""
    resource = service.get_resource(session=session, actor=actor, name=name)
    changes = history.list_changes(session=session, actor=actor, resource=resource)
    return [ChangeRead.model_validate(c) for c in changes]


@router.get("/resources/{name}/quality", response_model=QualityRead)
def resource_quality(name: str, session: DbSession, actor: CurrentActor) -> QualityRead:
    """The MQA score by dimension and indicator, completeness and what to fix first."""
    resource = service.get_resource(session=session, actor=actor, name=name)
    return quality_read(quality.assess_resource(session=session, actor=actor, resource=resource))


@router.post(
    "/resources/{name}/distributions",
    response_model=DistributionRead,
    status_code=status.HTTP_201_CREATED,
)
def add_distribution(
    name: str, data: DistributionCreate, session: DbSession, actor: CurrentActor
) -> DistributionRead:
    return DistributionRead.model_validate(
        distributions.add_distribution(session=session, actor=actor, name=name, data=data)
    )


@router.put("/resources/{name}/distributions/{distribution_id}", response_model=DistributionRead)
def update_distribution(
    name: str,
    distribution_id: int,
    data: DistributionCreate,
    session: DbSession,
    actor: CurrentActor,
) -> DistributionRead:
    return DistributionRead.model_validate(
        distributions.update_distribution(
            session=session, actor=actor, name=name, distribution_id=distribution_id, data=data
        )
    )


@router.delete(
    "/resources/{name}/distributions/{distribution_id}", status_code=status.HTTP_204_NO_CONTENT
)
def delete_distribution(
    name: str, distribution_id: int, session: DbSession, actor: CurrentActor
) -> Response:
    distributions.delete_distribution(
        session=session, actor=actor, name=name, distribution_id=distribution_id
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/systems", response_model=list[SystemRead])
def list_systems(
    session: DbSession, actor: CurrentActor, owner: str | None = None
) -> list[SystemRead]:
    found = systems.list_systems(session=session, actor=actor, owner=owner)
    return [SystemRead.model_validate(s) for s in found]


@router.post("/systems", response_model=SystemRead, status_code=status.HTTP_201_CREATED)
def create_system(data: SystemCreate, session: DbSession, actor: CurrentActor) -> SystemRead:
    return SystemRead.model_validate(systems.create_system(session=session, actor=actor, data=data))


@router.get("/systems/{name}", response_model=SystemDetail)
def get_system(name: str, session: DbSession, actor: CurrentActor) -> SystemDetail:
    return system_detail(systems.get_system(session=session, actor=actor, name=name))


@router.patch("/systems/{name}", response_model=SystemRead)
def update_system(
    name: str, data: SystemUpdate, session: DbSession, actor: CurrentActor
) -> SystemRead:
    return SystemRead.model_validate(
        systems.update_system(session=session, actor=actor, name=name, data=data)
    )


@router.get("/systems/{name}/history", response_model=list[ChangeRead])
def system_history(name: str, session: DbSession, actor: CurrentActor) -> list[ChangeRead]:
    found = systems.get_system(session=session, actor=actor, name=name)
    changes = history.entity_changes(
        session=session, actor=actor, entity="system", entity_id=found.id
    )
    return [ChangeRead.model_validate(c) for c in changes]


@router.get("/data-services", response_model=list[DataServiceRead])
def list_data_services(session: DbSession, actor: CurrentActor) -> list[DataServiceRead]:
    found = distributions.list_data_services(session=session, actor=actor)
    return [data_service_read(d) for d in found]


@router.post("/data-services", response_model=DataServiceRead, status_code=status.HTTP_201_CREATED)
def create_data_service(
    data: DataServiceCreate, session: DbSession, actor: CurrentActor
) -> DataServiceRead:
    return data_service_read(
        distributions.create_data_service(session=session, actor=actor, data=data)
    )


@router.get("/data-services/{name}", response_model=DataServiceRead)
def get_data_service(name: str, session: DbSession, actor: CurrentActor) -> DataServiceRead:
    return data_service_read(
        distributions.get_data_service(session=session, actor=actor, name=name)
    )


@router.put("/data-services/{name}", response_model=DataServiceRead)
def update_data_service(
    name: str, data: DataServiceCreate, session: DbSession, actor: CurrentActor
) -> DataServiceRead:
    return data_service_read(
        distributions.update_data_service(session=session, actor=actor, name=name, data=data)
    )


@router.get("/glossary", response_model=list[GlossaryTermRead])
def list_terms(session: DbSession, actor: CurrentActor, q: str = "") -> list[GlossaryTermRead]:
    terms = glossary.list_terms(session=session, actor=actor, q=q)
    return [glossary_detail(t, []) for t in terms]


@router.post("/glossary", response_model=GlossaryTermRead, status_code=status.HTTP_201_CREATED)
def create_term(
    data: GlossaryTermCreate, session: DbSession, actor: CurrentActor
) -> GlossaryTermRead:
    return glossary_detail(glossary.create_term(session=session, actor=actor, data=data), [])


@router.get("/glossary/{name}", response_model=GlossaryTermDetail)
def get_term(name: str, session: DbSession, actor: CurrentActor) -> GlossaryTermDetail:
    term = glossary.get_term(session=session, actor=actor, name=name)
    return glossary_detail(term, glossary.fields_using(session=session, actor=actor, term=term))


@router.patch("/glossary/{name}", response_model=GlossaryTermRead)
def update_term(
    name: str, data: GlossaryTermUpdate, session: DbSession, actor: CurrentActor
) -> GlossaryTermRead:
    return glossary_detail(
        glossary.update_term(session=session, actor=actor, name=name, data=data), []
    )


@router.get("/quality", response_model=QualityOverviewRead)
def quality_overview(session: DbSession, actor: CurrentActor) -> QualityOverviewRead:
    """MQA averages, ratings and completeness nationally and per institution."""
    return quality_overview_read(*quality.overview(session=session, actor=actor))


@router.post("/import", response_model=ImportReportRead)
async def import_resources(
    file: UploadFile, session: DbSession, actor: CurrentActor
) -> ImportReportRead:
    """Import resource descriptions from the XLSX or CSV template; valid rows are saved,
    each invalid row is reported by line and field and leaves nothing behind."""
    content = await file.read()
    report = spreadsheet.import_resources(
        session=session, actor=actor, filename=file.filename or "", content=content
    )
    return ImportReportRead(
        created=report.created,
        updated=report.updated,
        errors=[
            ImportErrorRead(row=e.row, field=e.field, message=e.message) for e in report.errors
        ],
    )


@router.get("/import/template.{kind}", response_class=Response)
def import_template(kind: str, session: DbSession, actor: CurrentActor) -> Response:
    """The import template as XLSX (with an explanation sheet) or CSV."""
    content, media_type = spreadsheet.template(session=session, actor=actor, kind=kind)
    return Response(
        content,
        media_type=media_type,
        headers={"content-disposition": f'attachment; filename="resursi.{kind}"'},
    )
