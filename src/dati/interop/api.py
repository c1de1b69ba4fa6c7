"""JSON routes for harvesting: one-off harvests (upload or URL), scheduled sources, reports."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Response, UploadFile, status

from dati.interop import harvest_fetch, service, sources
from dati.interop.schemas import (
    HarvestRunRead,
    HarvestSourceCreate,
    HarvestSourceRead,
    HarvestSourceUpdate,
    HarvestUrl,
)
from dati.web.deps import CurrentActor, DbSession

router = APIRouter(prefix="/harvest", tags=["harvesting"])


@router.post("/runs", response_model=HarvestRunRead, summary="Harvest an uploaded DCAT-AP file")
async def harvest_upload(
    file: UploadFile, org: Annotated[str, Form()], session: DbSession, actor: CurrentActor
) -> HarvestRunRead:
    data = await file.read(harvest_fetch.MAX_BYTES + 1)
    document = harvest_fetch.from_upload(data, file.filename or "", file.content_type or "")
    run = service.harvest_document(session=session, actor=actor, org=org, document=document)
    return HarvestRunRead.model_validate(run)


@router.post("/runs/url", response_model=HarvestRunRead, summary="Harvest a DCAT-AP URL once")
def harvest_url(data: HarvestUrl, session: DbSession, actor: CurrentActor) -> HarvestRunRead:
    run = service.harvest_url(session=session, actor=actor, org=data.org, url=data.url)
    return HarvestRunRead.model_validate(run)


@router.get("/runs", response_model=list[HarvestRunRead])
def list_runs(session: DbSession, actor: CurrentActor) -> list[HarvestRunRead]:
    return [
        HarvestRunRead.model_validate(r) for r in sources.list_runs(session=session, actor=actor)
    ]


@router.get("/runs/{run_id}", response_model=HarvestRunRead)
def get_run(run_id: int, session: DbSession, actor: CurrentActor) -> HarvestRunRead:
    return HarvestRunRead.model_validate(
        sources.get_run(session=session, actor=actor, run_id=run_id)
    )


@router.get("/sources", response_model=list[HarvestSourceRead])
def list_sources(session: DbSession, actor: CurrentActor) -> list[HarvestSourceRead]:
    return [
        HarvestSourceRead.model_validate(s)
        for s in sources.list_sources(session=session, actor=actor)
    ]


@router.post("/sources", response_model=HarvestSourceRead, status_code=status.HTTP_201_CREATED)
def create_source(
    data: HarvestSourceCreate, session: DbSession, actor: CurrentActor
) -> HarvestSourceRead:
    return HarvestSourceRead.model_validate(
        sources.create_source(session=session, actor=actor, data=data)
    )


@router.get("/sources/{source_id}", response_model=HarvestSourceRead)
def get_source(source_id: int, session: DbSession, actor: CurrentActor) -> HarvestSourceRead:
    return HarvestSourceRead.model_validate(
        sources.get_source(session=session, actor=actor, source_id=source_id)
    )


@router.patch("/sources/{source_id}", response_model=HarvestSourceRead)
def update_source(
    source_id: int, data: HarvestSourceUpdate, session: DbSession, actor: CurrentActor
) -> HarvestSourceRead:
    return HarvestSourceRead.model_validate(
        sources.update_source(session=session, actor=actor, source_id=source_id, data=data)
    )


@router.delete("/sources/{source_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_source(source_id: int, session: DbSession, actor: CurrentActor) -> Response:
    sources.delete_source(session=session, actor=actor, source_id=source_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/sources/{source_id}/run", response_model=HarvestRunRead)
def run_source(source_id: int, session: DbSession, actor: CurrentActor) -> HarvestRunRead:
    return HarvestRunRead.model_validate(
        sources.run_source(session=session, actor=actor, source_id=source_id)
    )
