"""Jinja2 environment shared by every feature: templates, translations, the page context."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from dati import i18n
from dati.auth.actor import Actor
from dati.web import navigation

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def _template_dirs() -> list[str]:
    dirs = [str(PACKAGE_DIR / "web" / "templates")]
    found = [
        *PACKAGE_DIR.glob("*/templates"),
        *PACKAGE_DIR.glob("*/*/templates"),
    ]  # sub-features too
    dirs += sorted(str(p) for p in found if p.parent.name != "web")
    return dirs


def _environment() -> Environment:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(d) for d in _template_dirs()]),
        autoescape=select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["_"] = i18n.gettext
    env.globals["pick"] = i18n.pick
    return env


templates = Jinja2Templates(env=_environment())


def csrf_token(request: Request) -> str:
    """The per-browser CSRF token kept in the signed session cookie."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return str(token)


def flash(request: Request, message: str, kind: str = "success") -> None:
    request.session.setdefault("flash", []).append({"kind": kind, "message": message})


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """Render a page with what every page needs: actor, language, navigation, CSRF token, flashes."""
    actor: Actor = getattr(request.state, "actor", None) or Actor.anonymous()
    page = {
        "request": request,
        "actor": actor,
        "lang": i18n.get_language(),
        "nav": navigation.menu_for(actor),
        "csrf_token": csrf_token(request),
        "flashes": request.session.pop("flash", []),
        "errors": {},
        "form": {},
    }
    page.update(context or {})
    return templates.TemplateResponse(request, name, page, status_code=status_code)


def remember_form(request: Request, template: str, context: dict[str, Any]) -> None:
    """Let the error handler re-render this form, with messages beside fields, if the service refuses."""
    request.state.form_page = (template, context)


def redirect(url: str, status_code: int = 303) -> RedirectResponse:
    return RedirectResponse(url, status_code=status_code)
