"""DCAT-AP documents at the addresses harvesters expect (as CKAN's DCAT extension serves them):
/catalog.ttl|.rdf|.jsonld, /organisations/{short_name}/catalog.ttl, /dataset/{name}.ttl."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse

from dati.errors import NotFound
from dati.i18n import gettext as _
from dati.interop import service
from dati.interop.dcat_catalogue import MAX_PAGE_SIZE, MEDIA_TYPES, Page
from dati.web.deps import AppSettings, CurrentActor, DbSession

router = APIRouter(tags=["dcat-ap"])

DEFAULT_PAGE_SIZE = 100
PageNumber = Annotated[
    int | None,
    Query(ge=1, description="Hydra page number; without it the whole catalogue is streamed."),
]
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Datasets per page.")]


def _media_type(fmt: str) -> str:
    if fmt not in MEDIA_TYPES:
        raise NotFound(_("Unknown format {format}; use ttl, rdf or jsonld.", format=fmt))
    return MEDIA_TYPES[fmt]


def _page(request: Request, base_url: str, number: int | None, size: int) -> Page | None:
    if number is None:
        return None
    path = f"{base_url}{request.url.path}"
    suffix = "" if size == DEFAULT_PAGE_SIZE else f"&page_size={size}"
    return Page(number, size, lambda n: f"{path}?page={n}{suffix}")


@router.get(
    "/catalog.{fmt}",
    summary="The whole catalogue in DCAT-AP 3 (ttl, rdf or jsonld)",
    response_class=StreamingResponse,
)
def catalogue(
    fmt: str,
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    settings: AppSettings,
    page: PageNumber = None,
    page_size: PageSize = DEFAULT_PAGE_SIZE,
) -> StreamingResponse:
    media_type = _media_type(fmt)
    chunks = service.export_catalogue(
        session=session,
        actor=actor,
        fmt=fmt,
        base_url=settings.base_url,
        page=_page(request, settings.base_url, page, page_size),
    )
    return StreamingResponse(chunks, media_type=media_type)


@router.get(
    "/organisations/{short_name}/catalog.{fmt}",
    summary="One institution's catalogue in DCAT-AP 3",
    response_class=StreamingResponse,
)
def organisation_catalogue(
    short_name: str,
    fmt: str,
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    settings: AppSettings,
    page: PageNumber = None,
    page_size: PageSize = DEFAULT_PAGE_SIZE,
) -> StreamingResponse:
    media_type = _media_type(fmt)
    chunks = service.export_catalogue(
        session=session,
        actor=actor,
        fmt=fmt,
        base_url=settings.base_url,
        org=short_name,
        page=_page(request, settings.base_url, page, page_size),
    )
    return StreamingResponse(chunks, media_type=media_type)


@router.get("/dataset/{name}.{fmt}", summary="One dataset in DCAT-AP 3", response_class=Response)
def dataset(
    name: str, fmt: str, session: DbSession, actor: CurrentActor, settings: AppSettings
) -> Response:
    media_type = _media_type(fmt)
    text = service.export_dataset(
        session=session, actor=actor, name=name, fmt=fmt, base_url=settings.base_url
    )
    return Response(text, media_type=media_type)
