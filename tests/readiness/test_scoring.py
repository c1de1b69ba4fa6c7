"""Scoring rules: how each kind of answer turns into 0–100, dimensions and the e-index."""

from __future__ import annotations

import pytest

from dati.readiness import scoring
from dati.readiness.models import (
    Answer,
    AnswerOption,
    Dimension,
    Question,
    QuestionKind,
    QuestionnaireVersion,
)


def _question(kind: QuestionKind, **fields: object) -> Question:
    values: dict[str, object] = {"weight": 1.0, "base_points": 0.0, **fields}
    return Question(kind=kind, code="q", text_lv="?", **values)


def _options(*points: float, exclusive_last: bool = False) -> list[AnswerOption]:
    return [
        AnswerOption(
            code=f"o{i}",
            label_lv=f"o{i}",
            points=p,
            exclusive=exclusive_last and i == len(points) - 1,
        )
        for i, p in enumerate(points)
    ]


def test_single_choice_scores_the_chosen_option() -> None:
    q = _question(QuestionKind.SINGLE)
    q.options = _options(100, 40, 0)
    assert scoring.question_score(q, Answer(question=q, options=[q.options[1]])) == 40


def test_multiple_choice_adds_points_to_the_base_and_clamps() -> None:
    q = _question(QuestionKind.MULTIPLE, base_points=100.0)
    q.options = _options(-25, -25, -25, -25, -25)
    ticked = Answer(question=q, options=q.options[:2])
    assert scoring.question_score(q, ticked) == 50
    assert scoring.question_score(q, Answer(question=q, options=q.options)) == 0  # not -25


def test_scale_maps_its_range_onto_0_to_100() -> None:
    q = _question(QuestionKind.SCALE, min_value=1.0, max_value=5.0)
    assert scoring.question_score(q, Answer(question=q, number_value=1.0)) == 0
    assert scoring.question_score(q, Answer(question=q, number_value=4.0)) == 75
    assert scoring.question_score(q, Answer(question=q, number_value=5.0)) == 100


@pytest.mark.parametrize(
    "value, points", [(0, 0), (0.99, 0), (1, 50), (2.5, 75), (3, 100), (300, 100)]
)
def test_number_gets_the_points_of_the_highest_threshold_reached(
    value: float, points: float
) -> None:
    q = _question(QuestionKind.NUMBER, thresholds=[[0, 0], [1, 50], [2, 75], [3, 100]])
    assert scoring.question_score(q, Answer(question=q, number_value=value)) == points


def test_unanswered_scored_question_counts_zero_and_informative_ones_are_not_scored() -> None:
    scored = _question(QuestionKind.SINGLE)
    informative = _question(QuestionKind.SINGLE, weight=0.0)
    text = _question(QuestionKind.TEXT)
    assert scoring.question_score(scored, None) == 0
    assert scoring.question_score(informative, None) is None
    assert scoring.question_score(text, Answer(question=text, text_value="x")) is None


def test_dimension_is_the_weighted_mean_and_the_index_the_plain_mean() -> None:
    version = QuestionnaireVersion(code="t", version=1, title_lv="t")
    a = Dimension(code="a", name_lv="A")
    b = Dimension(code="b", name_lv="B")
    c = Dimension(code="c", name_lv="C")  # no scored questions
    version.dimensions = [a, b, c]
    q1 = _question(QuestionKind.SINGLE, weight=2.0)
    q2 = _question(QuestionKind.SINGLE, weight=1.0)
    q3 = _question(QuestionKind.SCALE, min_value=0.0, max_value=10.0)
    q4 = _question(QuestionKind.TEXT)
    for q, dim, qid in ((q1, a, 1), (q2, a, 2), (q3, b, 3), (q4, c, 4)):
        q.id, q.dimension = qid, dim
    q1.options, q2.options = _options(100, 0), _options(100, 0)
    version.questions = [q1, q2, q3, q4]
    answers = {
        1: Answer(question=q1, options=[q1.options[0]]),  # 100, weight 2
        2: Answer(question=q2, options=[q2.options[1]]),  # 0, weight 1
        3: Answer(question=q3, number_value=4.0),  # 40
    }
    scores = scoring.dimension_scores(version, answers)
    assert scores == {"a": 66.7, "b": 40.0, "c": None}
    assert scoring.overall_score(scores) == 53.4  # (66.7 + 40) / 2, rounded
    assert scoring.is_weak(40.0) and not scoring.is_weak(50.0) and not scoring.is_weak(None)
