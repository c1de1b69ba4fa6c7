"""Per-question distributions over a round's submitted assessments, beside the shares the
State Audit Office published for the same questions.

Shares are of all submitted assessments (unanswered counts as "no answer"), the base the
published survey figures use. Percentages keep one decimal; with 100 respondents they are
whole numbers and match the published integers exactly.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from statistics import fmean, median

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from dati.auth.actor import Actor
from dati.auth.permissions import require
from dati.readiness.models import (
    Answer,
    AnswerOption,
    Assessment,
    AssessmentStatus,
    Question,
    QuestionKind,
    answer_choice,
)
from dati.readiness.permissions import VIEW_NATIONAL
from dati.readiness.services.rounds import get_round_row

SURVEY_FILE = Path(__file__).resolve().parent.parent / "data" / "state-audit-ai-survey.csv"


@dataclass(frozen=True)
class OptionShare:
    option: AnswerOption
    count: int
    percent: float
    published_percent: int | None


@dataclass(frozen=True)
class NumberStats:
    count: int
    mean: float
    median: float
    minimum: float
    maximum: float


@dataclass(frozen=True)
class Distribution:
    question: Question
    base: int
    answered: int
    options: list[OptionShare]
    numbers: NumberStats | None

    @property
    def no_answer(self) -> int:
        return self.base - self.answered

    @property
    def no_answer_percent(self) -> float:
        return percent(self.no_answer, self.base)


@lru_cache(maxsize=1)
def published_shares() -> dict[tuple[str, str], int]:
    """The State Audit Office's published percentages by (topic, answer_en)."""
    with SURVEY_FILE.open(encoding="utf-8") as fh:
        return {(r["topic"], r["answer_en"]): int(r["percent"]) for r in csv.DictReader(fh)}


def percent(count: int, base: int) -> float:
    """count / base as a percentage with one decimal, halves rounded up (not to even)."""
    if not base:
        return 0.0
    exact = Decimal(count) * 100 / Decimal(base)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def question_distributions(*, session: Session, actor: Actor, round_id: int) -> list[Distribution]:
    """For every question: how many institutions chose each answer, or number statistics."""
    require(actor, VIEW_NATIONAL)
    rnd = get_round_row(session, round_id)
    submitted = (Assessment.round_id == rnd.id) & (Assessment.status == AssessmentStatus.SUBMITTED)
    base = int(session.scalar(select(func.count()).select_from(Assessment).where(submitted)) or 0)
    answered: dict[int, int] = dict(
        session.execute(
            select(Answer.question_id, func.count())
            .join(Assessment, Answer.assessment_id == Assessment.id)
            .where(submitted)
            .group_by(Answer.question_id)
        ).all()
    )
    chosen: dict[int, int] = dict(
        session.execute(
            select(answer_choice.c.option_id, func.count())
            .join(Answer, Answer.id == answer_choice.c.answer_id)
            .join(Assessment, Answer.assessment_id == Assessment.id)
            .where(submitted)
            .group_by(answer_choice.c.option_id)
        ).all()
    )
    numbers: dict[int, list[float]] = {}
    for question_id, value in session.execute(
        select(Answer.question_id, Answer.number_value)
        .join(Assessment, Answer.assessment_id == Assessment.id)
        .where(submitted, Answer.number_value.is_not(None))
    ):
        if value is not None:
            numbers.setdefault(question_id, []).append(float(value))
    shares = published_shares()
    questions = session.scalars(
        select(Question)
        .where(Question.version_id == rnd.version_id)
        .options(selectinload(Question.options))
        .order_by(Question.position)
    )
    result = []
    for question in questions:
        options = [
            OptionShare(
                option=o,
                count=int(chosen.get(o.id, 0)),
                percent=percent(int(chosen.get(o.id, 0)), base),
                published_percent=(
                    shares.get((question.survey_topic, o.survey_answer))
                    if question.survey_topic and o.survey_answer
                    else None
                ),
            )
            for o in question.options
        ]
        values = numbers.get(question.id, [])
        stats = None
        if values and question.kind in (QuestionKind.SCALE, QuestionKind.NUMBER):
            stats = NumberStats(
                count=len(values),
                mean=round(fmean(values), 1),
                median=round(float(median(values)), 1),
                minimum=min(values),
                maximum=max(values),
            )
        result.append(
            Distribution(
                question=question,
                base=base,
                answered=int(answered.get(question.id, 0)),
                options=options,
                numbers=stats,
            )
        )
    return result
