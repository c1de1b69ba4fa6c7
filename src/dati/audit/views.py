"""Pages: the audit log with filters and CSV export, the integrity check, access times, and the
citizen's view of who accessed data about them."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse

from dati.audit import charts, service
from dati.audit.schemas import AccessTimes, EntryFilter
from dati.auth.actor import Role
from dati.web.deps import AppSettings, CurrentActor, DbSession
from dati.web.templating import redirect, remember_form, render

router = APIRouter(include_in_schema=False)

FILTER_FIELDS = (
    "date_from", "date_to", "action", "org", "provider", "resource", "agreement", "outcome",
    "person",
)  # fmt: skip
# English message ids, translated in the templates (as ROLE_LABELS in auth).
ACTION_GROUPS = {
    "data.": "Data access",
    "request.": "Access requests",
    "agreement.": "Agreements",
    "key.": "Signing keys",
}
ACTION_LABELS = {
    "data.read": "Data served",
    "data.denied": "Data access refused",
    "request.submitted": "Access request submitted",
    "request.approved": "Access request approved",
    "request.rejected": "Access request rejected",
    "request.withdrawn": "Access request withdrawn",
    "agreement.created": "Agreement drawn up",
    "agreement.signed": "Agreement signed",
    "agreement.activated": "Agreement in force",
    "agreement.amended": "Agreement amended",
    "agreement.suspended": "Agreement suspended",
    "agreement.resumed": "Agreement resumed",
    "agreement.revoked": "Agreement revoked",
    "agreement.expired": "Agreement expired",
    "key.created": "Signing key created",
    "key.rotated": "Signing key rotated",
}
OUTCOME_LABELS = {"ok": "Served", "denied": "Refused", "error": "Failed"}
PROBLEM_LABELS = {
    "modified": "Modified",
    "forged": "Forged",
    "missing": "Deleted",
    "inserted": "Inserted",
    "reordered": "Reordered",
    "truncated": "Cut off",
    "checkpoint": "Checkpoint",
    "key": "Key",
    "subjects": "People changed",
}
# Machine words some entries carry as their detail (the basis of a read, the party that signed).
DETAIL_LABELS = {
    "agreement": "under the agreement",
    "owner": "the institution's own data",
    "platform": "platform job",
    "provider": "the provider",
    "recipient": "the recipient",
}
LABELS = {
    "detail_labels": DETAIL_LABELS,
    "action_groups": ACTION_GROUPS,
    "action_labels": ACTION_LABELS,
    "outcome_labels": OUTCOME_LABELS,
    "problem_labels": PROBLEM_LABELS,
}


def _filters(request: Request) -> tuple[EntryFilter, dict[str, str]]:
    """The filter form's values; empty fields mean 'any'."""
    form = {name: request.query_params.get(name, "").strip() for name in FILTER_FIELDS}
    return EntryFilter.model_validate({k: v for k, v in form.items() if v}), form


@router.get("/audit", name="audit")
def audit_home() -> Response:
    return redirect("/audit/log", status_code=307)


@router.get("/audit/log", name="audit_log")
def audit_log(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    settings: AppSettings,
    before: Annotated[int | None, Query()] = None,
) -> Response:
    context: dict[str, object] = {
        "form": {name: request.query_params.get(name, "") for name in FILTER_FIELDS},
        **LABELS,
        "page": None,
        "query": request.url.query,
        "sees_people": actor.is_admin or actor.has_role(Role.AUDITOR),
    }
    remember_form(request, "audit/log.html", context)
    filters, form = _filters(request)
    page = service.list_entries(
        session=session,
        actor=actor,
        filters=filters,
        secret=settings.effective_secret_key,
        before=before,
    )
    query = urlencode({k: v for k, v in form.items() if v})
    return render(request, "audit/log.html", {**context, "page": page, "query": query})


@router.get("/audit/log.csv", name="audit_log_csv")
def audit_log_csv(
    request: Request, session: DbSession, actor: CurrentActor, settings: AppSettings
) -> Response:
    filters, _form = _filters(request)
    rows = service.export_entries_csv(
        session=session, actor=actor, filters=filters, secret=settings.effective_secret_key
    )
    return StreamingResponse(
        rows,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
    )


@router.get("/audit/integrity", name="audit_integrity")
def integrity(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    checkpoints = service.list_checkpoints(session=session, actor=actor)
    keys = service.list_platform_keys(session=session, actor=actor)
    return render(
        request,
        "audit/integrity.html",
        {"checkpoints": checkpoints, "keys": keys, "report": None, **LABELS},
    )


@router.post("/audit/integrity")
def run_integrity_check(
    request: Request, session: DbSession, actor: CurrentActor, settings: AppSettings
) -> Response:
    report = service.verify_log(session=session, actor=actor, secret=settings.effective_secret_key)
    checkpoints = service.list_checkpoints(session=session, actor=actor)
    keys = service.list_platform_keys(session=session, actor=actor)
    return render(
        request,
        "audit/integrity.html",
        {"checkpoints": checkpoints, "keys": keys, "report": report, **LABELS},
    )


@router.get("/audit/access-times", name="access_times")
def access_times(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    days: Annotated[int, Query(ge=1, le=366)] = 30,
    resource: str = "",
    recipient: str = "",
) -> Response:
    chosen = {"days": days, "resource": resource, "recipient": recipient}
    empty = AccessTimes(days=days, pairs=[], daily=[])
    remember_form(
        request,
        "audit/access_times.html",
        {**chosen, "times": empty, "chart": charts.latency_chart([])},
    )
    times = service.access_times(
        session=session,
        actor=actor,
        days=days,
        resource=resource or None,
        recipient=recipient.strip() or None,
    )
    chart = charts.latency_chart(times.daily)
    return render(request, "audit/access_times.html", {**chosen, "times": times, "chart": chart})


@router.get("/me/accesses", name="my_accesses")
def my_accesses(
    request: Request, session: DbSession, actor: CurrentActor, settings: AppSettings
) -> Response:
    accesses = service.my_accesses(
        session=session, actor=actor, secret=settings.effective_secret_key
    )
    return render(request, "audit/me.html", {"accesses": accesses})
