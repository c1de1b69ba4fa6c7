"""An institution's assessment: save a draft, submit it, and (administrators) reopen it."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dati import clock
from dati.auth.actor import Actor
from dati.auth.permissions import allowed, require
from dati.errors import Conflict, Invalid, NotFound
from dati.i18n import gettext as _
from dati.i18n import pick
from dati.readiness import scoring
from dati.readiness.models import (
    Answer,
    AnswerOption,
    Assessment,
    AssessmentStatus,
    DimensionScore,
    Question,
    QuestionKind,
    Round,
)
from dati.readiness.permissions import (
    ANSWER_ASSESSMENT,
    MANAGE_ROUNDS,
    VIEW_ASSESSMENT,
    VIEW_READINESS,
)
from dati.readiness.services.rounds import deadline_passed

MAX_TEXT = 5000


class IncompleteAssessment(Invalid):
    """Submitting with required questions unanswered. The answers sent along are still saved
    as a draft, so the respondent loses nothing."""

    type, title = "incomplete-assessment", "Assessment incomplete"
    keeps_changes = True


def list_my_assessments(*, session: Session, actor: Actor) -> list[Assessment]:
    """The assessments of the institutions the actor works for, newest round first."""
    require(actor, VIEW_READINESS)
    stmt = (
        select(Assessment)
        .join(Round, Assessment.round_id == Round.id)
        .where(Assessment.org_id.in_(actor.org_ids()))
        .order_by(Round.opens_on.desc(), Round.id.desc())
    )
    return list(session.scalars(stmt))


def get_assessment(*, session: Session, actor: Actor, assessment_id: int) -> Assessment:
    """One institution's assessment with its answers (404 for other institutions' staff)."""
    assessment = assessment_row(session, assessment_id)
    require(actor, VIEW_ASSESSMENT, assessment)
    return assessment


def assessment_row(session: Session, assessment_id: int) -> Assessment:
    assessment = session.get(Assessment, assessment_id)
    if assessment is None:
        raise NotFound(_("No such assessment."))
    return assessment


def _visible(session: Session, actor: Actor, assessment_id: int) -> Assessment:
    """404 before 403: staff of other institutions must not learn the assessment exists."""
    assessment = assessment_row(session, assessment_id)
    if not allowed(actor, VIEW_ASSESSMENT, assessment):
        raise NotFound(_("No such record, or you may not see it."))
    return assessment


def can_answer(actor: Actor, assessment: Assessment) -> bool:
    """Whether the form is editable for this actor now (for pages; the service still checks)."""
    return (
        allowed(actor, ANSWER_ASSESSMENT, assessment) and _edit_refusal(actor, assessment) is None
    )


def _edit_refusal(actor: Actor, assessment: Assessment) -> str | None:
    if not assessment.round.is_open:
        return _("The round is closed; its answers can no longer change.")
    if assessment.status is AssessmentStatus.SUBMITTED:
        return _("The assessment has been submitted. Ask the administrator to reopen it.")
    if deadline_passed(assessment.round) and not actor.is_admin:
        return _(
            "The deadline ({deadline}) has passed. Ask the administrator to extend it.",
            deadline=assessment.round.deadline.strftime("%d.%m.%Y"),
        )
    return None


def _check_editable(actor: Actor, assessment: Assessment, revision: int | None) -> None:
    refusal = _edit_refusal(actor, assessment)
    if refusal:
        raise Conflict(refusal)
    if revision is not None and revision != assessment.revision:
        raise Conflict(
            _(
                "Someone else saved this assessment while you were editing. Your answers are shown below; check them and save again."
            ),
            errors={"revision": _("Saved by someone else meanwhile.")},
            current_revision=assessment.revision,
        )


def save_answers(
    *,
    session: Session,
    actor: Actor,
    assessment_id: int,
    answers: Mapping[str, Any],
    revision: int | None = None,
) -> Assessment:
    """Save answers as a draft. Nothing is saved if any answer is invalid."""
    assessment = _visible(session, actor, assessment_id)
    require(actor, ANSWER_ASSESSMENT, assessment)
    _check_editable(actor, assessment, revision)
    _apply(session, actor, assessment, answers)
    return assessment


def submit_assessment(
    *,
    session: Session,
    actor: Actor,
    assessment_id: int,
    answers: Mapping[str, Any] | None = None,
    revision: int | None = None,
) -> Assessment:
    """Save the answers sent along, check the required ones and fix the scores."""
    assessment = _visible(session, actor, assessment_id)
    require(actor, ANSWER_ASSESSMENT, assessment)
    _check_editable(actor, assessment, revision)
    if answers:
        _apply(session, actor, assessment, answers)
    answered = {a.question_id for a in assessment.answers}
    missing = [q for q in assessment.round.version.questions if q.required and q.id not in answered]
    if missing:
        raise IncompleteAssessment(
            _(
                "Answer the required questions before submitting ({count} unanswered). Your answers have been saved as a draft.",
                count=len(missing),
            ),
            errors={q.code: _("This question is required.") for q in missing},
        )
    scores = scoring.dimension_scores(
        assessment.round.version, {a.question_id: a for a in assessment.answers}
    )
    assessment.scores = [DimensionScore(dimension_code=c, score=s) for c, s in scores.items()]
    assessment.overall_score = scoring.overall_score(scores)
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = clock.now()
    assessment.submitted_by_id = actor.user_id
    session.flush()
    return assessment


def reopen_assessment(
    *, session: Session, actor: Actor, assessment_id: int, reason: str
) -> Assessment:
    """Send a submitted assessment back to draft so the institution can correct it."""
    assessment = assessment_row(session, assessment_id)
    require(actor, MANAGE_ROUNDS)
    if not assessment.round.is_open:
        raise Conflict(_("The round is closed; its answers can no longer change."))
    if assessment.status is not AssessmentStatus.SUBMITTED:
        raise Conflict(_("Only a submitted assessment can be reopened."))
    if len(reason.strip()) < 3:
        raise Invalid(_("Give a reason."), errors={"reason": _("Give a reason.")})
    assessment.status = AssessmentStatus.DRAFT
    assessment.scores = []
    assessment.overall_score = None
    assessment.reopened_at = clock.now()
    assessment.reopen_reason = reason.strip()
    assessment.revision += 1
    session.flush()
    return assessment


# --- parsing and storing answers -------------------------------------------------------------

Parsed = list[AnswerOption] | float | str | None


def _apply(
    session: Session, actor: Actor, assessment: Assessment, answers: Mapping[str, Any]
) -> None:
    questions = {q.code: q for q in assessment.round.version.questions}
    errors: dict[str, str] = {}
    parsed: dict[str, Parsed] = {}
    for code, raw in answers.items():
        question = questions.get(code)
        if question is None:
            errors[code] = _("There is no such question in this questionnaire.")
            continue
        try:
            parsed[code] = parse_answer(question, raw)
        except ValueError as exc:
            errors[code] = str(exc)
    if errors:
        raise Invalid(_("Some answers are not valid; nothing was saved."), errors=errors)
    existing = {a.question_id: a for a in assessment.answers}
    for code, value in parsed.items():
        question = questions[code]
        answer = existing.get(question.id)
        if value is None:
            if answer is not None:
                assessment.answers.remove(answer)
            continue
        if answer is None:
            answer = Answer(question=question)
            assessment.answers.append(answer)
        answer.options = value if isinstance(value, list) else []
        answer.number_value = value if isinstance(value, float) else None
        answer.text_value = value if isinstance(value, str) else None
    if assessment.status is AssessmentStatus.NOT_STARTED:
        assessment.status = AssessmentStatus.DRAFT
    assessment.revision += 1
    assessment.updated_at = clock.now()
    assessment.updated_by_id = actor.user_id
    session.flush()


def _is_empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []


def parse_answer(question: Question, raw: Any) -> Parsed:
    """Turn a submitted value into options, a number or text; ValueError says what is wrong."""
    if _is_empty(raw):
        return None
    kind = question.kind
    if kind is QuestionKind.TEXT:
        text = str(raw).strip()
        if len(text) > MAX_TEXT:
            raise ValueError(_("At most {count} characters.", count=MAX_TEXT))
        return text
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return _parse_choice(question, raw)
    number = _parse_number(raw)
    low, high = question.min_value, question.max_value
    if kind is QuestionKind.SCALE and number != int(number):
        raise ValueError(_("Choose a whole number on the scale."))
    if (low is not None and number < low) or (high is not None and number > high):
        if low is not None and high is not None:
            raise ValueError(
                _("Enter a number from {low} to {high}.", low=_fmt(low), high=_fmt(high))
            )
        raise ValueError(_("The number is out of range."))
    return number


def _parse_choice(question: Question, raw: Any) -> list[AnswerOption]:
    codes = [str(c) for c in raw] if isinstance(raw, list | tuple) else [str(raw)]
    codes = [c for c in dict.fromkeys(codes) if c]
    if question.kind is QuestionKind.SINGLE and len(codes) > 1:
        raise ValueError(_("Choose only one answer."))
    options = []
    for code in codes:
        option = question.option(code)
        if option is None:
            raise ValueError(_("Choose one of the offered answers."))
        options.append(option)
    exclusive = [o for o in options if o.exclusive]
    if exclusive and len(options) > 1:
        raise ValueError(
            _(
                "“{answer}” cannot be combined with other answers.",
                answer=pick(exclusive[0].label_lv, exclusive[0].label_en),
            )
        )
    return options


def _parse_number(raw: Any) -> float:
    if isinstance(raw, bool):
        raise ValueError(_("Enter a number."))
    if isinstance(raw, int | float):
        number = float(raw)
    else:
        # Latvian writes decimals with a comma and may group thousands with spaces.
        text = str(raw).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            raise ValueError(_("Enter a number.")) from None
    if not math.isfinite(number):
        raise ValueError(_("Enter a number."))
    return number


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value).replace(".", ",")


def answer_values(assessment: Assessment) -> dict[str, Any]:
    """The stored answers by question code, in the API's shape."""
    return {a.question.code: a.value for a in assessment.answers}
