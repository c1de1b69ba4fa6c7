"""Pages for access requests: the list, the request form, the detail page with the steward's
review (approve with narrowing, or reject) and the requester's withdrawal."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from dati import clock
from dati.auth.actor import Actor, Role
from dati.catalog import service as catalog_service
from dati.exchange.agreements import forms
from dati.exchange.agreements.models import AccessRequest, RequestStatus
from dati.exchange.agreements.rendering import OPERATOR_WORDS
from dati.exchange.agreements.services import notifications, requests
from dati.exchange.agreements.web import LoggedIn, MailAfter
from dati.i18n import gettext as _
from dati.orgs.models import Organisation
from dati.web.deps import AppSettings, DbSession
from dati.web.templating import flash, redirect, remember_form, render

router = APIRouter(include_in_schema=False)

STATUS_LABELS = {
    "submitted": "Awaiting review",
    "approved": "Approved",
    "rejected": "Rejected",
    "withdrawn": "Withdrawn",
}
EVENT_LABELS = {
    "submitted": "Submitted",
    "approved": "Approved",
    "rejected": "Rejected",
    "withdrawn": "Withdrawn",
}


def _labels() -> dict[str, Any]:
    return {
        "status_labels": STATUS_LABELS,
        "event_labels": EVENT_LABELS,
        "operators": OPERATOR_WORDS,
        "condition_rows": range(forms.CONDITION_ROWS),
    }


@router.get("/access-requests", name="access_requests")
def list_page(
    request: Request,
    session: DbSession,
    actor: LoggedIn,
    direction: str = "all",
    status: str = "",
) -> Response:
    chosen = forms.direction(direction)
    wanted = RequestStatus(status) if status in {s.value for s in RequestStatus} else None
    found = requests.list_requests(session=session, actor=actor, direction=chosen, status=wanted)
    to_review = [
        r
        for r in found
        if r.status == RequestStatus.SUBMITTED and actor.has_role(Role.STEWARD, r.provider_org_id)
    ]
    return render(
        request,
        "agreements/requests.html",
        {
            "requests": found,
            "to_review": to_review,
            "direction": chosen,
            "status": status,
            "statuses": list(RequestStatus),
            "unread": notifications.count_unread(session, actor),
            "may_request": bool(actor.org_ids(Role.RECIPIENT, Role.STEWARD)),
            **_labels(),
        },
    )


def _new_context(session: Session, actor: Actor, resource_name: str) -> dict[str, Any]:
    resources = requests.requestable_resources(session=session, actor=actor)
    chosen = next((r for r in resources if r.name == resource_name), None)
    orgs = sorted(_orgs(session, actor), key=lambda o: o.short_name)
    today = clock.today()
    return {
        "resources": resources,
        "resource": chosen,
        "orgs": orgs,
        "form": {
            "resource": resource_name,
            "valid_from": today.isoformat(),
            "valid_until": (today + timedelta(days=365)).isoformat(),
            "requests_per_day": "1000",
            "rows_per_day": "10000",
            "fields": [],
            "org": orgs[0].short_name if len(orgs) == 1 else "",
        },
    }


def _orgs(session: Session, actor: Actor) -> list[Organisation]:
    ids = actor.org_ids(Role.RECIPIENT, Role.STEWARD)
    return [o for o in (session.get(Organisation, i) for i in ids) if o is not None]


@router.get("/access-requests/new", name="new_access_request")
def new_page(request: Request, session: DbSession, actor: LoggedIn, resource: str = "") -> Response:
    return render(request, "agreements/request_new.html", _new_context(session, actor, resource))


@router.post("/access-requests/new")
async def submit(
    request: Request, session: DbSession, actor: LoggedIn, settings: AppSettings, _mail: MailAfter
) -> Response:
    form = await request.form()
    context = _new_context(session, actor, str(form.get("resource") or ""))
    context["form"] = forms.form_echo(form)
    remember_form(request, "agreements/request_new.html", context)
    created = requests.submit_request(
        session=session,
        actor=actor,
        data=forms.request_create(form),
        secret=settings.effective_secret_key,
    )
    flash(
        request,
        _(
            "Request {number} sent to {provider}.",
            number=created.number,
            provider=created.provider.short_name,
        ),
    )
    return redirect(f"/access-requests/{created.number}")


def _detail_context(session: Session, actor: Actor, found: AccessRequest) -> dict[str, Any]:
    resource = catalog_service.find_resource(session, found.resource_name)
    requested = [f for f in resource.fields if f.name in set(found.fields)]
    return {
        "req": found,
        "agreement": requests.agreement_of(session, found),
        "requested_fields": requested,
        "all_fields": resource.fields,
        "may_review": found.status == RequestStatus.SUBMITTED
        and (actor.is_admin or actor.has_role(Role.STEWARD, found.provider_org_id)),
        "may_withdraw": found.status == RequestStatus.SUBMITTED
        and (
            actor.has_role(Role.RECIPIENT, found.recipient_org_id)
            or actor.has_role(Role.STEWARD, found.recipient_org_id)
        ),
        "form": {
            "fields": list(found.fields),
            "pseudonymised_fields": [
                f.name for f in requested if f.classification.value == "personal_identifier"
            ],
            "valid_from": found.valid_from.isoformat(),
            "valid_until": found.valid_until.isoformat(),
            "requests_per_day": str(found.requests_per_day),
            "rows_per_day": str(found.rows_per_day),
            "retention_days": "365",
            "version_policy": "latest",
        },
        **_labels(),
    }


@router.get("/access-requests/{number}", name="access_request")
def detail(number: str, request: Request, session: DbSession, actor: LoggedIn) -> Response:
    found = requests.get_request(session=session, actor=actor, number=number)
    return render(request, "agreements/request_detail.html", _detail_context(session, actor, found))


def _remember_detail(
    request: Request, session: Session, actor: Actor, number: str, form: Any
) -> None:
    found = requests.find_request(session, number)
    context = _detail_context(session, actor, found)
    context["form"] = {**context["form"], **forms.form_echo(form)}
    remember_form(request, "agreements/request_detail.html", context)


@router.post("/access-requests/{number}/approve")
async def approve(
    number: str,
    request: Request,
    session: DbSession,
    actor: LoggedIn,
    settings: AppSettings,
    _mail: MailAfter,
) -> Response:
    form = await request.form()
    _remember_detail(request, session, actor, number, form)
    agreement = requests.approve_request(
        session=session,
        actor=actor,
        number=number,
        terms=forms.review_terms(form),
        secret=settings.effective_secret_key,
    )
    flash(
        request,
        _("Request approved. Agreement {number} awaits signatures.", number=agreement.number),
    )
    return redirect(f"/agreements/{agreement.number}/v/{agreement.version}")


@router.post("/access-requests/{number}/reject")
async def reject(
    number: str,
    request: Request,
    session: DbSession,
    actor: LoggedIn,
    settings: AppSettings,
    _mail: MailAfter,
) -> Response:
    form = await request.form()
    _remember_detail(request, session, actor, number, form)
    requests.reject_request(
        session=session,
        actor=actor,
        number=number,
        reason=str(form.get("reason") or ""),
        secret=settings.effective_secret_key,
    )
    flash(request, _("Request {number} rejected.", number=number))
    return redirect(f"/access-requests/{number}")


@router.post("/access-requests/{number}/withdraw")
def withdraw(
    number: str,
    request: Request,
    session: DbSession,
    actor: LoggedIn,
    settings: AppSettings,
    _mail: MailAfter,
) -> Response:
    requests.withdraw_request(
        session=session, actor=actor, number=number, secret=settings.effective_secret_key
    )
    flash(request, _("Request {number} withdrawn.", number=number))
    return redirect(f"/access-requests/{number}")
