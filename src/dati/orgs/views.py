"""Pages for organisations."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from dati.orgs import service
from dati.orgs.models import OrgKind
from dati.web.deps import CurrentActor, DbSession
from dati.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/organisations", name="organisations")
def organisations(
    request: Request, session: DbSession, actor: CurrentActor, kind: str = "", q: str = ""
) -> Response:
    selected = OrgKind(kind) if kind in {k.value for k in OrgKind} else None
    orgs = service.list_organisations(session=session, actor=actor, kind=selected, q=q or None)
    return render(
        request,
        "orgs/list.html",
        {"organisations": orgs, "kinds": list(OrgKind), "kind": kind, "q": q},
    )


@router.get("/organisations/{short_name}", name="organisation")
def organisation(
    short_name: str, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    org = service.get_organisation(session=session, actor=actor, short_name=short_name)
    children = [
        o for o in service.list_organisations(session=session, actor=actor) if o.parent_id == org.id
    ]
    return render(request, "orgs/detail.html", {"org": org, "children": children})
