"""E-mail for notifications, only when ``DATI_SMTP_URL`` is set.

``smtp://user:password@host:587?from=dati@example.lv`` uses STARTTLS when the server offers
it; ``smtps://`` connects over TLS. Sending happens after the response (a background task) or
from `dati agreement send-emails`; each notification is marked as mailed so several app nodes
never send it twice. The URL is never logged: it may hold a password.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

import structlog
from sqlalchemy import update
from sqlalchemy.orm import Session

from dati import clock, i18n
from dati.auth.models import User
from dati.db.database import Database
from dati.exchange.agreements.models import Notification
from dati.exchange.agreements.services import notifications
from dati.i18n import gettext as _

log = structlog.get_logger("dati.mail")


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    tls: bool
    username: str | None
    password: str | None
    sender: str


def parse_smtp_url(url: str) -> SmtpTarget:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("DATI_SMTP_URL must look like smtp://user:password@host:587")
    query = parse_qs(parts.query)
    return SmtpTarget(
        host=parts.hostname,
        port=parts.port or (465 if parts.scheme == "smtps" else 25),
        tls=parts.scheme == "smtps",
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        sender=query.get("from", [f"dati@{parts.hostname}"])[0],
    )


def _connect(target: SmtpTarget) -> smtplib.SMTP:
    if target.tls:
        return smtplib.SMTP_SSL(
            target.host, target.port, timeout=15, context=ssl.create_default_context()
        )
    client = smtplib.SMTP(target.host, target.port, timeout=15)
    client.ehlo()
    if client.has_extn("starttls"):
        client.starttls(context=ssl.create_default_context())
        client.ehlo()
    return client


def send_pending(database: Database, smtp_url: str, base_url: str) -> int:
    """Mail every notification not yet mailed (last 24 hours); returns how many were sent."""
    target = parse_smtp_url(smtp_url)
    sent = 0
    with database.session() as session:
        pending = notifications.pending_emails(session)
        if not pending:
            return 0
        try:
            client = _connect(target)
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("smtp connection failed", host=target.host, error=type(exc).__name__)
            return 0
        try:
            if target.username:
                client.login(target.username, target.password or "")
            for item, user in pending:
                if _claim(session, item.id):
                    sent += _send_one(session, client, target, item, user, base_url)
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("smtp login failed", host=target.host, error=type(exc).__name__)
        finally:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                client.quit()
    return sent


def _claim(session: Session, notification_id: int) -> bool:
    """Mark as mailed before sending, so another node sending the same batch skips it."""
    claimed = session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.emailed_at.is_(None))
        .values(emailed_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return bool(getattr(claimed, "rowcount", 0))


def _send_one(
    session: Session,
    client: smtplib.SMTP,
    target: SmtpTarget,
    item: Notification,
    user: User,
    base_url: str,
) -> int:
    i18n.set_language(user.language or i18n.DEFAULT_LANGUAGE)
    text = notifications.render(item.kind, item.params)
    message = EmailMessage()
    message["From"] = target.sender
    message["To"] = str(user.email)
    message["Subject"] = _("dati: {text}", text=text)[:180]
    message.set_content(f"{text}\n\n{base_url}{item.url}\n")
    try:
        client.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("smtp sending failed", host=target.host, error=type(exc).__name__)
        # Give it back, so the next run tries again.
        session.execute(
            update(Notification).where(Notification.id == item.id).values(emailed_at=None)
        )
        session.commit()
        return 0
    return 1
