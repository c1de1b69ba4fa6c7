"""Key lookups without FastAPI's routing: the data API's busiest request.

``GET /api/v1/data/{resource}/rows/{key}`` is answered here, inside the app's middlewares
(request id, log and metrics; DB session; cookie session; language) and by the same code as the
documented FastAPI route (``api.lookup_response``), but without route matching, dependency
solving and the endpoint wrappers, which cost as much as the lookup itself (bench/RESULTS.md).
A request this does not take exactly as the route would (other or repeated query parameters,
a version that is not a number) goes on to FastAPI unchanged.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from dati.errors import DatiError
from dati.exchange import api
from dati.web import errors

PREFIX = "/api/v1/data/"
TEMPLATE = "/api/v1/data/{resource_name}/rows/{key}"
PARAMETERS = {"fields", "version", "agreement", "lang"}


class KeyLookupMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        target = _lookup_target(scope) if scope["type"] == "http" else None
        if target is None:
            await self.app(scope, receive, send)
            return
        name, key, params = target
        version = params.get("version")
        scope["route_template"] = TEMPLATE
        request = Request(scope, receive)
        try:
            response = await api.lookup_response(
                request,
                name,
                key,
                fields=params.get("fields"),
                version=int(version) if version is not None else None,
                agreement=params.get("agreement"),
            )
        except DatiError as exc:
            response = await errors.handle_dati_error(request, exc)
        except Exception as exc:
            response = await errors.handle_unexpected(request, exc)
        await response(scope, receive, send)


def _lookup_target(scope: Scope) -> tuple[str, str, dict[str, str]] | None:
    """(resource name, key, query parameters) when the request is a plain key lookup."""
    path: str = scope["path"]
    if scope["method"] != "GET" or not path.startswith(PREFIX):
        return None
    parts = path[len(PREFIX) :].split("/")
    if len(parts) != 3 or parts[1] != "rows" or not parts[0] or not parts[2]:
        return None
    params: dict[str, str] = {}
    query = scope.get("query_string", b"")
    if query:
        for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
            if name not in PARAMETERS or name in params:
                return None
            params[name] = value
        version = params.get("version")
        if version is not None and not version.isdigit():
            return None  # FastAPI explains the error
    return parts[0], parts[2], params
