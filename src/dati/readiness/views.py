"""Pages of the readiness self-assessment: my assessments, the form, results, national overview,
comparison and reports. Administration pages live in admin_views.py."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from dati.auth.actor import Actor
from dati.auth.permissions import allowed
from dati.i18n import get_language, pick
from dati.i18n import gettext as _
from dati.readiness import admin_views, charts, recommendation_views
from dati.readiness.forms import Form
from dati.readiness.models import Assessment, QuestionKind
from dati.readiness.permissions import (
    EXPORT_ANSWERS,
    MANAGE_ROUNDS,
    VIEW_ALL_RESULTS,
)
from dati.readiness.services import answers as answers_service
from dati.readiness.services import distributions as distributions_service
from dati.readiness.services import exports as exports_service
from dati.readiness.services import results as results_service
from dati.readiness.services import rounds as rounds_service
from dati.readiness.services.exports import answer_text
from dati.web.deps import CurrentActor, DbSession
from dati.web.templating import flash, redirect, remember_form, render

router = APIRouter(include_in_schema=False)
# Administration routes first, so /readiness/rounds/new is not read as a round id.
router.include_router(admin_views.router)
router.include_router(recommendation_views.router)


@router.get("/readiness", name="readiness")
def index(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    mine = answers_service.list_my_assessments(session=session, actor=actor)
    rounds = rounds_service.list_rounds(session=session, actor=actor)
    return render(
        request,
        "readiness/index.html",
        {
            "mine": mine,
            "rounds": rounds,
            "can_manage": allowed(actor, MANAGE_ROUNDS),
            "can_answer": {a.id: answers_service.can_answer(actor, a) for a in mine},
        },
    )


@router.get("/readiness/rounds", name="readiness_rounds")
def rounds_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    rounds = rounds_service.list_rounds(session=session, actor=actor)
    return render(
        request,
        "readiness/rounds.html",
        {"rounds": rounds, "can_manage": allowed(actor, MANAGE_ROUNDS)},
    )


@router.get("/readiness/rounds/{round_id}", name="readiness_round")
def round_page(
    round_id: int, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    return render(
        request, "readiness/round.html", admin_views.round_context(session, actor, round_id)
    )


@router.get("/readiness/rounds/{round_id}/results", name="readiness_national")
def national_page(
    round_id: int, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    overview = results_service.national_overview(session=session, actor=actor, round_id=round_id)
    distributions = distributions_service.question_distributions(
        session=session, actor=actor, round_id=round_id
    )
    sees_all = allowed(actor, VIEW_ALL_RESULTS)
    axes = [pick(d.dimension.name_lv, d.dimension.name_en) for d in overview.dimensions]
    chart = charts.radar_svg(
        axes,
        [charts.Series(_("National average"), [d.average for d in overview.dimensions])],
        title=_("National average score by dimension"),
        chart_id="national-radar",
    )
    context: dict[str, Any] = {
        "overview": overview,
        "round": overview.round,
        "chart": chart,
        "distributions": distributions,
        "sees_all": sees_all,
        "can_export": allowed(actor, EXPORT_ANSWERS),
        "dimensions": overview.round.version.dimensions,
        "other_rounds": [
            r.round
            for r in rounds_service.list_rounds(session=session, actor=actor)
            if r.round.id != round_id
        ],
    }
    if sees_all:
        context["groups"] = results_service.ministry_scores(
            session=session, actor=actor, round_id=round_id
        )
        context["institutions"] = results_service.institution_scores(
            session=session, actor=actor, round_id=round_id
        )
    return render(request, "readiness/national.html", context)


@router.get("/readiness/rounds/{round_id}/answers.csv", name="readiness_answers_csv")
def answers_csv(round_id: int, session: DbSession, actor: CurrentActor) -> Response:
    text = exports_service.answers_csv(session=session, actor=actor, round_id=round_id)
    return Response(
        text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="readiness-round-{round_id}.csv"'},
    )


@router.get("/readiness/compare", name="readiness_compare")
def compare_page(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    before: int | None = None,
    after: int | None = None,
) -> Response:
    rounds = [r.round for r in rounds_service.list_rounds(session=session, actor=actor)]
    if (before is None or after is None) and len(rounds) >= 2:
        after, before = rounds[0].id, rounds[1].id
    comparison = None
    if before is not None and after is not None:
        comparison = results_service.compare_rounds(
            session=session, actor=actor, before_round_id=before, after_round_id=after
        )
    return render(
        request,
        "readiness/compare.html",
        {"rounds": rounds, "comparison": comparison, "before": before, "after": after},
    )


# --- one institution's assessment ------------------------------------------------------------


def _display(value: Any) -> Any:
    if isinstance(value, float):
        return str(int(value)) if value == int(value) else str(value).replace(".", ",")
    return value


def _form_context(actor: Actor, assessment: Assessment, values: dict[str, Any]) -> dict[str, Any]:
    return {
        "assessment": assessment,
        "round": assessment.round,
        "dimensions": assessment.round.version.dimensions,
        "values": values,
        "editable": answers_service.can_answer(actor, assessment),
        "can_manage": allowed(actor, MANAGE_ROUNDS),
        "by_question": {a.question_id: a for a in assessment.answers},
        "answer_text": answer_text,
        "lang": get_language(),
        "kinds": QuestionKind,
    }


@router.get("/readiness/assessments/{assessment_id}", name="readiness_assessment")
def assessment_page(
    assessment_id: int, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    assessment = answers_service.get_assessment(
        session=session, actor=actor, assessment_id=assessment_id
    )
    values = {k: _display(v) for k, v in answers_service.answer_values(assessment).items()}
    return render(request, "readiness/assessment.html", _form_context(actor, assessment, values))


@router.post("/readiness/assessments/{assessment_id}")
def assessment_save(
    assessment_id: int, request: Request, session: DbSession, actor: CurrentActor, form: Form
) -> Response:
    assessment = answers_service.get_assessment(
        session=session, actor=actor, assessment_id=assessment_id
    )
    answers: dict[str, Any] = {}
    for question in assessment.round.version.questions:
        key = f"q_{question.code}"
        if question.kind is QuestionKind.MULTIPLE:
            answers[question.code] = [str(v) for v in form.getlist(key)]
        else:
            answers[question.code] = str(form.get(key) or "")
    raw_revision = str(form.get("revision") or "")
    revision = int(raw_revision) if raw_revision.isdigit() else None
    remember_form(request, "readiness/assessment.html", _form_context(actor, assessment, answers))
    if form.get("action") == "submit":
        answers_service.submit_assessment(
            session=session,
            actor=actor,
            assessment_id=assessment_id,
            answers=answers,
            revision=revision,
        )
        flash(request, _("The assessment has been submitted. Thank you!"))
        return redirect(f"/readiness/assessments/{assessment_id}/results")
    answers_service.save_answers(
        session=session,
        actor=actor,
        assessment_id=assessment_id,
        answers=answers,
        revision=revision,
    )
    flash(request, _("Draft saved."))
    return redirect(f"/readiness/assessments/{assessment_id}")


def _result_context(result: results_service.AssessmentResult) -> dict[str, Any]:
    axes = [pick(d.dimension.name_lv, d.dimension.name_en) for d in result.dimensions]
    org = result.assessment.organisation
    series = [
        charts.Series(org.short_name, [d.score for d in result.dimensions]),
        charts.Series(_("National average"), [d.national for d in result.dimensions], "reference"),
    ]
    if result.previous_assessment is not None:
        series.append(
            charts.Series(_("Previous round"), [d.previous for d in result.dimensions], "previous")
        )
    chart = charts.radar_svg(
        axes,
        series,
        title=_("Readiness of {name} by dimension", name=pick(org.name_lv, org.name_en)),
        chart_id=f"radar-{result.assessment.id}",
    )
    return {"result": result, "assessment": result.assessment, "chart": chart}


@router.get("/readiness/assessments/{assessment_id}/results", name="readiness_results")
def results_page(
    assessment_id: int, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    result = results_service.assessment_result(
        session=session, actor=actor, assessment_id=assessment_id
    )
    return render(request, "readiness/results.html", _result_context(result))


@router.get("/readiness/assessments/{assessment_id}/report", name="readiness_report")
def report_page(
    assessment_id: int, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    result = results_service.assessment_result(
        session=session, actor=actor, assessment_id=assessment_id
    )
    context = _result_context(result)
    context["by_question"] = {a.question_id: a for a in result.assessment.answers}
    context["dimensions"] = result.assessment.round.version.dimensions
    context["answer_text"] = answer_text
    return render(request, "readiness/report.html", context)


@router.get("/readiness/assessments/{assessment_id}/report.pdf", name="readiness_report_pdf")
def report_pdf(assessment_id: int, session: DbSession, actor: CurrentActor) -> Response:
    pdf = exports_service.assessment_pdf(
        session=session, actor=actor, assessment_id=assessment_id, lang=get_language()
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"content-disposition": f'inline; filename="readiness-report-{assessment_id}.pdf"'},
    )
