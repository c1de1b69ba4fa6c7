"""Administration pages: open and manage rounds, edit questionnaire versions, edit recommendations."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from dati import clock
from dati.auth.permissions import allowed
from dati.i18n import gettext as _
from dati.readiness.forms import Form, text
from dati.readiness.models import QuestionKind, QuestionnaireVersion
from dati.readiness.permissions import EXPORT_ANSWERS, MANAGE_ROUNDS, VIEW_ALL_RESULTS
from dati.readiness.schemas import (
    QuestionCreate,
    QuestionUpdate,
    RoundCreate,
    RoundUpdate,
)
from dati.readiness.services import answers as answers_service
from dati.readiness.services import questionnaires as questionnaires_service
from dati.readiness.services import rounds as rounds_service
from dati.web.deps import CurrentActor, DbSession
from dati.web.templating import flash, redirect, remember_form, render

router = APIRouter(include_in_schema=False)


# --- rounds ----------------------------------------------------------------------------------


def round_context(session: DbSession, actor: CurrentActor, round_id: int) -> dict[str, Any]:
    """What the round page shows: the round, each institution's progress, allowed actions."""
    rnd = rounds_service.get_round(session=session, actor=actor, round_id=round_id)
    progress = rounds_service.round_progress(session=session, actor=actor, round_id=round_id)
    return {
        "round": rnd,
        "progress": progress,
        "deadline_passed": rounds_service.deadline_passed(rnd),
        "can_manage": allowed(actor, MANAGE_ROUNDS),
        "sees_all": allowed(actor, VIEW_ALL_RESULTS),
        "can_export": allowed(actor, EXPORT_ANSWERS),
    }


def _round_form_context(
    session: DbSession, actor: CurrentActor, form: dict[str, Any]
) -> dict[str, Any]:
    institutions = rounds_service.eligible_institutions(session=session, actor=actor)
    groups = {
        kind: [o for o in institutions if o.kind is kind]
        for kind in rounds_service.RESPONDENT_KINDS
    }
    versions = [
        v
        for v in questionnaires_service.list_versions(session=session, actor=actor)
        if v.is_published
    ]
    return {"groups": groups, "versions": versions, "form": form}


@router.get("/readiness/rounds/new", name="readiness_round_new")
def new_round(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    today = clock.today()
    form = {
        "opens_on": today.isoformat(),
        "deadline": (today + timedelta(days=30)).isoformat(),
        "institutions": [],
        "all_kinds": [],
    }
    return render(request, "readiness/round_new.html", _round_form_context(session, actor, form))


@router.post("/readiness/rounds")
def create_round(request: Request, session: DbSession, actor: CurrentActor, form: Form) -> Response:
    chosen = [str(v) for v in form.getlist("institutions")]
    all_kinds = [str(v) for v in form.getlist("all_kinds")]
    values: dict[str, Any] = {
        "title_lv": text(form, "title_lv"),
        "title_en": text(form, "title_en"),
        "opens_on": text(form, "opens_on"),
        "deadline": text(form, "deadline"),
        "version_id": text(form, "version_id"),
        "institutions": chosen,
        "all_kinds": all_kinds,
    }
    context = _round_form_context(session, actor, values)
    remember_form(request, "readiness/round_new.html", context)
    for kind, orgs in context["groups"].items():
        if kind.value in all_kinds:
            chosen.extend(o.short_name for o in orgs)
    data = RoundCreate.model_validate(
        {
            **values,
            "opens_on": values["opens_on"] or None,
            "deadline": values["deadline"] or None,
            "version_id": values["version_id"] or None,
            "institutions": list(dict.fromkeys(chosen)),
        }
    )
    rnd = rounds_service.create_round(session=session, actor=actor, data=data)
    flash(request, _("Round opened for {count} institutions.", count=len(rnd.assessments)))
    return redirect(f"/readiness/rounds/{rnd.id}")


@router.post("/readiness/rounds/{round_id}/deadline")
def change_deadline(
    round_id: int, request: Request, session: DbSession, actor: CurrentActor, form: Form
) -> Response:
    remember_form(request, "readiness/round.html", round_context(session, actor, round_id))
    data = RoundUpdate.model_validate({"deadline": text(form, "deadline")})
    rounds_service.update_round(session=session, actor=actor, round_id=round_id, data=data)
    flash(request, _("Deadline changed."))
    return redirect(f"/readiness/rounds/{round_id}")


@router.post("/readiness/rounds/{round_id}/close")
def close_round(
    round_id: int, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    rounds_service.close_round(session=session, actor=actor, round_id=round_id)
    flash(request, _("The round is closed; its results are final."))
    return redirect(f"/readiness/rounds/{round_id}")


@router.post("/readiness/assessments/{assessment_id}/reopen")
def reopen(
    assessment_id: int, request: Request, session: DbSession, actor: CurrentActor, form: Form
) -> Response:
    assessment = answers_service.reopen_assessment(
        session=session, actor=actor, assessment_id=assessment_id, reason=text(form, "reason")
    )
    flash(
        request,
        _(
            "The assessment of {name} is open for changes again.",
            name=assessment.organisation.short_name,
        ),
    )
    return redirect(f"/readiness/rounds/{assessment.round_id}")


# --- questionnaires --------------------------------------------------------------------------


@router.get("/readiness/questionnaires", name="readiness_questionnaires")
def questionnaires(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    versions = questionnaires_service.list_versions(session=session, actor=actor)
    return render(request, "readiness/questionnaires.html", {"versions": versions})


@router.post("/readiness/questionnaires/standard")
def install_standard(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    result = questionnaires_service.install_standard(session=session, actor=actor)
    flash(
        request,
        _(
            "The standard questionnaire is loaded (version {number}).",
            number=result.version.version,
        ),
    )
    return redirect(f"/readiness/questionnaires/{result.version.id}")


@router.get("/readiness/questionnaires/{version_id}", name="readiness_questionnaire")
def questionnaire(
    version_id: int, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    version = questionnaires_service.get_version(
        session=session, actor=actor, version_id=version_id
    )
    return render(request, "readiness/questionnaire.html", {"version": version})


@router.post("/readiness/questionnaires/{version_id}/draft")
def create_draft(
    version_id: int, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    draft = questionnaires_service.create_draft(session=session, actor=actor, version_id=version_id)
    flash(
        request, _("Draft version {number} created; edit it and publish it.", number=draft.version)
    )
    return redirect(f"/readiness/questionnaires/{draft.id}")


@router.post("/readiness/questionnaires/{version_id}/publish")
def publish(version_id: int, request: Request, session: DbSession, actor: CurrentActor) -> Response:
    version = questionnaires_service.publish_version(
        session=session, actor=actor, version_id=version_id
    )
    flash(
        request,
        _("Version {number} is published and can no longer change.", number=version.version),
    )
    return redirect(f"/readiness/questionnaires/{version.id}")


@router.post("/readiness/questionnaires/{version_id}/discard")
def discard(version_id: int, request: Request, session: DbSession, actor: CurrentActor) -> Response:
    questionnaires_service.discard_draft(session=session, actor=actor, version_id=version_id)
    flash(request, _("The draft was discarded."))
    return redirect("/readiness/questionnaires")


OPTION_ROWS_EXTRA = 3


def _question_form(
    version: QuestionnaireVersion, values: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    options = list(values.get("options") or [])
    options += [{} for _ in range(OPTION_ROWS_EXTRA)]
    return {
        "version": version,
        "form": values,
        "options": options,
        "kinds": list(QuestionKind),
        **extra,
    }


def _question_values(form: FormData) -> dict[str, Any]:
    """The question form's fields, with empty numbers as None and decimal commas as points."""
    values: dict[str, Any] = {
        name: text(form, name)
        for name in (
            "code",
            "dimension",
            "kind",
            "text_lv",
            "text_en",
            "help_lv",
            "help_en",
            "unit_lv",
            "unit_en",
            "low_label_lv",
            "low_label_en",
            "high_label_lv",
            "high_label_en",
            "thresholds",
            "survey_topic",
        )
    }
    for name in ("weight", "base_points", "min_value", "max_value"):
        raw = text(form, name).replace(",", ".")
        values[name] = raw or None
    values["weight"] = values["weight"] or "1"
    values["base_points"] = values["base_points"] or "0"
    values["required"] = form.get("required") == "on"
    values["survey_topic"] = values["survey_topic"] or None
    options = []
    for i in range(int(text(form, "option_rows") or 0)):
        row = {
            "code": text(form, f"opt_{i}_code"),
            "label_lv": text(form, f"opt_{i}_label_lv"),
            "label_en": text(form, f"opt_{i}_label_en"),
            "points": text(form, f"opt_{i}_points").replace(",", ".") or "0",
            "exclusive": form.get(f"opt_{i}_exclusive") == "on",
            "survey_answer": text(form, f"opt_{i}_survey") or None,
        }
        if row["code"] or row["label_lv"]:
            options.append(row)
    values["options"] = options
    return values


@router.get("/readiness/questionnaires/{version_id}/questions/new", name="readiness_question_new")
def new_question(
    version_id: int, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    version = questionnaires_service.get_draft_for_edit(
        session=session, actor=actor, version_id=version_id
    )
    values = {"kind": "single", "weight": "1", "base_points": "0", "options": []}
    return render(
        request, "readiness/question_form.html", _question_form(version, values, question=None)
    )


@router.post("/readiness/questionnaires/{version_id}/questions")
def add_question(
    version_id: int, request: Request, session: DbSession, actor: CurrentActor, form: Form
) -> Response:
    version = questionnaires_service.get_draft_for_edit(
        session=session, actor=actor, version_id=version_id
    )
    values = _question_values(form)
    remember_form(
        request, "readiness/question_form.html", _question_form(version, values, question=None)
    )
    questionnaires_service.add_question(
        session=session,
        actor=actor,
        version_id=version_id,
        data=QuestionCreate.model_validate(values),
    )
    flash(request, _("Question added."))
    return redirect(f"/readiness/questionnaires/{version_id}")


@router.get("/readiness/questions/{question_id}/edit", name="readiness_question_edit")
def edit_question(
    question_id: int, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    question = questionnaires_service.get_question_for_edit(
        session=session, actor=actor, question_id=question_id
    )
    values: dict[str, Any] = {
        name: getattr(question, name)
        for name in QuestionUpdate.model_fields
        if name not in ("dimension", "options", "thresholds", "kind")
    }
    values.update(
        code=question.code,
        dimension=question.dimension.code,
        kind=question.kind.value,
        thresholds="; ".join(f"{a:g}:{b:g}" for a, b in question.thresholds or []),
        options=[
            {
                "code": o.code,
                "label_lv": o.label_lv,
                "label_en": o.label_en,
                "points": f"{o.points:g}",
                "exclusive": o.exclusive,
                "survey_answer": o.survey_answer,
            }
            for o in question.options
        ],
    )
    return render(
        request,
        "readiness/question_form.html",
        _question_form(question.version, values, question=question),
    )


@router.post("/readiness/questions/{question_id}")
def update_question(
    question_id: int, request: Request, session: DbSession, actor: CurrentActor, form: Form
) -> Response:
    question = questionnaires_service.get_question_for_edit(
        session=session, actor=actor, question_id=question_id
    )
    values = _question_values(form)
    values["code"] = question.code
    remember_form(
        request,
        "readiness/question_form.html",
        _question_form(question.version, values, question=question),
    )
    questionnaires_service.update_question(
        session=session,
        actor=actor,
        question_id=question_id,
        data=QuestionUpdate.model_validate(values),
    )
    flash(request, _("Question saved."))
    return redirect(f"/readiness/questionnaires/{question.version_id}")


@router.post("/readiness/questions/{question_id}/delete")
def delete_question(
    question_id: int, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    version = questionnaires_service.delete_question(
        session=session, actor=actor, question_id=question_id
    )
    flash(request, _("Question removed."))
    return redirect(f"/readiness/questionnaires/{version.id}")
