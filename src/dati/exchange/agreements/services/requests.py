"""Access requests: a recipient institution asks for fields of a resource for a purpose; the
provider's steward approves (possibly narrowing it, which draws up the agreement) or rejects it
with a reason. Both sides see the status and the history."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from dati import clock
from dati.audit import service as audit
from dati.auth.actor import Actor, Role
from dati.auth.permissions import require
from dati.catalog import service as catalog_service
from dati.catalog.models import AccessRights, Resource
from dati.errors import Conflict, Invalid, NotFound
from dati.exchange.agreements import terms as terms_
from dati.exchange.agreements.models import (
    AccessRequest,
    AccessRequestEvent,
    Agreement,
    RequestStatus,
)
from dati.exchange.agreements.permissions import (
    LIST_REQUESTS,
    REVIEW_REQUEST,
    SUBMIT_REQUEST,
    VIEW_REQUEST,
    WITHDRAW_REQUEST,
    is_party_member,
)
from dati.exchange.agreements.schemas import AccessRequestCreate, Terms
from dati.exchange.agreements.services import agreements as agreements_service
from dati.exchange.agreements.services.notifications import notify
from dati.exchange.agreements.services.numbers import next_number
from dati.i18n import gettext as _
from dati.orgs import service as orgs_service
from dati.orgs.models import Organisation

REQUESTERS = (Role.RECIPIENT, Role.STEWARD)


def _requesting_org(session: Session, actor: Actor, short_name: str | None) -> Organisation:
    if short_name:
        org = orgs_service.find_by_short_name(session, short_name)
        if org is None:
            raise Invalid(
                _("Organisation {name} does not exist.", name=short_name),
                errors={"org": _("Unknown organisation.")},
            )
        return org
    candidates = sorted(actor.org_ids(*REQUESTERS))
    if len(candidates) != 1:
        raise Invalid(
            _("Choose the institution the request is for."),
            errors={"org": _("Choose your institution.")},
        )
    org = session.get(Organisation, candidates[0])
    assert org is not None
    return org


def submit_request(
    *, session: Session, actor: Actor, data: AccessRequestCreate, secret: str
) -> AccessRequest:
    """File a request for the recipient institution; the provider's stewards are notified."""
    recipient = _requesting_org(session, actor, data.org)
    require(actor, SUBMIT_REQUEST, recipient.id)
    try:
        resource = catalog_service.find_resource(session, data.resource)
    except NotFound:
        raise Invalid(
            _("Information resource {name} does not exist.", name=data.resource),
            errors={"resource": _("Unknown resource.")},
        ) from None
    info = terms_.resource_info(resource)
    errors: dict[str, str] = {}
    if info.is_open:
        errors["resource"] = _("{name} is open data: it needs no agreement.", name=resource.name)
    elif resource.owner_org_id == recipient.id:
        errors["org"] = _("Your institution holds this resource itself.")
    fields = list(dict.fromkeys(data.fields))
    if unknown := [f for f in fields if f not in info.names]:
        errors["fields"] = _("The resource has no field(s): {fields}.", fields=", ".join(unknown))
    if data.valid_until < data.valid_from:
        errors["valid_until"] = _("The end date is before the start date.")
    elif data.valid_until < clock.today():
        errors["valid_until"] = _("The end date has already passed.")
    if errors:
        raise Invalid(_("The request has errors; nothing was sent."), errors=errors)
    now = clock.now()
    request = AccessRequest(
        number=next_number(session, AccessRequest, "PP"),
        resource_id=resource.id,
        resource_name=resource.name,
        provider_org_id=resource.owner_org_id,
        recipient_org_id=recipient.id,
        requested_by_user_id=actor.user_id,
        requested_by_name=actor.name,
        fields=[n for n in info.names if n in set(fields)],
        purpose=data.purpose.strip(),
        legal_basis=data.legal_basis.strip(),
        valid_from=data.valid_from,
        valid_until=data.valid_until,
        requests_per_day=data.requests_per_day,
        rows_per_day=data.rows_per_day,
        status=RequestStatus.SUBMITTED,
        created_at=now,
        updated_at=now,
    )
    session.add(request)
    session.flush()
    _event(session, request, actor, "submitted")
    _record(session, actor, request, "request.submitted", secret, org_id=recipient.id)
    _tell_provider(session, request, "request.submitted")
    return request


def list_requests(
    *,
    session: Session,
    actor: Actor,
    direction: Literal["incoming", "outgoing", "all"] = "all",
    status: RequestStatus | None = None,
) -> list[AccessRequest]:
    """Requests to (incoming) or from (outgoing) the actor's institutions; auditors see all."""
    require(actor, LIST_REQUESTS)
    stmt = select(AccessRequest)
    if not (actor.is_admin or actor.has_role(Role.AUDITOR)) or direction != "all":
        mine = actor.org_ids()
        incoming = AccessRequest.provider_org_id.in_(mine)
        outgoing = AccessRequest.recipient_org_id.in_(mine)
        stmt = stmt.where(
            {"incoming": incoming, "outgoing": outgoing}.get(direction, incoming | outgoing)
        )
    if status is not None:
        stmt = stmt.where(AccessRequest.status == status)
    return list(session.scalars(stmt.order_by(AccessRequest.id.desc())))


def find_request(session: Session, number: str) -> AccessRequest:
    request = session.scalars(select(AccessRequest).where(AccessRequest.number == number)).first()
    if request is None:
        raise NotFound(_("No such record, or you may not see it."))
    return request


def get_request(*, session: Session, actor: Actor, number: str) -> AccessRequest:
    """One request with its history, for either party or an auditor."""
    request = find_request(session, number)
    require(actor, VIEW_REQUEST, request)
    return request


def agreement_of(session: Session, request: AccessRequest) -> Agreement | None:
    """The agreement drawn up from an approved request (internal lookup)."""
    stmt = select(Agreement).where(Agreement.request_id == request.id).order_by(Agreement.version)
    return session.scalars(stmt).first()


def approve_request(
    *, session: Session, actor: Actor, number: str, terms: Terms, secret: str
) -> Agreement:
    """Grant the request, narrowed as the steward decides, and draw up the agreement."""
    request = _visible(actor, find_request(session, number))
    require(actor, REVIEW_REQUEST, request)
    _must_be_open(request)
    baseline = terms_.Baseline(
        fields=list(request.fields),
        purpose=request.purpose,
        legal_basis=request.legal_basis,
        valid_from=request.valid_from,
        valid_until=request.valid_until,
        requests_per_day=request.requests_per_day,
        rows_per_day=request.rows_per_day,
    )
    resolved = terms_.resolve(
        catalog_service.find_resource(session, request.resource_name),
        baseline,
        terms,
        today=clock.today(),
        narrowing=True,
    )
    agreement = agreements_service.draw_up(session, actor, request, resolved, secret=secret)
    request.status = RequestStatus.APPROVED
    request.decision_reason = terms.note.strip()
    request.decided_at = request.updated_at = clock.now()
    _event(session, request, actor, "approved", terms.note, _changes(request, resolved))
    _record(session, actor, request, "request.approved", secret, org_id=request.provider_org_id)
    notify(
        session,
        org_id=request.recipient_org_id,
        roles=REQUESTERS,
        kind="request.approved",
        params=_params(request),
        url=f"/agreements/{agreement.number}",
        also_user_ids=[request.requested_by_user_id],
    )
    return agreement


def reject_request(
    *, session: Session, actor: Actor, number: str, reason: str, secret: str
) -> AccessRequest:
    """Refuse the request; the reason is shown to the requester."""
    request = _visible(actor, find_request(session, number))
    require(actor, REVIEW_REQUEST, request)
    _must_be_open(request)
    if len(reason.strip()) < 3:
        raise Invalid(_("Give the reason."), errors={"reason": _("Required.")})
    request.status = RequestStatus.REJECTED
    request.decision_reason = reason.strip()
    request.decided_at = request.updated_at = clock.now()
    _event(session, request, actor, "rejected", reason.strip())
    _record(session, actor, request, "request.rejected", secret, org_id=request.provider_org_id)
    notify(
        session,
        org_id=request.recipient_org_id,
        roles=REQUESTERS,
        kind="request.rejected",
        params={**_params(request), "reason": reason.strip()},
        url=f"/access-requests/{request.number}",
        also_user_ids=[request.requested_by_user_id],
    )
    return request


def withdraw_request(*, session: Session, actor: Actor, number: str, secret: str) -> AccessRequest:
    """The requesting institution takes back a request not yet decided."""
    request = _visible(actor, find_request(session, number))
    require(actor, WITHDRAW_REQUEST, request)
    _must_be_open(request)
    request.status = RequestStatus.WITHDRAWN
    request.updated_at = clock.now()
    _event(session, request, actor, "withdrawn")
    _record(session, actor, request, "request.withdrawn", secret, org_id=request.recipient_org_id)
    _tell_provider(session, request, "request.withdrawn")
    return request


def _tell_provider(session: Session, request: AccessRequest, kind: str) -> None:
    """Notify the provider's stewards, who review requests."""
    notify(
        session,
        org_id=request.provider_org_id,
        roles=(Role.STEWARD,),
        kind=kind,
        params=_params(request),
        url=f"/access-requests/{request.number}",
    )


def _visible(actor: Actor, request: AccessRequest) -> AccessRequest:
    """404 for people outside both parties: a request's existence is the parties' business."""
    if not (actor.is_admin or is_party_member(actor, request)):
        raise NotFound(_("No such record, or you may not see it."))
    return request


def _must_be_open(request: AccessRequest) -> None:
    if request.status != RequestStatus.SUBMITTED:
        raise Conflict(
            _(
                "Request {number} was already decided ({status}).",
                number=request.number,
                status=_(request.status.value),
            )
        )


def _event(
    session: Session,
    request: AccessRequest,
    actor: Actor,
    action: str,
    note: str = "",
    changes: dict[str, Any] | None = None,
) -> None:
    session.add(
        AccessRequestEvent(
            request_id=request.id,
            at=clock.now(),
            actor_name=actor.name,
            action=action,
            note=note,
            changes=changes or {},
        )
    )
    session.flush()


def _changes(request: AccessRequest, resolved: Any) -> dict[str, Any]:
    """What the steward changed against the request, for the history both sides see."""
    granted = [f["name"] for f in resolved.fields]
    changes: dict[str, Any] = {}
    if removed := [f for f in request.fields if f not in granted]:
        changes["fields_removed"] = removed
    if resolved.row_conditions:
        changes["row_conditions"] = list(resolved.row_conditions)
    if resolved.pseudonymised_fields:
        changes["pseudonymised_fields"] = list(resolved.pseudonymised_fields)
    for name in ("requests_per_day", "rows_per_day", "valid_from", "valid_until"):
        old, new = getattr(request, name), getattr(resolved, name)
        if old != new:
            changes[name] = [str(old), str(new)]
    return changes


def _params(request: AccessRequest) -> dict[str, Any]:
    return {
        "number": request.number,
        "resource": request.resource_name,
        "recipient": request.recipient.short_name,
        "provider": request.provider.short_name,
    }


def _record(
    session: Session, actor: Actor, request: AccessRequest, action: str, secret: str, *, org_id: int
) -> None:
    audit.record(
        session,
        actor,
        action,
        secret=secret,
        org_id=org_id,
        provider_org_id=request.provider_org_id,
        resource=request.resource_name,
        fields=list(request.fields),
        detail=f"{request.number}: {request.decision_reason}".rstrip(": "),
    )


def requestable_resources(*, session: Session, actor: Actor) -> list[Resource]:
    """Resources that need an agreement (not open data) and describe their fields, for the
    request form; the actor's own institutions' resources are left out."""
    require(actor, LIST_REQUESTS)
    stmt = (
        select(Resource)
        .where((Resource.access_rights != AccessRights.PUBLIC) | Resource.personal_data.is_(True))
        .where(Resource.fields.any())
        .order_by(Resource.title_lv)
    )
    mine = actor.org_ids()
    return [r for r in session.scalars(stmt) if r.owner_org_id not in mine]
