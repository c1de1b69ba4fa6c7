"""One place turns errors into RFC 9457 problem details (API) or pages (HTML)."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from dati.errors import PROBLEM_BASE, DatiError, NotAuthenticated
from dati.i18n import gettext as _

log = structlog.get_logger("dati.errors")

PROBLEM_JSON = "application/problem+json"


def wants_json(request: Request) -> bool:
    path = request.url.path
    if (
        path.startswith("/api/")
        or path == "/metrics"
        or path.endswith((".json", ".jsonld", ".csv", ".parquet", ".ttl", ".rdf"))
    ):
        return True
    accept = request.headers.get("accept", "")
    return "json" in accept and "text/html" not in accept


def problem(
    request: Request, status: int, type_: str, title: str, detail: str, **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": type_
        if type_.startswith("http") or type_ == "about:blank"
        else PROBLEM_BASE + type_,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    body.update({k: v for k, v in extra.items() if v not in (None, {}, [])})
    headers = {}
    if "retry_after" in extra:
        headers["Retry-After"] = str(extra["retry_after"])
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _html_error(request: Request, status: int, title: str, detail: str) -> Response:
    from dati.web.templating import render

    return render(
        request,
        "error.html",
        {"status": status, "title": title, "detail": detail},
        status_code=status,
    )


async def handle_dati_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DatiError)
    if getattr(exc, "keeps_changes", False):
        request.state.keep_changes = True
    if wants_json(request):
        return problem(
            request, exc.status, exc.type, exc.title, exc.detail, errors=exc.errors, **exc.extra
        )
    if isinstance(exc, NotAuthenticated) and request.method == "GET":
        from dati.web.templating import redirect

        return redirect(f"/login?next={quote(str(request.url.path))}")
    form_page = getattr(request.state, "form_page", None)
    if form_page and exc.errors is not None and exc.status in (409, 422, 401, 429):
        from dati.web.templating import render

        template, context = form_page
        context = {**context, "errors": exc.errors, "error": exc.detail}
        return render(request, template, context, status_code=exc.status)
    return _html_error(request, exc.status, _(exc.title), exc.detail)


async def handle_validation_error(request: Request, exc: Exception) -> Response:
    """Malformed request input (FastAPI) or a schema built by a view from form fields (Pydantic)."""
    assert isinstance(exc, RequestValidationError | ValidationError)
    errors: dict[str, str] = {}
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "form")]
        errors[".".join(loc) or "request"] = err.get("msg", "invalid")
    detail = "; ".join(f"{k}: {v}" for k, v in errors.items())
    if wants_json(request):
        return problem(request, 422, "invalid", "Invalid input", detail, errors=errors)
    form_page = getattr(request.state, "form_page", None)
    if form_page:
        from dati.web.templating import render

        template, context = form_page
        return render(
            request, template, {**context, "errors": errors, "error": detail}, status_code=422
        )
    return _html_error(request, 422, _("Invalid input"), detail)


async def handle_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    titles = {404: "Not found", 405: "Method not allowed", 400: "Bad request"}
    title = titles.get(exc.status_code, "Error")
    detail = exc.detail if isinstance(exc.detail, str) else title
    if exc.status_code == 404 and detail == "Not Found":
        detail = "There is no page at this address."
    if wants_json(request):
        return problem(request, exc.status_code, "about:blank", title, detail)
    return _html_error(request, exc.status_code, _(title), _(detail))


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    reference = uuid.uuid4().hex[:12]
    log.exception("unhandled error", reference=reference, exc_info=exc)
    detail = _(
        "Something went wrong on our side. Quote reference {reference} when reporting it.",
        reference=reference,
    )
    if wants_json(request):
        return problem(request, 500, "internal", "Internal error", detail, reference=reference)
    return _html_error(request, 500, _("Internal error"), detail)


def install(app: FastAPI) -> None:
    app.add_exception_handler(DatiError, handle_dati_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(ValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_error)
    app.add_exception_handler(Exception, handle_unexpected)
