"""Pages for agreements: the list, the readable agreement with its signatures and actions
(sign, amend, suspend, resume, revoke), checking a signed file, signing keys, notifications."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from dati.auth.actor import Actor, Role
from dati.catalog import service as catalog_service
from dati.errors import PayloadTooLarge
from dati.exchange.agreements import forms, rendering
from dati.exchange.agreements import terms as terms_
from dati.exchange.agreements.models import Agreement, AgreementStatus
from dati.exchange.agreements.services import agreements, changes, keys, notifications
from dati.exchange.agreements.web import LoggedIn, MailAfter
from dati.i18n import gettext as _
from dati.orgs.models import Organisation
from dati.web.deps import AppSettings, CurrentActor, DbSession
from dati.web.templating import flash, redirect, remember_form, render

router = APIRouter(include_in_schema=False)
MAX_SIGNED_FILE = 1024 * 1024  # an agreement with signatures is a few kB

ENDED = {AgreementStatus.REVOKED, AgreementStatus.SUPERSEDED, AgreementStatus.EXPIRED}


def _labels() -> dict[str, Any]:
    return {
        "status_labels": rendering.STATUS_LABELS,
        "party_labels": rendering.PARTY_LABELS,
        "operators": rendering.OPERATOR_WORDS,
        "condition_rows": range(forms.CONDITION_ROWS),
    }


@router.get("/agreements", name="agreements")
def list_page(
    request: Request,
    session: DbSession,
    actor: LoggedIn,
    direction: str = "all",
    status: str = "",
) -> Response:
    chosen = forms.direction(direction)
    wanted = AgreementStatus(status) if status in {s.value for s in AgreementStatus} else None
    found = agreements.list_agreements(
        session=session, actor=actor, direction=chosen, status=wanted
    )
    to_sign = [a for a in found if _my_turn(actor, a)]
    return render(
        request,
        "agreements/list.html",
        {
            "agreements": found,
            "to_sign": to_sign,
            "direction": chosen,
            "status": status,
            "statuses": list(AgreementStatus),
            "unread": notifications.count_unread(session, actor),
            **_labels(),
        },
    )


def _my_turn(actor: Actor, agreement: Agreement) -> bool:
    if agreement.status == AgreementStatus.AWAITING_PROVIDER:
        return actor.has_role(Role.SIGNATORY, agreement.provider_org_id)
    if agreement.status == AgreementStatus.AWAITING_RECIPIENT:
        return actor.has_role(Role.SIGNATORY, agreement.recipient_org_id)
    return False


@router.get("/agreements/verify", name="verify_agreement")
def verify_page(request: Request) -> Response:
    return render(request, "agreements/verify.html", {"result": None})


@router.post("/agreements/verify")
async def verify_upload(
    request: Request, session: DbSession, actor: CurrentActor, file: UploadFile
) -> Response:
    raw = await file.read(MAX_SIGNED_FILE + 1)
    if len(raw) > MAX_SIGNED_FILE:
        raise PayloadTooLarge(
            _("A signed agreement file is at most {size} kB.", size=MAX_SIGNED_FILE // 1024)
        )
    try:
        data: Any = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        data = None
    result = agreements.verify_signed(session=session, actor=actor, data=data)
    return render(request, "agreements/verify.html", {"result": result, "filename": file.filename})


@router.get("/agreements/keys", name="signing_keys")
def keys_page(request: Request, session: DbSession, actor: CurrentActor, org: str = "") -> Response:
    mine = sorted(
        (o for o in (session.get(Organisation, i) for i in actor.org_ids(Role.SIGNATORY)) if o),
        key=lambda o: o.short_name,
    )
    shown = [o.short_name for o in mine] + (
        [org] if org and org not in {o.short_name for o in mine} else []
    )
    listed = {
        name: keys.list_signing_keys(session=session, actor=actor, org=name) for name in shown
    }
    return render(
        request,
        "agreements/keys.html",
        {"listed": listed, "mine": {o.short_name for o in mine}, "org": org},
    )


@router.post("/agreements/keys/{org}/create")
def create_key(
    org: str, request: Request, session: DbSession, actor: LoggedIn, settings: AppSettings
) -> Response:
    key = keys.create_signing_key(
        session=session, actor=actor, org=org, secret=settings.effective_secret_key
    )
    flash(
        request,
        _(
            "Signing key {fingerprint} created for {org}.",
            fingerprint=key.fingerprint[:16],
            org=org,
        ),
    )
    return redirect("/agreements/keys")


@router.post("/agreements/keys/{org}/rotate")
def rotate_key(
    org: str, request: Request, session: DbSession, actor: LoggedIn, settings: AppSettings
) -> Response:
    key = keys.rotate_signing_key(
        session=session, actor=actor, org=org, secret=settings.effective_secret_key
    )
    flash(
        request,
        _(
            "New signing key {fingerprint} for {org}; the old one is retired.",
            fingerprint=key.fingerprint[:16],
            org=org,
        ),
    )
    return redirect("/agreements/keys")


@router.get("/agreements/notifications", name="notifications")
def notifications_page(request: Request, session: DbSession, actor: LoggedIn) -> Response:
    found = notifications.list_notifications(session=session, actor=actor)
    items = [(n, notifications.render(n.kind, n.params)) for n in found]
    return render(request, "agreements/notifications.html", {"items": items})


@router.post("/agreements/notifications/read")
def mark_all_read(request: Request, session: DbSession, actor: LoggedIn) -> Response:
    count = notifications.mark_read(session=session, actor=actor)
    flash(request, _("{count} notifications marked as read.", count=count))
    return redirect("/agreements/notifications")


@router.get("/agreements/{number}", name="agreement")
def latest(number: str, session: DbSession, actor: LoggedIn) -> Response:
    found = agreements.get_agreement(session=session, actor=actor, number=number)
    return redirect(f"/agreements/{found.number}/v/{found.version}", status_code=307)


def _detail_context(session: Session, actor: Actor, agreement: Agreement) -> dict[str, Any]:
    provider_side = actor.is_admin or actor.has_role(Role.STEWARD, agreement.provider_org_id)
    manager = provider_side or actor.has_role(Role.SIGNATORY, agreement.provider_org_id)
    signatory = actor.has_role(Role.SIGNATORY, agreement.provider_org_id) or actor.has_role(
        Role.SIGNATORY, agreement.recipient_org_id
    )
    live = agreement.status not in ENDED
    return {
        "agreement": agreement,
        "clauses": rendering.clauses(agreement.document),
        "versions": agreements.versions_of(session, agreement.number),
        "in_force": agreements.in_force(agreement),
        "my_turn": _my_turn(actor, agreement),
        "may_amend": provider_side and live,
        "may_suspend": manager and agreement.status == AgreementStatus.ACTIVE,
        "may_resume": manager and agreement.status == AgreementStatus.SUSPENDED,
        "may_revoke": (actor.is_admin or signatory) and live,
        "form": {},
        **_labels(),
    }


@router.get("/agreements/{number}/v/{version}", name="agreement_version")
def version_page(
    number: str, version: int, request: Request, session: DbSession, actor: LoggedIn
) -> Response:
    found = agreements.get_agreement(session=session, actor=actor, number=number, version=version)
    return render(request, "agreements/detail.html", _detail_context(session, actor, found))


@router.post("/agreements/{number}/v/{version}/sign")
def sign(
    number: str,
    version: int,
    request: Request,
    session: DbSession,
    actor: LoggedIn,
    settings: AppSettings,
    _mail: MailAfter,
    document_sha256: Annotated[str, Form()],
) -> Response:
    signed = agreements.sign_agreement(
        session=session,
        actor=actor,
        number=number,
        version=version,
        document_sha256=document_sha256,
        secret=settings.effective_secret_key,
    )
    message = (
        _("Signed. The agreement is in force.")
        if signed.status == AgreementStatus.ACTIVE
        else _("Signed. The recipient's signatory has been asked to sign.")
    )
    flash(request, message)
    return redirect(f"/agreements/{number}/v/{version}")


def _amend_context(session: Session, actor: Actor, number: str) -> dict[str, Any]:
    current = changes.amendment_draft(session=session, actor=actor, number=number)
    resource = catalog_service.find_resource(session, current.resource_name)
    defaults = terms_.amend_defaults(current.document).model_dump()
    form: dict[str, Any] = {
        k: v for k, v in defaults.items() if v is not None and k != "row_conditions"
    }
    for i, cond in enumerate(current.document["row_conditions"][: forms.CONDITION_ROWS]):
        form |= {
            f"cond_field_{i}": cond["field"],
            f"cond_op_{i}": cond["op"],
            f"cond_values_{i}": ", ".join(map(str, cond["values"])),
        }
    form |= {
        "valid_from": current.valid_from.isoformat(),
        "valid_until": current.valid_until.isoformat(),
        "purpose": current.purpose,
        "legal_basis": current.legal_basis,
    }
    return {"agreement": current, "fields": resource.fields, "form": form, **_labels()}


@router.get("/agreements/{number}/amend", name="amend_agreement")
def amend_page(number: str, request: Request, session: DbSession, actor: LoggedIn) -> Response:
    return render(request, "agreements/amend.html", _amend_context(session, actor, number))


@router.post("/agreements/{number}/amend")
async def amend(
    number: str,
    request: Request,
    session: DbSession,
    actor: LoggedIn,
    settings: AppSettings,
    _mail: MailAfter,
) -> Response:
    form = await request.form()
    context = _amend_context(session, actor, number)
    context["form"] = forms.form_echo(form)
    remember_form(request, "agreements/amend.html", context)
    amended = changes.amend_agreement(
        session=session,
        actor=actor,
        number=number,
        terms=forms.amend_terms(form),
        secret=settings.effective_secret_key,
    )
    flash(
        request,
        _(
            "Version {version} drawn up; it takes effect when both parties have signed it.",
            version=amended.version,
        ),
    )
    return redirect(f"/agreements/{number}/v/{amended.version}")


def _remember_detail(
    request: Request, session: Session, actor: Actor, number: str, reason: str
) -> None:
    current = agreements.get_agreement(session=session, actor=actor, number=number)
    context = _detail_context(session, actor, current)
    context["form"] = {"reason": reason}
    remember_form(request, "agreements/detail.html", context)


@router.post("/agreements/{number}/suspend")
def suspend(
    number: str, request: Request, session: DbSession, actor: LoggedIn, settings: AppSettings,
    _mail: MailAfter,
    reason: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    _remember_detail(request, session, actor, number, reason)
    found = changes.suspend_agreement(
        session=session,
        actor=actor,
        number=number,
        reason=reason,
        secret=settings.effective_secret_key,
    )
    flash(request, _("Agreement {label} suspended.", label=found.label))
    return redirect(f"/agreements/{number}/v/{found.version}")


@router.post("/agreements/{number}/resume")
def resume(
    number: str,
    request: Request,
    session: DbSession,
    actor: LoggedIn,
    settings: AppSettings,
    _mail: MailAfter,
) -> Response:
    found = changes.resume_agreement(
        session=session, actor=actor, number=number, secret=settings.effective_secret_key
    )
    flash(request, _("Agreement {label} resumed.", label=found.label))
    return redirect(f"/agreements/{number}/v/{found.version}")


@router.post("/agreements/{number}/revoke")
def revoke(
    number: str, request: Request, session: DbSession, actor: LoggedIn, settings: AppSettings,
    _mail: MailAfter,
    reason: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    _remember_detail(request, session, actor, number, reason)
    found = changes.revoke_agreement(
        session=session,
        actor=actor,
        number=number,
        reason=reason,
        secret=settings.effective_secret_key,
    )
    flash(request, _("Agreement {label} revoked.", label=found.label))
    return redirect(f"/agreements/{number}/v/{found.version}")
