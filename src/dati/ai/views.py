"""Pages of the AI register for AI officers, auditors and policy owners."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, Response
from sqlalchemy.orm import Session

from dati.ai import classify_views, pages, register_views
from dati.ai.models import AiRole, DataUsage, Lifecycle, ObligationStatus, Sourcing, Technique
from dati.ai.obligations import legacy_deadline_note, non_public_registration
from dati.ai.permissions import LIST_SYSTEMS
from dati.ai.schemas import AiSystemCreate, AiSystemUpdate, EvidenceLinkCreate, ObligationUpdate
from dati.ai.services import assessments, compliance, lineage, overview, systems
from dati.ai.services.access import can_manage
from dati.ai.services.compliance import MAX_EVIDENCE_BYTES
from dati.ai.services.history import ACTION_LABELS, FIELD_LABELS
from dati.ai.verdict import RISK_CLASS_LABELS, RiskClass
from dati.auth.actor import Actor
from dati.auth.permissions import allowed
from dati.i18n import gettext as _
from dati.web.deps import AppSettings, CurrentActor, DbSession
from dati.web.templating import flash, redirect, remember_form, render

router = APIRouter(include_in_schema=False)

TEXT_FIELDS = [
    "org",
    "name_lv",
    "name_en",
    "purpose_lv",
    "purpose_en",
    "problem_lv",
    "problem_en",
    "technique",
    "role",
    "lifecycle",
    "sourcing",
    "vendor",
    "human_oversight_lv",
    "human_oversight_en",
    "affected_groups_lv",
    "affected_groups_en",
    "legal_basis",
    "data_sources",
    "quality_benefit_lv",
    "quality_benefit_en",
    "contact_name",
    "contact_email",
    "publish_exemption",
]
OPTIONAL_FIELDS = [
    "build_cost_eur",
    "yearly_run_cost_eur",
    "hours_saved_per_year",
    "cost_saving_eur_per_year",
    "in_service_since",
    "retired_on",
]


@router.get("/ai", name="ai_home")
def ai_home(actor: CurrentActor) -> Response:
    # Staff land on their register; everyone else on the public transparency register.
    return redirect("/ai/systems" if allowed(actor, LIST_SYSTEMS) else "/ai/register")


@router.get("/ai/systems", name="ai_systems")
def systems_page(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    org: str = "",
    lifecycle: str = "",
    risk_class: str = "",
    q: str = "",
) -> Response:
    chosen_lifecycle = Lifecycle(lifecycle) if lifecycle in Lifecycle._value2member_map_ else None
    chosen_class = RiskClass(risk_class) if risk_class in RiskClass._value2member_map_ else None
    found = systems.list_systems(
        session=session,
        actor=actor,
        org=org or None,
        lifecycle=chosen_lifecycle,
        risk_class=chosen_class,
        q=q or None,
    )
    board = compliance.obligations_dashboard(session=session, actor=actor)
    context = pages.context(
        systems=found,
        overdue=Counter(v.row.system_id for v in board.overdue),
        orgs=systems.manageable_organisations(session=session, actor=actor),
        filters={"org": org, "lifecycle": lifecycle, "risk_class": risk_class, "q": q},
        lifecycles=list(Lifecycle),
        classes=list(RiskClass),
    )
    return render(request, "ai/systems.html", context)


def _form_context(
    session: Session, actor: Actor, form: dict[str, Any], system: Any
) -> dict[str, Any]:
    return pages.context(
        form=form,
        system=system,
        orgs=systems.manageable_organisations(session=session, actor=actor),
        techniques=list(Technique),
        roles=list(AiRole),
        lifecycles=list(Lifecycle),
        sourcings=list(Sourcing),
    )


def _system_fields(form: Any) -> dict[str, Any]:
    """Form fields as schema input: blank numbers and dates are 'not given'."""
    data: dict[str, Any] = {name: str(form.get(name, "")).strip() for name in TEXT_FIELDS}
    for name in OPTIONAL_FIELDS:
        value = str(form.get(name, "")).strip()
        data[name] = value or None
    data["publish"] = form.get("publish") == "on"
    return data


@router.get("/ai/systems/new", name="ai_system_new")
def new_system(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    form = {"publish": "on", "role": "deployer", "lifecycle": "idea", "sourcing": "in_house"}
    return render(request, "ai/system_form.html", _form_context(session, actor, form, None))


@router.post("/ai/systems/new")
async def create_system(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    form = await request.form()
    data = _system_fields(form)
    shown = {**data, "publish": "on" if data["publish"] else ""}
    remember_form(request, "ai/system_form.html", _form_context(session, actor, shown, None))
    system = systems.create_system(
        session=session, actor=actor, data=AiSystemCreate.model_validate(data)
    )
    flash(request, _("The AI system is registered. Now run the AI Act check."))
    return redirect(f"/ai/systems/{system.id}/classify")


def system_context(session: Session, actor: Actor, system_id: int) -> dict[str, Any]:
    system = systems.get_system(session=session, actor=actor, system_id=system_id)
    current = assessments.current_classification(session=session, actor=actor, system_id=system_id)
    result = current[1] if current else None
    return pages.context(
        system=system,
        assessment=current[0] if current else None,
        result=result,
        obligations=compliance.list_obligations(session=session, actor=actor, system_id=system_id),
        datasets=lineage.list_datasets(session=session, actor=actor, system_id=system_id),
        usages=list(DataUsage),
        changes=systems.list_changes(session=session, actor=actor, system_id=system_id),
        field_labels=FIELD_LABELS,
        action_labels=ACTION_LABELS,
        can_manage=can_manage(actor, system),
        statuses=list(ObligationStatus),
        non_public=result is not None and non_public_registration(result),
        legacy_note=result is not None and legacy_deadline_note(result, system.in_service_since),
        max_mb=MAX_EVIDENCE_BYTES // (1024 * 1024),
    )


@router.get("/ai/systems/{system_id}", name="ai_system")
def system_page(
    system_id: int, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    return render(request, "ai/system.html", system_context(session, actor, system_id))


@router.get("/ai/systems/{system_id}/edit", name="ai_system_edit")
def edit_system(
    system_id: int, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    system = systems.get_system(session=session, actor=actor, system_id=system_id)
    form = {c.key: getattr(system, c.key) for c in system.__table__.columns}
    form = {
        k: (v.value if hasattr(v, "value") else ("" if v is None else v)) for k, v in form.items()
    }
    form["publish"] = "on" if system.publish else ""
    form["org"] = system.org.short_name
    return render(request, "ai/system_form.html", _form_context(session, actor, form, system))


@router.post("/ai/systems/{system_id}/edit")
async def update_system(
    system_id: int, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    system = systems.get_system(session=session, actor=actor, system_id=system_id)
    form = await request.form()
    data = _system_fields(form)
    data.pop("org")
    shown = {**data, "publish": "on" if data["publish"] else "", "org": system.org.short_name}
    remember_form(request, "ai/system_form.html", _form_context(session, actor, shown, system))
    systems.update_system(
        session=session, actor=actor, system_id=system_id, data=AiSystemUpdate.model_validate(data)
    )
    flash(request, _("Changes saved."))
    return redirect(f"/ai/systems/{system_id}")


# --- datasets ------------------------------------------------------------------------------------


@router.post("/ai/systems/{system_id}/datasets")
def link_dataset(
    system_id: int,
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    resource: Annotated[str, Form(max_length=100)] = "",
    usage: Annotated[DataUsage, Form()] = DataUsage.INPUT,
) -> Response:
    context = system_context(session, actor, system_id)
    remember_form(request, "ai/system.html", {**context, "form": {"resource": resource}})
    lineage.link_dataset(
        session=session, actor=actor, system_id=system_id, resource=resource, usage=usage
    )
    flash(request, _("Dataset linked."))
    return redirect(f"/ai/systems/{system_id}#datasets")


@router.post("/ai/systems/{system_id}/datasets/{link_id}/delete")
def unlink_dataset(
    system_id: int, link_id: int, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    lineage.unlink_dataset(session=session, actor=actor, system_id=system_id, link_id=link_id)
    flash(request, _("Dataset link removed."))
    return redirect(f"/ai/systems/{system_id}#datasets")


# --- obligations and evidence --------------------------------------------------------------------


@router.post("/ai/obligations/{obligation_id}")
def update_obligation(
    obligation_id: int,
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    system_id: Annotated[int, Form()],
    status: Annotated[ObligationStatus, Form()],
    note: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    context = system_context(session, actor, system_id)
    remember_form(request, "ai/system.html", {**context, "error_obligation": obligation_id})
    compliance.update_obligation(
        session=session,
        actor=actor,
        obligation_id=obligation_id,
        data=ObligationUpdate(status=status, note=note),
    )
    flash(request, _("Obligation updated."))
    return redirect(f"/ai/systems/{system_id}#obligation-{obligation_id}")


@router.post("/ai/obligations/{obligation_id}/evidence")
async def add_evidence(
    obligation_id: int,
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    settings: AppSettings,
    system_id: Annotated[int, Form()],
    title: Annotated[str, Form(max_length=300)] = "",
    url: Annotated[str, Form(max_length=1000)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    context = system_context(session, actor, system_id)
    remember_form(request, "ai/system.html", {**context, "error_obligation": obligation_id})
    if file is not None and file.filename:
        content = await file.read(MAX_EVIDENCE_BYTES + 1)
        compliance.add_evidence_file(
            session=session,
            actor=actor,
            obligation_id=obligation_id,
            title=title,
            filename=file.filename,
            content=content,
            data_dir=settings.data_dir,
        )
    else:
        compliance.add_evidence_link(
            session=session,
            actor=actor,
            obligation_id=obligation_id,
            data=EvidenceLinkCreate.model_validate({"title": title or url, "url": url}),
        )
    flash(request, _("Evidence added."))
    return redirect(f"/ai/systems/{system_id}#obligation-{obligation_id}")


@router.get("/ai/evidence/{evidence_id}", name="ai_evidence")
def download_evidence(
    evidence_id: int, session: DbSession, actor: CurrentActor, settings: AppSettings
) -> FileResponse:
    path, media_type, name = compliance.evidence_file(
        session=session, actor=actor, evidence_id=evidence_id, data_dir=settings.data_dir
    )
    return FileResponse(
        path, media_type=media_type, filename=name, headers={"X-Content-Type-Options": "nosniff"}
    )


@router.post("/ai/evidence/{evidence_id}/delete")
def delete_evidence(
    evidence_id: int,
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    settings: AppSettings,
    system_id: Annotated[int, Form()],
) -> Response:
    compliance.remove_evidence(
        session=session, actor=actor, evidence_id=evidence_id, data_dir=settings.data_dir
    )
    flash(request, _("Evidence removed."))
    return redirect(f"/ai/systems/{system_id}#obligations")


@router.get("/ai/obligations", name="ai_obligations")
def obligations_page(
    request: Request, session: DbSession, actor: CurrentActor, org: str = ""
) -> Response:
    board = compliance.obligations_dashboard(session=session, actor=actor, org=org or None)
    return render(request, "ai/obligations.html", pages.context(board=board, org=org))


@router.get("/ai/overview", name="ai_overview")
def overview_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    o = overview.overview(session=session, actor=actor)
    unclassified = _("Not yet classified")
    class_rows = [(_(RISK_CLASS_LABELS[c]) if c else unclassified, n) for c, n in o.by_class]
    share_rows = []
    for s in o.shares:
        share_rows += [
            (_("{answer}: survey", answer=s.label), s.survey_percent),
            (_("{answer}: register", answer=s.label), s.percent),
        ]
    return render(
        request,
        "ai/overview.html",
        pages.context(o=o, class_rows=class_rows, share_rows=share_rows),
    )


router.include_router(classify_views.router)
router.include_router(register_views.router)
