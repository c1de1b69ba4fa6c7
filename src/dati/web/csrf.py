"""CSRF protection for every unsafe request that could ride on a browser's cookies."""

from __future__ import annotations

import hmac

from fastapi import Request

from dati.errors import Forbidden
from dati.i18n import gettext as _

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class CsrfRejected(Forbidden):
    type, title = "csrf", "Form expired"


async def verify_csrf(request: Request) -> None:
    """Unsafe requests need the session's token in a form field or the X-CSRF-Token header.

    Exempt: bearer-token requests, and cookie-less API calls (no ambient credentials to abuse).
    HTML forms always need it, which also stops login CSRF.
    """
    if request.method in SAFE_METHODS or request.headers.get("authorization"):
        return
    has_session_cookie = "dati_session" in request.cookies
    content_type = request.headers.get("content-type", "")
    is_form = content_type.startswith(FORM_TYPES)
    if not has_session_cookie and (request.url.path.startswith("/api/") or not is_form):
        return
    expected = request.session.get("csrf") if "session" in request.scope else None
    supplied = request.headers.get("x-csrf-token")
    if supplied is None and is_form:
        form = await request.form()
        value = form.get("csrf_token")
        supplied = value if isinstance(value, str) else None
    if not expected or not supplied or not hmac.compare_digest(str(expected), supplied):
        raise CsrfRejected(
            _("The form has expired or did not come from this site. Reload the page and try again.")
        )
