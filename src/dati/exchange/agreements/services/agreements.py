"""E-agreements: drawn up from an approved request, signed by the provider and then the
recipient, amended (a new version, signed again), suspended, resumed, revoked and expired.

One version of an agreement is in force at a time: a new version takes over only when both
parties have signed it, so amending never leaves the recipient without a valid agreement.
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dati import clock
from dati.audit import chain, crypto
from dati.audit import service as audit
from dati.auth.actor import Actor, ActorKind, Role
from dati.auth.permissions import require
from dati.catalog import service as catalog_service
from dati.errors import Conflict, Forbidden, NotFound, PreconditionFailed
from dati.exchange.agreements import document
from dati.exchange.agreements.models import (
    AccessRequest,
    Agreement,
    AgreementSignature,
    AgreementStatus,
    Party,
)
from dati.exchange.agreements.permissions import (
    LIST_AGREEMENTS,
    SIGN_AGREEMENT,
    VERIFY_SIGNATURES,
    VIEW_AGREEMENT,
    is_party_member,
)
from dati.exchange.agreements.services import keys
from dati.exchange.agreements.services.notifications import notify
from dati.exchange.agreements.services.numbers import next_number
from dati.i18n import gettext as _
from dati.orgs.models import Organisation

AWAITING = (AgreementStatus.AWAITING_PROVIDER, AgreementStatus.AWAITING_RECIPIENT)
LIVE = (AgreementStatus.ACTIVE, AgreementStatus.SUSPENDED)
RECIPIENT_SIDE = (Role.RECIPIENT, Role.STEWARD, Role.SIGNATORY)


def in_force(agreement: Agreement) -> bool:
    today = clock.today()
    return (
        agreement.status == AgreementStatus.ACTIVE
        and agreement.valid_from <= today <= agreement.valid_until
    )


# --- drawing up ------------------------------------------------------------------------------


def new_version(
    session: Session,
    *,
    number: str,
    version: int,
    request: AccessRequest | None,
    provider: Organisation,
    recipient: Organisation,
    resource_name: str,
    resolved: document.Terms,
    previous_sha256: str | None,
) -> Agreement:
    resource = catalog_service.find_resource(session, resource_name)
    doc = document.build_document(
        number=number,
        version=version,
        request_number=request.number if request else None,
        provider=provider,
        recipient=recipient,
        resource=resource,
        terms=resolved,
        issued=clock.today(),
        previous_sha256=previous_sha256,
    )
    agreement = Agreement(
        number=number,
        version=version,
        request_id=request.id if request else None,
        resource_id=resource.id,
        resource_name=resource.name,
        provider_org_id=provider.id,
        recipient_org_id=recipient.id,
        document=doc,
        document_sha256=document.document_sha256(doc),
        purpose=resolved.purpose,
        legal_basis=resolved.legal_basis,
        valid_from=resolved.valid_from,
        valid_until=resolved.valid_until,
        status=AgreementStatus.AWAITING_PROVIDER,
        created_at=clock.now(),
    )
    session.add(agreement)
    session.flush()
    return agreement


def draw_up(
    session: Session, actor: Actor, request: AccessRequest, resolved: document.Terms, *, secret: str
) -> Agreement:
    """Version 1 of the agreement for an approved request (the caller checked the permission)."""
    agreement = new_version(
        session,
        number=next_number(session, Agreement, "EV"),
        version=1,
        request=request,
        provider=request.provider,
        recipient=request.recipient,
        resource_name=request.resource_name,
        resolved=resolved,
        previous_sha256=None,
    )
    record_action(
        session, actor, agreement, "agreement.created", secret, org_id=agreement.provider_org_id
    )
    ask_to_sign(session, agreement, agreement.provider_org_id)
    return agreement


# --- reading ---------------------------------------------------------------------------------


def _latest_versions() -> Any:
    latest = (
        select(Agreement.number, func.max(Agreement.version).label("version"))
        .group_by(Agreement.number)
        .subquery()
    )
    return select(Agreement).join(
        latest, (Agreement.number == latest.c.number) & (Agreement.version == latest.c.version)
    )


def list_agreements(
    *,
    session: Session,
    actor: Actor,
    direction: Literal["incoming", "outgoing", "all"] = "all",
    status: AgreementStatus | None = None,
) -> list[Agreement]:
    """The newest version of each agreement of the actor's institutions (all for auditors)."""
    require(actor, LIST_AGREEMENTS)
    stmt = _latest_versions()
    if not (actor.is_admin or actor.has_role(Role.AUDITOR)) or direction != "all":
        mine = actor.org_ids()
        providing = Agreement.provider_org_id.in_(mine)
        receiving = Agreement.recipient_org_id.in_(mine)
        stmt = stmt.where(
            {"incoming": providing, "outgoing": receiving}.get(direction, providing | receiving)
        )
    if status is not None:
        stmt = stmt.where(Agreement.status == status)
    return list(session.scalars(stmt.order_by(Agreement.number.desc())))


def versions_of(session: Session, number: str) -> list[Agreement]:
    """Every version of an agreement, oldest first (internal lookup)."""
    stmt = select(Agreement).where(Agreement.number == number).order_by(Agreement.version)
    return list(session.scalars(stmt))


def find_agreement(session: Session, number: str, version: int | None = None) -> Agreement:
    stmt = select(Agreement).where(Agreement.number == number)
    stmt = stmt.where(Agreement.version == version) if version else stmt
    agreement = session.scalars(stmt.order_by(Agreement.version.desc())).first()
    if agreement is None:
        raise NotFound(_("No such record, or you may not see it."))
    return agreement


def get_agreement(
    *, session: Session, actor: Actor, number: str, version: int | None = None
) -> Agreement:
    """One version (the newest when none is named), for either party or an auditor."""
    agreement = find_agreement(session, number, version)
    require(actor, VIEW_AGREEMENT, agreement)
    return agreement


def export_signed(
    *, session: Session, actor: Actor, number: str, version: int | None = None
) -> dict[str, Any]:
    """The signed document with the signers' public keys, for `dati agreement verify`."""
    agreement = find_agreement(session, number, version)
    require(actor, VIEW_AGREEMENT, agreement)
    return document.signed_export(agreement.document, [_exported(s) for s in agreement.signatures])


def _exported(sig: AgreementSignature) -> dict[str, str]:
    return {
        "party": sig.party.value,
        "org": sig.organisation.short_name,
        "key": sig.key_fingerprint,
        "public_key": sig.public_key,
        "signed_at": chain.timestamp(sig.signed_at),
        "signer": sig.signer_name,
        "signature": sig.signature,
    }


def verify_signed(*, session: Session, actor: Actor, data: Any) -> document.Verification:
    """Check an exported agreement against the organisations' published keys."""
    require(actor, VERIFY_SIGNATURES)
    return document.verify_export(data, trusted_keys=keys.published_keys(session))


# --- signing ---------------------------------------------------------------------------------


def sign_agreement(
    *,
    session: Session,
    actor: Actor,
    number: str,
    version: int,
    document_sha256: str,
    secret: str,
) -> Agreement:
    """Sign for the party whose turn it is (the provider first), with its organisation's key.

    ``document_sha256`` is the hash of the text the signatory read: if the document changed
    since, nothing is signed.
    """
    agreement = visible(actor, find_agreement(session, number, version))
    party = (
        Party.PROVIDER if agreement.status == AgreementStatus.AWAITING_PROVIDER else Party.RECIPIENT
    )
    org = agreement.provider if party == Party.PROVIDER else agreement.recipient
    require(actor, SIGN_AGREEMENT, (agreement, org.id))
    if actor.kind is not ActorKind.SYSTEM and not actor.has_role(Role.SIGNATORY, org.id):
        # The administrator passes every permission check, but a signature binds the
        # institution: only its own signatory gives it (platform jobs sign demo data).
        raise Forbidden(_("Only a signatory of {org} can sign for it.", org=org.short_name))
    if agreement.status not in AWAITING:
        raise Conflict(_("Agreement {label} is not awaiting a signature.", label=agreement.label))
    if document_sha256 != agreement.document_sha256:
        raise PreconditionFailed(
            _("The agreement changed after you opened it. Read it again before signing.")
        )
    key, private = keys.open_for_signing(session, org, secret)
    now = clock.now()
    payload = document.signature_payload(
        agreement.document,
        party_name=party.value,
        org_short_name=org.short_name,
        key_fingerprint=key.fingerprint,
        signed_at=chain.timestamp(now),
        signer=actor.name,
    )
    session.add(
        AgreementSignature(
            agreement_id=agreement.id,
            party=party,
            org_id=org.id,
            key_fingerprint=key.fingerprint,
            public_key=key.public_key,
            signer_user_id=actor.user_id,
            signer_name=actor.name,
            signed_at=now,
            signature=crypto.sign(private, payload),
        )
    )
    session.flush()
    session.refresh(agreement)
    record_action(
        session, actor, agreement, "agreement.signed", secret, org_id=org.id, detail=party.value
    )
    if party == Party.PROVIDER:
        agreement.status = AgreementStatus.AWAITING_RECIPIENT
        ask_to_sign(session, agreement, agreement.recipient_org_id)
    else:
        _activate(session, actor, agreement, secret)
    session.flush()
    return agreement


def _activate(session: Session, actor: Actor, agreement: Agreement, secret: str) -> None:
    now = clock.now()
    for older in versions_of(session, agreement.number):
        if older.id != agreement.id and older.status in LIVE + AWAITING:
            older.status, older.ended_at = AgreementStatus.SUPERSEDED, now
    agreement.status, agreement.activated_at = AgreementStatus.ACTIVE, now
    record_action(
        session, actor, agreement, "agreement.activated", secret, org_id=agreement.recipient_org_id
    )
    for org_id, roles in (
        (agreement.recipient_org_id, RECIPIENT_SIDE),
        (agreement.provider_org_id, (Role.STEWARD, Role.SIGNATORY)),
    ):
        notify(
            session,
            org_id=org_id,
            roles=roles,
            kind="agreement.active",
            params=notice_params(agreement),
            url=page_url(agreement),
        )


# --- helpers ---------------------------------------------------------------------------------


def visible(actor: Actor, agreement: Agreement) -> Agreement:
    """404 for people outside both parties: an agreement's existence is the parties' business."""
    if not (actor.is_admin or is_party_member(actor, agreement)):
        raise NotFound(_("No such record, or you may not see it."))
    return agreement


def ask_to_sign(session: Session, agreement: Agreement, org_id: int) -> None:
    notify(
        session,
        org_id=org_id,
        roles=(Role.SIGNATORY,),
        kind="agreement.awaiting_signature",
        params=notice_params(agreement),
        url=page_url(agreement),
    )


def page_url(agreement: Agreement) -> str:
    return f"/agreements/{agreement.number}/v/{agreement.version}"


def notice_params(agreement: Agreement) -> dict[str, Any]:
    return {
        "number": agreement.number,
        "version": agreement.version,
        "resource": agreement.resource_name,
        "provider": agreement.provider.short_name,
        "recipient": agreement.recipient.short_name,
    }


def record_action(
    session: Session,
    actor: Actor,
    agreement: Agreement,
    action: str,
    secret: str,
    *,
    org_id: int | None,
    detail: str = "",
) -> None:
    audit.record(
        session,
        actor,
        action,
        secret=secret,
        org_id=org_id,
        provider_org_id=agreement.provider_org_id,
        agreement_id=agreement.number,
        agreement_version=agreement.version,
        resource=agreement.resource_name,
        fields=[f["name"] for f in agreement.document["fields"]],
        filter={"row_conditions": agreement.document["row_conditions"]},
        detail=detail or agreement.document_sha256,
    )
