"""Request dependencies: the request's database session and the acting user."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from dati.auth import service as auth_service
from dati.auth.actor import Actor
from dati.config import Settings
from dati.errors import NotAuthenticated


def get_session(request: Request) -> Session:
    """The session opened for this request by DbSessionMiddleware (committed before the response)."""
    session: Session = request.state.db_session
    return session


# The dependencies are async because they do no I/O: a sync dependency costs a thread-pool hop.
async def _session_dependency(request: Request) -> Session:
    return get_session(request)


DbSession = Annotated[Session, Depends(_session_dependency)]


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _settings_dependency(request: Request) -> Settings:
    return get_settings(request)


AppSettings = Annotated[Settings, Depends(_settings_dependency)]


def current_actor(request: Request, session: DbSession) -> Actor:
    """Bearer token first, then the session cookie; otherwise anonymous. A bad token is an error."""
    cached = getattr(request.state, "actor", None)
    if cached is not None:
        return cached
    actor: Actor | None = None
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise NotAuthenticated("Use 'Authorization: Bearer <token>'.")
        actor = auth_service.actor_from_token(session, token.strip())
        if actor is None:
            raise NotAuthenticated("The API token is unknown, expired or revoked.")
    else:
        secret = request.session.get("sid") if "session" in request.scope else None
        if secret:
            actor = auth_service.actor_from_session_secret(session, secret)
            if actor is None:
                request.session.pop("sid", None)
    actor = actor or Actor.anonymous()
    request.state.actor = actor
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]
