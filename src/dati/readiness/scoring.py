"""How answers become scores (pure functions, no database, no permissions).

- A question scores 0–100: single choice gives the chosen option's points; multiple choice
  gives ``base_points`` plus the ticked options' points, clamped to 0–100; a scale maps its
  range linearly onto 0–100; a number gets the points of the highest threshold it reaches.
  Free-text questions and questions with weight 0 are informative only and never scored.
- An unanswered scored question in a submitted assessment scores 0: no evidence, no points.
- A dimension's score is the weighted mean of its scored questions; the overall e-index is the
  plain mean of the dimension scores, so each of the nine dimensions counts the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from statistics import fmean

from dati.readiness.models import Answer, Question, QuestionKind, QuestionnaireVersion

WEAK_BELOW = 50.0  # a dimension scoring less than this is "weak" and gets recommendations


def clamp(value: float, low: float = 0.0, high: float = 100.0) -> float:
    return max(low, min(high, value))


def threshold_points(thresholds: Iterable[Iterable[float]] | None, value: float) -> float:
    """Points of the highest threshold ``value`` reaches (0 below the first)."""
    points = 0.0
    for step in sorted((tuple(t) for t in thresholds or ()), key=lambda t: t[0]):
        start, step_points = step[0], step[1]
        if value >= start:
            points = step_points
    return clamp(points)


def question_score(question: Question, answer: Answer | None) -> float | None:
    """The 0–100 score of one answer, or None for an unscored question."""
    if not question.is_scored:
        return None
    if answer is None:
        return 0.0
    kind = question.kind
    if kind is QuestionKind.SINGLE:
        return clamp(answer.options[0].points) if answer.options else 0.0
    if kind is QuestionKind.MULTIPLE:
        if not answer.options:
            return 0.0
        return clamp(question.base_points + sum(o.points for o in answer.options))
    if answer.number_value is None:
        return 0.0
    if kind is QuestionKind.SCALE:
        low, high = question.min_value or 0.0, question.max_value or 0.0
        if high <= low:
            return 0.0
        return clamp((answer.number_value - low) / (high - low) * 100)
    return threshold_points(question.thresholds, answer.number_value)


def dimension_scores(
    version: QuestionnaireVersion, answers: Mapping[int, Answer]
) -> dict[str, float | None]:
    """Score per dimension code; None for a dimension without scored questions."""
    totals: dict[str, tuple[float, float]] = {d.code: (0.0, 0.0) for d in version.dimensions}
    for question in version.questions:
        score = question_score(question, answers.get(question.id))
        if score is None:
            continue
        weighted, weights = totals[question.dimension.code]
        totals[question.dimension.code] = (
            weighted + score * question.weight,
            weights + question.weight,
        )
    return {
        code: round(weighted / weights, 1) if weights else None
        for code, (weighted, weights) in totals.items()
    }


def overall_score(scores: Mapping[str, float | None]) -> float | None:
    values = [s for s in scores.values() if s is not None]
    return round(fmean(values), 1) if values else None


def is_weak(score: float | None) -> bool:
    return score is not None and score < WEAK_BELOW
