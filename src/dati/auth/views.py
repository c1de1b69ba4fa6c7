"""Pages: log in (password or citizen demo), log out, own account and tokens, user administration."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from dati.auth import service
from dati.auth.actor import ROLE_LABELS, Actor, Role
from dati.auth.models import ApiToken
from dati.auth.schemas import TokenCreate, UserCreate
from dati.i18n import gettext as _
from dati.web.deps import AppSettings, CurrentActor, DbSession
from dati.web.templating import flash, redirect, remember_form, render

router = APIRouter(include_in_schema=False)


def _policy(settings: AppSettings) -> service.LoginPolicy:
    return service.LoginPolicy(
        settings.login_max_failures, settings.login_lockout_seconds, settings.session_hours
    )


def _safe_next(value: str | None) -> str:
    return value if value and value.startswith("/") and not value.startswith("//") else "/"


@router.get("/login", name="login")
def login_page(request: Request, next: str = "/") -> Response:
    return render(request, "auth/login.html", {"next": _safe_next(next)})


@router.post("/login")
def login(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    settings: AppSettings,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    remember_form(
        request, "auth/login.html", {"next": _safe_next(next), "form": {"username": username}}
    )
    client = request.client.host if request.client else ""
    user, secret = service.login_with_password(
        session=session,
        actor=actor,
        username=username,
        password=password,
        client=client,
        policy=_policy(settings),
    )
    _start(request, secret, user.language)
    flash(request, _("Welcome, {name}.", name=user.display_name))
    return redirect(_safe_next(next))


@router.post("/login/citizen")
def login_citizen(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    settings: AppSettings,
    personal_code: Annotated[str, Form()],
) -> Response:
    remember_form(
        request, "auth/login.html", {"next": "/", "form": {"personal_code": personal_code}}
    )
    user, secret = service.login_citizen(
        session=session, actor=actor, personal_code=personal_code, policy=_policy(settings)
    )
    _start(request, secret, user.language)
    return redirect("/me/accesses")


def _start(request: Request, secret: str, _language: str | None) -> None:
    # A fresh CSRF token on login, so a token planted before login is useless afterwards.
    request.session.clear()
    request.session["sid"] = secret


@router.post("/logout", name="logout")
def logout(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    service.logout(session=session, actor=actor, session_secret=request.session.get("sid"))
    request.session.clear()
    flash(request, _("You have logged out."))
    return redirect("/")


@router.get("/account", name="account")
def account(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    tokens = service.list_tokens(session=session, actor=actor)
    return render(request, "auth/account.html", _account_context(session, actor, tokens))


def _account_context(session: DbSession, actor: Actor, tokens: list[ApiToken]) -> dict[str, object]:
    user = service.get_me(session=session, actor=actor)
    return {"user": user, "tokens": tokens, "role_labels": ROLE_LABELS}


@router.post("/account/tokens")
def create_token(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    name: Annotated[str, Form()],
    grant: Annotated[str, Form()],
    expires_days: Annotated[int | None, Form()] = None,
) -> Response:
    role, _sep, org = grant.partition("@")
    remember_form(
        request,
        "auth/account.html",
        {
            **_account_context(session, actor, service.list_tokens(session=session, actor=actor)),
            "form": {"name": name},
        },
    )
    token, secret = service.create_token(
        session=session,
        actor=actor,
        data=TokenCreate(name=name, role=Role(role), org=org or None, expires_days=expires_days),
    )
    context = _account_context(session, actor, service.list_tokens(session=session, actor=actor))
    return render(
        request, "auth/account.html", {**context, "new_token": secret, "new_token_name": token.name}
    )


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(
    token_id: int, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    token = service.revoke_token(session=session, actor=actor, token_id=token_id)
    flash(request, _("Token {name} revoked.", name=token.name))
    return redirect("/account")


@router.get("/admin/users", name="admin_users")
def admin_users(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    users = service.list_users(session=session, actor=actor)
    return render(
        request,
        "auth/users.html",
        {"users": users, "roles": list(Role), "role_labels": ROLE_LABELS},
    )


@router.post("/admin/users")
def admin_create_user(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    username: Annotated[str, Form()],
    display_name: Annotated[str, Form()],
    password: Annotated[str, Form()],
    role: Annotated[str, Form()] = "",
    org: Annotated[str, Form()] = "",
) -> Response:
    users = service.list_users(session=session, actor=actor)
    remember_form(
        request,
        "auth/users.html",
        {
            "users": users,
            "roles": list(Role),
            "role_labels": ROLE_LABELS,
            "form": {"username": username, "display_name": display_name, "org": org},
        },
    )
    service.create_user(
        session=session,
        actor=actor,
        data=UserCreate(username=username, display_name=display_name, password=password),
    )
    if role:
        service.grant_role(
            session=session, actor=actor, username=username, role=Role(role), org=org or None
        )
    flash(request, _("User {name} created.", name=username))
    return redirect("/admin/users")
