"""JSON routes for organisations."""

from __future__ import annotations

from fastapi import APIRouter, UploadFile, status
from pydantic import BaseModel

from dati.errors import Invalid
from dati.i18n import gettext as _
from dati.orgs import service
from dati.orgs.models import OrgKind
from dati.orgs.schemas import OrganisationCreate, OrganisationRead
from dati.web.deps import CurrentActor, DbSession

router = APIRouter(tags=["organisations"])


class ImportResult(BaseModel):
    created: int
    updated: int


@router.get("/organisations", response_model=list[OrganisationRead])
def list_organisations(
    session: DbSession, actor: CurrentActor, kind: OrgKind | None = None, q: str | None = None
) -> list[OrganisationRead]:
    orgs = service.list_organisations(session=session, actor=actor, kind=kind, q=q)
    return [OrganisationRead.model_validate(o) for o in orgs]


@router.get("/organisations/{short_name}", response_model=OrganisationRead)
def get_organisation(short_name: str, session: DbSession, actor: CurrentActor) -> OrganisationRead:
    return OrganisationRead.model_validate(
        service.get_organisation(session=session, actor=actor, short_name=short_name)
    )


@router.post("/organisations", response_model=OrganisationRead, status_code=status.HTTP_201_CREATED)
def create_organisation(
    data: OrganisationCreate, session: DbSession, actor: CurrentActor
) -> OrganisationRead:
    return OrganisationRead.model_validate(
        service.create_organisation(session=session, actor=actor, data=data)
    )


@router.post("/organisations/import", response_model=ImportResult)
async def import_organisations(
    file: UploadFile, session: DbSession, actor: CurrentActor
) -> ImportResult:

    raw = await file.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid(
            _("The file is not UTF-8 text. Save the spreadsheet as 'CSV UTF-8' and try again.")
        ) from None
    created, updated = service.import_organisations(session=session, actor=actor, csv_text=text)
    return ImportResult(created=created, updated=updated)
