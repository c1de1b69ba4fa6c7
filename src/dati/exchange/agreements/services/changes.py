"""Changing agreements in force: amendment (a new version signed again), suspension and
resumption, revocation, and expiry by date."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dati import clock
from dati.auth.actor import Actor, Role
from dati.auth.permissions import require
from dati.catalog import service as catalog_service
from dati.errors import Conflict, Invalid
from dati.exchange.agreements import terms as terms_
from dati.exchange.agreements.models import Agreement, AgreementStatus
from dati.exchange.agreements.permissions import (
    AMEND_AGREEMENT,
    EXPIRE_AGREEMENTS,
    REVOKE_AGREEMENT,
    SUSPEND_AGREEMENT,
)
from dati.exchange.agreements.schemas import AmendTerms
from dati.exchange.agreements.services import agreements
from dati.exchange.agreements.services.notifications import notify
from dati.i18n import gettext as _


def amendment_draft(*, session: Session, actor: Actor, number: str) -> Agreement:
    """The version an amendment starts from, for the amendment form."""
    current = agreements.visible(actor, agreements.find_agreement(session, number))
    require(actor, AMEND_AGREEMENT, current)
    return current


def amend_agreement(
    *, session: Session, actor: Actor, number: str, terms: AmendTerms, secret: str
) -> Agreement:
    """A new version with changed terms; the version in force stays so until both sign it."""
    current = agreements.visible(actor, agreements.find_agreement(session, number))
    require(actor, AMEND_AGREEMENT, current)
    if current.status not in agreements.LIVE + agreements.AWAITING:
        raise Conflict(_("Agreement {label} has ended and cannot be amended.", label=current.label))
    resolved = terms_.resolve(
        catalog_service.find_resource(session, current.resource_name),
        terms_.baseline_of(current.document),
        terms,
        today=clock.today(),
        narrowing=False,
    )
    if current.status in agreements.AWAITING:  # an unsigned draft is replaced, never in force
        current.status, current.ended_at = AgreementStatus.SUPERSEDED, clock.now()
    amended = agreements.new_version(
        session,
        number=current.number,
        version=current.version + 1,
        request=current.request,
        provider=current.provider,
        recipient=current.recipient,
        resource_name=current.resource_name,
        resolved=resolved,
        previous_sha256=current.document_sha256,
    )
    agreements.record_action(
        session,
        actor,
        amended,
        "agreement.amended",
        secret,
        org_id=amended.provider_org_id,
        detail=terms.note,
    )
    notify(
        session,
        org_id=amended.recipient_org_id,
        roles=agreements.RECIPIENT_SIDE,
        kind="agreement.amended",
        params=agreements.notice_params(amended),
        url=agreements.page_url(amended),
    )
    agreements.ask_to_sign(session, amended, amended.provider_org_id)
    return amended


def _live_version(session: Session, number: str, status: AgreementStatus) -> Agreement:
    for agreement in reversed(agreements.versions_of(session, number)):
        if agreement.status == status:
            return agreement
    found = agreements.find_agreement(session, number)
    return found


def _need_reason(reason: str) -> str:
    if len(reason.strip()) < 3:
        raise Invalid(_("Give the reason."), errors={"reason": _("Required.")})
    return reason.strip()


def suspend_agreement(
    *, session: Session, actor: Actor, number: str, reason: str, secret: str
) -> Agreement:
    """Stop serving data under the agreement until it is resumed (e.g. during an inquiry)."""
    agreement = agreements.visible(actor, _live_version(session, number, AgreementStatus.ACTIVE))
    require(actor, SUSPEND_AGREEMENT, agreement)
    if agreement.status != AgreementStatus.ACTIVE:
        raise Conflict(
            _(
                "Agreement {label} is not in force, so it cannot be suspended.",
                label=agreement.label,
            )
        )
    agreement.status, agreement.status_reason = AgreementStatus.SUSPENDED, _need_reason(reason)
    return _changed(
        session,
        actor,
        agreement,
        "agreement.suspended",
        secret,
        {"reason": agreement.status_reason},
    )


def resume_agreement(*, session: Session, actor: Actor, number: str, secret: str) -> Agreement:
    """Serve data again under a suspended agreement."""
    agreement = agreements.visible(actor, _live_version(session, number, AgreementStatus.SUSPENDED))
    require(actor, SUSPEND_AGREEMENT, agreement)
    if agreement.status != AgreementStatus.SUSPENDED:
        raise Conflict(_("Agreement {label} is not suspended.", label=agreement.label))
    agreement.status, agreement.status_reason = AgreementStatus.ACTIVE, ""
    return _changed(session, actor, agreement, "agreement.resumed", secret, {})


def revoke_agreement(
    *, session: Session, actor: Actor, number: str, reason: str, secret: str
) -> Agreement:
    """End the agreement for good, with every version not yet ended; either party may."""
    latest = agreements.visible(actor, agreements.find_agreement(session, number))
    require(actor, REVOKE_AGREEMENT, latest)
    ending = [
        a
        for a in agreements.versions_of(session, number)
        if a.status in agreements.LIVE + agreements.AWAITING
    ]
    if not ending:
        raise Conflict(_("Agreement {label} has already ended.", label=latest.label))
    why, now = _need_reason(reason), clock.now()
    for agreement in ending:
        agreement.status, agreement.status_reason, agreement.ended_at = (
            AgreementStatus.REVOKED,
            why,
            now,
        )
    return _changed(session, actor, ending[-1], "agreement.revoked", secret, {"reason": why})


def expire_due(*, session: Session, actor: Actor, secret: str) -> list[Agreement]:
    """Mark agreements whose end date has passed as expired (a daily job; the gateway already
    refuses them by date)."""
    require(actor, EXPIRE_AGREEMENTS)
    stmt = select(Agreement).where(
        Agreement.status.in_(agreements.LIVE), Agreement.valid_until < clock.today()
    )
    expired = list(session.scalars(stmt))
    for agreement in expired:
        agreement.status, agreement.ended_at = AgreementStatus.EXPIRED, clock.now()
        _changed(session, actor, agreement, "agreement.expired", secret, {})
    return expired


def _changed(
    session: Session,
    actor: Actor,
    agreement: Agreement,
    action: str,
    secret: str,
    extra: dict[str, str],
) -> Agreement:
    session.flush()
    org_id = next(
        iter(actor.org_ids() & {agreement.provider_org_id, agreement.recipient_org_id}), None
    )
    agreements.record_action(
        session, actor, agreement, action, secret, org_id=org_id, detail=extra.get("reason", "")
    )
    kind = action
    notify(
        session,
        org_id=agreement.recipient_org_id,
        roles=agreements.RECIPIENT_SIDE,
        kind=kind,
        params={**agreements.notice_params(agreement), **extra},
        url=agreements.page_url(agreement),
    )
    notify(
        session,
        org_id=agreement.provider_org_id,
        roles=(Role.STEWARD, Role.SIGNATORY),
        kind=kind,
        params={**agreements.notice_params(agreement), **extra},
        url=agreements.page_url(agreement),
    )
    return agreement
