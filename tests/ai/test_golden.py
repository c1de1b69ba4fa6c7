"""The golden set: every case in tests/ai/golden/*.json classified as expected (see README there)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dati.ai import questions
from dati.ai.classifier import classify

GOLDEN = Path(__file__).parent / "golden"
CASES: list[dict[str, Any]] = [
    case for path in sorted(GOLDEN.glob("*.json")) for case in json.loads(path.read_text("utf-8"))
]
DEFINITION = ("machine_based", "infers_outputs", "autonomy")


def answers_of(case: dict[str, Any]) -> dict[str, Any]:
    if case.get("base", "no") == "none":
        return dict(case["answers"])
    base: dict[str, Any] = {
        q.id: q.id in DEFINITION for q in questions.questions().values() if not q.is_choice
    }
    for question_id in case.get("unanswered", []):
        base.pop(question_id)
    return {**base, **case["answers"]}


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden_case(case: dict[str, Any]) -> None:
    expected = case["expected"]
    result = classify(answers_of(case))
    cited = result.refs()
    assert result.risk_class == expected["class"], (result.risk_class, cited)
    assert result.provisional is expected.get("provisional", False), result.missing
    assert set(expected.get("cites", [])) <= set(cited), cited
    assert not set(expected.get("not_cites", [])) & set(cited), cited
    assert set(expected.get("missing", [])) <= set(result.missing), result.missing
    assert not set(expected.get("not_missing", [])) & set(result.missing), result.missing
    if "lowest" in expected:
        assert result.lowest_possible_class == expected["lowest"]
    if not result.provisional:
        assert result.missing == ()


def test_golden_set_is_large_and_covers_every_practice_and_annex_iii_point() -> None:
    assert len(CASES) >= 40
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    cited = {ref for c in CASES for ref in c["expected"].get("cites", [])}
    practices = {f"Art. 5(1)({letter})" for letter in "abcdefgh"}
    points = {f"Annex III {p}" for p in ("1(a)", "1(b)", "1(c)", "2")} | {
        f"Annex III {area}({letter})"
        for area, letters in {
            "3": "abcd",
            "4": "ab",
            "5": "abcd",
            "6": "abcde",
            "7": "abcd",
            "8": "ab",
        }.items()
        for letter in letters
    }
    assert practices <= cited, practices - cited
    assert points <= cited, points - cited
    prohibited = {
        ref
        for c in CASES
        if c["expected"]["class"] == "prohibited" and not c["expected"].get("provisional")
        for ref in c["expected"].get("cites", [])
    }
    assert practices <= prohibited, "each practice needs a case where it prohibits"
