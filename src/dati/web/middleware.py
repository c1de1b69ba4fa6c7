"""ASGI middleware: request id + JSON access log + metrics, per-request DB session, language."""

from __future__ import annotations

import time
import uuid
from typing import Any

import structlog
from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dati import i18n
from dati.db.database import Database, begin_immediately

log = structlog.get_logger("dati.http")

REQUESTS = Counter("dati_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "dati_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def route_template(scope: Scope) -> str:
    """The matched route's full path template (e.g. /api/v1/organisations/{short_name}).

    FastAPI 0.165 keeps included routers nested, so ``scope["route"]`` lacks the prefix; the
    effective route context it stores in the scope has the full template.
    """
    if "route_template" in scope:  # set by routes answered before FastAPI's router
        return str(scope["route_template"])
    context = scope.get("fastapi", {}).get("effective_route_context")
    template = getattr(context, "path_format", None) or getattr(scope.get("route"), "path", None)
    return str(template) if template else "unmatched"


class RequestLogMiddleware:
    """Gives every request an id (kept from X-Request-ID when sane), logs it and counts it."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = (
            incoming if incoming.isascii() and 8 <= len(incoming) <= 64 else uuid.uuid4().hex
        )
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            template = route_template(scope)
            REQUESTS.labels(scope["method"], template, str(status)).inc()
            LATENCY.labels(scope["method"], template).observe(elapsed)
            # Query strings may carry tokens or personal codes, so only the path is logged.
            log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                route=template,
                status=status,
                ms=round(elapsed * 1000, 2),
            )
            structlog.contextvars.unbind_contextvars("request_id")


class DbSessionMiddleware:
    """One session per request, committed just before the response starts if it succeeded.

    A failed commit therefore reaches the client as a 500 rather than a false success;
    error responses roll back unless the error asked to keep its changes.
    """

    def __init__(self, app: ASGIApp, database: Database):
        self.app = app
        self.database = database

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        session = self.database.new_session()
        # HTML form posts read, then write; uploads (multipart) and API calls are left out:
        # they may do long work, or log data reads in a transaction of their own, meanwhile.
        headers = dict(scope["headers"])
        immediate = begin_immediately.set(
            scope["method"] not in ("GET", "HEAD", "OPTIONS")
            and not scope["path"].startswith("/api/")
            and not headers.get(b"content-type", b"").startswith(b"multipart/")
        )
        state: dict[str, Any] = scope.setdefault("state", {})
        state["db_session"] = session
        finished = False

        async def send_after_commit(message: Message) -> None:
            nonlocal finished
            if message["type"] == "http.response.start" and not finished:
                finished = True
                ok = message["status"] < 400 or state.get("keep_changes", False)
                try:
                    if not session.in_transaction():
                        pass  # nothing read or written: committing would begin one first
                    elif ok:
                        session.commit()
                    else:
                        session.rollback()
                except Exception:
                    session.rollback()
                    log.exception("commit failed")
                    await send(
                        {
                            "type": "http.response.start",
                            "status": 500,
                            "headers": [(b"content-type", b"text/plain; charset=utf-8")],
                        }
                    )
                    await send(
                        {"type": "http.response.body", "body": b"The change could not be saved."}
                    )
                    state["commit_failed"] = True
                    return
            if state.get("commit_failed"):
                return
            await send(message)

        try:
            await self.app(scope, receive, send_after_commit)
        finally:
            if not finished and session.in_transaction():
                session.rollback()
            session.close()
            begin_immediately.reset(immediate)


class LanguageMiddleware:
    """Chooses the page language: ?lang=, then the dati_lang cookie, then the configured default."""

    def __init__(self, app: ASGIApp, default: str):
        self.app = app
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        lang = self.default
        cookies = dict(scope["headers"]).get(b"cookie", b"").decode("latin-1")
        for part in cookies.split(";"):
            name, _, value = part.strip().partition("=")
            if name == "dati_lang" and value in i18n.LANGUAGES:
                lang = value
        query = scope.get("query_string", b"").decode("latin-1")
        for pair in query.split("&"):
            name, _, value = pair.partition("=")
            if name == "lang" and value in i18n.LANGUAGES:
                lang = value
        i18n.set_language(lang)
        scope.setdefault("state", {})["lang"] = lang
        await self.app(scope, receive, send)
