"""The CKAN Action API v3 at /api/3/action/{name} (and /api/action/{name}, where the
ckanapi client calls it): GET with query parameters or POST with a JSON or form body,
answered in CKAN's envelope with CKAN's status codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from dati.auth import service as auth_service
from dati.auth.actor import Actor
from dati.auth.permissions import require
from dati.errors import (
    DatiError,
    Forbidden,
    Invalid,
    NotAuthenticated,
    NotFound,
)
from dati.i18n import gettext as _
from dati.interop import ckan_actions, ckan_search, datastore
from dati.interop.ckan_params import Call, SearchQueryError, required
from dati.interop.permissions import READ_CKAN
from dati.web.deps import current_actor

router = APIRouter(tags=["ckan"])
log = structlog.get_logger("dati.ckan")


class BadRequest(Exception):
    pass


def _actor(request: Request, session: Session) -> Actor:
    """CKAN clients send the API token bare in Authorization or in X-CKAN-API-Key."""
    header = request.headers.get("x-ckan-api-key") or request.headers.get("authorization", "")
    if not header:
        return current_actor(request, session)
    scheme, _, rest = header.partition(" ")
    token = rest.strip() if scheme.lower() == "bearer" else header.strip()
    actor = auth_service.actor_from_token(session, token)
    if actor is None:
        raise NotAuthenticated("The API token is unknown, expired or revoked.")
    return actor


async def _params(request: Request) -> dict[str, Any]:
    if request.method == "GET":
        out: dict[str, Any] = {}
        for key in request.query_params:
            values = request.query_params.getlist(key)
            out[key] = values[0] if len(values) == 1 else values
        return out
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        return {k: v for k, v in form.items() if isinstance(v, str)}
    body = await request.body()
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise BadRequest(f"JSON Error: {exc}") from None
    if not isinstance(data, dict):
        raise BadRequest(
            f"Bad request data: Request data JSON decoded to {data!r} but it needs to be a dictionary."
        )
    return data


def _error(status: int, envelope: dict[str, Any], error: dict[str, Any]) -> JSONResponse:
    return JSONResponse(envelope | {"success": False, "error": error}, status_code=status)


def help_show(call: Call) -> str:
    """An action's documentation."""
    require(call.actor, READ_CKAN)
    name = required(call.params, "name")
    action = ACTIONS.get(name)
    if action is None:
        raise NotFound(_("Action {name} does not exist.", name=name))
    return (action.__doc__ or name).strip()


# Every action this API answers, by CKAN's name.
ACTIONS: dict[str, Callable[[Call], Any]] = {
    **ckan_actions.ACTIONS,
    **ckan_search.ACTIONS,
    **datastore.ACTIONS,
    "help_show": help_show,
}


def _run(call: Call, name: str) -> Any:
    return ACTIONS[name](call)


@router.api_route("/api/3/action/{name}", methods=["GET", "POST"], summary="CKAN Action API v3")
@router.api_route("/api/action/{name}", methods=["GET", "POST"], include_in_schema=False)
async def action(name: str, request: Request) -> JSONResponse:
    settings = request.app.state.settings
    envelope: dict[str, Any] = {
        "help": f"{settings.base_url}/api/3/action/help_show?name={name}",
    }
    if name not in ACTIONS:
        return _error(
            400,
            envelope,
            {"__type": "Bad Request", "message": f"Bad request - Action name not known: {name}"},
        )
    session: Session = request.state.db_session
    try:
        params = await _params(request)
        params.pop("callback", None)
        actor = await run_in_threadpool(_actor, request, session)
        result = await run_in_threadpool(_run, Call(session, actor, params, settings), name)
    except BadRequest as exc:
        return _error(400, envelope, {"__type": "Bad Request", "message": f"Bad request - {exc}"})
    except NotFound as exc:
        return _error(
            404, envelope, {"__type": "Not Found Error", "message": f"Not found: {exc.detail}"}
        )
    except (Forbidden, NotAuthenticated) as exc:
        return _error(
            403,
            envelope,
            {"__type": "Authorization Error", "message": f"Access denied: {exc.detail}"},
        )
    except SearchQueryError as exc:
        return _error(
            400,
            envelope,
            {"__type": "Search Query Error", "message": f"Search Query is invalid: {exc.detail}"},
        )
    except Invalid as exc:
        fields = {field: [message] for field, message in exc.errors.items()}
        return _error(
            409, envelope, {"__type": "Validation Error", **(fields or {"message": [exc.detail]})}
        )
    except DatiError as exc:
        return _error(exc.status, envelope, {"__type": exc.title, "message": exc.detail})
    except Exception:
        log.exception("ckan action failed", action=name)
        return _error(
            500, envelope, {"__type": "Internal Server Error", "message": "Internal Server Error"}
        )
    return JSONResponse(envelope | {"success": True, "result": result})


@router.get("/api/3", summary="CKAN API version")
def version() -> dict[str, int]:
    return {"version": 3}
