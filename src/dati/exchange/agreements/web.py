"""Web-layer helpers shared by the agreements pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import BackgroundTasks, Depends, Request

from dati.auth.actor import Actor
from dati.errors import NotAuthenticated
from dati.i18n import gettext as _
from dati.web.deps import AppSettings, CurrentActor


def logged_in(actor: CurrentActor) -> Actor:
    """Pages about requests and agreements need a login first: a link from a notification
    e-mail then leads to the login form rather than to "not found"."""
    if not actor.is_authenticated:
        raise NotAuthenticated(_("Log in to see requests and agreements."))
    return actor


LoggedIn = Annotated[Actor, Depends(logged_in)]


def mail_after(request: Request, background: BackgroundTasks, settings: AppSettings) -> None:
    """After the response (and its commit), mail the notifications this request created."""
    if settings.smtp_url:
        from dati.exchange.agreements import mail

        background.add_task(
            mail.send_pending, request.app.state.database, settings.smtp_url, settings.base_url
        )


MailAfter = Annotated[None, Depends(mail_after)]
