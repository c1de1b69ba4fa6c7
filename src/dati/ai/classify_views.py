"""The guided AI Act questionnaire: one section per step, answers in the query string, the result
with the law it rests on; for a registered system the result can be saved."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from dati.ai import pages, questionnaire
from dati.ai.models import AiRole
from dati.ai.obligations import obligations_for
from dati.ai.questions import Answers
from dati.ai.services import assessments, systems
from dati.ai.services.access import can_manage
from dati.i18n import gettext as _
from dati.web.deps import CurrentActor, DbSession
from dati.web.templating import flash, redirect, render

router = APIRouter(include_in_schema=False)


def _link(base: str, answers: Answers, step: int, **extra: str) -> str:
    pairs = [("started", "1"), ("step", str(step)), *questionnaire.params_of(answers)]
    pairs += list(extra.items())
    return f"{base}?{urlencode(pairs)}"


def _wizard(
    request: Request, actor: CurrentActor, base: str, answers: Answers, **extra: Any
) -> Response:
    steps = questionnaire.steps(answers)
    step = questionnaire.step_index(request.query_params.get("step"), answers)
    context: dict[str, Any] = pages.context(
        base=base,
        answers=answers,
        steps=steps,
        step=step,
        links=[_link(base, answers, i) for i in range(len(steps) + 1)],
        **extra,
    )
    if step < len(steps):
        section = steps[step]
        context.update(
            section=section,
            items=questionnaire.items(section, answers),
            hidden=questionnaire.params_of(answers, exclude={q.id for q in section.questions}),
        )
        return render(request, "ai/classify.html", context)
    result = assessments.classify_answers(actor=actor, answers=answers)
    role_value = request.query_params.get("role", "")
    role = AiRole(role_value) if role_value in AiRole._value2member_map_ else AiRole.BOTH
    system = extra.get("system")
    if system is not None:
        role = system.role  # a registered system's obligations follow its recorded role
    context.update(
        result=result,
        missing_links={
            qid: _link(base, answers, questionnaire.section_of(qid, answers)) + f"#q-{qid}"
            for qid in result.missing
        },
        role=role,
        roles=list(AiRole),
        due=obligations_for(result, role),
        hidden=questionnaire.params_of(answers),
        json_link=_link("/ai/classify/answers.json", answers, step),
    )
    return render(request, "ai/classify_result.html", context)


@router.get("/ai/classify", name="ai_classify")
def classify_page(request: Request, actor: CurrentActor) -> Response:
    """Anyone may run the check; nothing is stored."""
    answers = questionnaire.parse(request.query_params)
    return _wizard(request, actor, "/ai/classify", answers)


@router.get("/ai/classify/answers.json", name="ai_classify_answers")
def answers_file(request: Request, actor: CurrentActor) -> Response:
    """The answers given so far as an input file for `dati ai classify` or the API."""
    answers = questionnaire.parse(request.query_params)
    assessments.classify_answers(actor=actor, answers=answers)  # validates and checks permission
    body = json.dumps({"name": "", "answers": answers}, ensure_ascii=False, indent=1)
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="ai-act-answers.json"'},
    )


@router.get("/ai/classify/format", name="ai_classify_format")
def format_page(request: Request, actor: CurrentActor) -> Response:
    """The input format of the classifier, generated from the question catalogue."""
    sections = assessments.questionnaire(actor=actor)
    return render(request, "ai/classify_format.html", pages.context(sections=sections))


@router.get("/ai/systems/{system_id}/classify", name="ai_system_classify")
def system_classify_page(
    system_id: int, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    """The questionnaire for a registered system, starting from its newest answers."""
    system = systems.get_system(session=session, actor=actor, system_id=system_id)
    if request.query_params.get("started"):
        answers = questionnaire.parse(request.query_params)
    else:
        current = assessments.current_classification(
            session=session, actor=actor, system_id=system_id
        )
        answers = dict(current[1].answers) if current else {}
    return _wizard(
        request,
        actor,
        f"/ai/systems/{system_id}/classify",
        answers,
        system=system,
        can_save=can_manage(actor, system),
    )


@router.post("/ai/systems/{system_id}/classify")
async def save_classification(
    system_id: int, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    form = await request.form()
    answers = questionnaire.parse({k: str(v) for k, v in form.items()})
    _assessment, result = assessments.assess_system(
        session=session, actor=actor, system_id=system_id, answers=answers
    )
    message = _("Classification saved; the obligations were updated.")
    if result.provisional:
        message += " " + _("The result is provisional until the missing answers are given.")
    flash(request, message)
    return redirect(f"/ai/systems/{system_id}")
