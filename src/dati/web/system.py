"""Platform routes: home page, language switch, health check, Prometheus metrics."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from dati.i18n import LANGUAGES
from dati.orgs import service as orgs_service
from dati.web import service
from dati.web.deps import CurrentActor, DbSession
from dati.web.templating import redirect, render

router = APIRouter(include_in_schema=False)


@router.get("/", name="home")
def home(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    organisations = orgs_service.list_organisations(session=session, actor=actor)
    counts: dict[str, int] = {}
    for org in organisations:
        counts[org.kind.value] = counts.get(org.kind.value, 0) + 1
    return render(request, "home.html", {"org_counts": counts, "org_total": len(organisations)})


@router.get("/lang/{code}", name="switch_language")
def switch_language(code: str, request: Request, next: str = "/") -> Response:
    """Remember the chosen language in a cookie and go back where the user was."""
    # Only local paths, so the switch cannot be used as an open redirect.
    target = (
        next
        if next.startswith("/") and not next.startswith("//") and not urlsplit(next).netloc
        else "/"
    )
    response = redirect(target)
    if code in LANGUAGES:
        response.set_cookie("dati_lang", code, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


@router.get("/healthz")
def healthz(request: Request) -> Response:
    """200 when the app and its database answer; 503 otherwise."""
    ok = request.app.state.database.is_usable()
    return PlainTextResponse("ok" if ok else "database unavailable", status_code=200 if ok else 503)


@router.get("/metrics")
def metrics(actor: CurrentActor) -> Response:
    return Response(service.read_metrics(actor=actor), media_type=CONTENT_TYPE_LATEST)
