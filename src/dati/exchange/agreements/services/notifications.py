"""In-app notifications about requests and agreements, fanned out to the people holding the
right roles; e-mail follows when SMTP is configured (see ``mail.py``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from dati import clock
from dati.auth.actor import Actor, Role
from dati.auth.models import Membership, User
from dati.auth.permissions import require
from dati.errors import NotFound
from dati.exchange.agreements.models import Notification
from dati.exchange.agreements.permissions import READ_NOTIFICATIONS
from dati.i18n import gettext as _

# English message ids per kind; rendered in the reader's language when shown or mailed.
TEXTS = {
    "request.submitted": "{recipient} requests access to {resource} ({number}).",
    "request.approved": "Your access request {number} for {resource} was approved; the agreement awaits signatures.",
    "request.rejected": "Your access request {number} for {resource} was rejected: {reason}",
    "request.withdrawn": "{recipient} withdrew its access request {number} for {resource}.",
    "agreement.awaiting_signature": "Agreement {number} v{version} on {resource} awaits your institution's signature.",
    "agreement.active": "Agreement {number} v{version} on {resource} is signed by both parties.",
    "agreement.amended": "Agreement {number} on {resource} was amended: version {version} awaits signatures.",
    "agreement.suspended": "Agreement {number} on {resource} was suspended: {reason}",
    "agreement.resumed": "Agreement {number} on {resource} was resumed.",
    "agreement.revoked": "Agreement {number} on {resource} was revoked: {reason}",
    "agreement.expired": "Agreement {number} on {resource} has expired.",
}


def render(kind: str, params: dict[str, Any]) -> str:
    template = TEXTS.get(kind)
    if template is None:
        return kind
    return _(template, **{k: params.get(k, "") for k in _placeholders(template)})


def _placeholders(template: str) -> list[str]:
    import string

    return [name for _lit, name, _spec, _conv in string.Formatter().parse(template) if name]


def notify(
    session: Session,
    *,
    org_id: int,
    roles: Iterable[Role],
    kind: str,
    params: dict[str, Any],
    url: str,
    also_user_ids: Iterable[int | None] = (),
) -> int:
    """One notification per person holding any of ``roles`` in ``org_id`` (and extra users)."""
    members = select(Membership.user_id).where(
        Membership.org_id == org_id, Membership.role.in_(list(roles))
    )
    user_ids = set(session.scalars(members)) | {u for u in also_user_ids if u is not None}
    now = clock.now()
    for user_id in sorted(user_ids):
        session.add(Notification(user_id=user_id, at=now, kind=kind, params=params, url=url))
    session.flush()
    return len(user_ids)


def list_notifications(
    *, session: Session, actor: Actor, unread_only: bool = False, limit: int = 100
) -> list[Notification]:
    """The actor's notifications, newest first."""
    require(actor, READ_NOTIFICATIONS)
    stmt = select(Notification).where(Notification.user_id == actor.user_id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return list(session.scalars(stmt.order_by(Notification.id.desc()).limit(limit)))


def count_unread(session: Session, actor: Actor) -> int:
    """For the menu badge (internal lookup; the actor's own count only)."""
    if actor.user_id is None:
        return 0
    stmt = select(func.count()).where(
        Notification.user_id == actor.user_id, Notification.read_at.is_(None)
    )
    return session.scalar(stmt) or 0


def mark_read(*, session: Session, actor: Actor, notification_id: int | None = None) -> int:
    """Mark one notification (or all when no id is given) as read; returns how many changed."""
    require(actor, READ_NOTIFICATIONS)
    stmt = update(Notification).where(
        Notification.user_id == actor.user_id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        owned = session.get(Notification, notification_id)
        # 404 for other people's notifications: their existence is not the actor's business.
        if owned is None or owned.user_id != actor.user_id:
            raise NotFound(_("No such notification."))
        stmt = stmt.where(Notification.id == notification_id)
    result = session.execute(
        stmt.values(read_at=clock.now()).execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def pending_emails(
    session: Session, since_hours: int = 24, limit: int = 200
) -> list[tuple[Notification, User]]:
    """Notifications not yet mailed to users with an e-mail address (internal, for the mailer)."""
    from datetime import timedelta

    since = clock.now() - timedelta(hours=since_hours)
    stmt = (
        select(Notification, User)
        .join(User, User.id == Notification.user_id)
        .where(Notification.emailed_at.is_(None), Notification.at >= since)
        .where(User.email.is_not(None), User.email != "", User.is_active.is_(True))
        .order_by(Notification.id)
        .limit(limit)
    )
    return [(n, u) for n, u in session.execute(stmt)]
