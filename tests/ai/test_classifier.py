"""The rules engine beyond the golden set: input validation, explanations, determinism."""

from __future__ import annotations

import pytest

from dati.ai import questions
from dati.ai.classifier import classify
from dati.ai.verdict import FindingKind, RiskClass
from dati.errors import Invalid
from tests.ai.test_golden import answers_of


def test_unknown_questions_and_wrong_types_are_all_reported() -> None:
    with pytest.raises(Invalid) as caught:
        classify({"chatbot": True, "manipulation": "yes", "annex1_act": "99", "autonomy": 1})
    errors = caught.value.errors
    assert set(errors) == {"chatbot", "manipulation", "annex1_act", "autonomy"}
    assert "1, 2, 3" in errors["annex1_act"]


def test_answers_must_be_an_object() -> None:
    with pytest.raises(Invalid):
        classify(["manipulation"])  # type: ignore[arg-type]


def test_choice_accepts_a_number() -> None:
    result = classify(
        answers_of(
            {"answers": {"annex1_product": True, "annex1_third_party": True, "annex1_act": 11}}
        )
    )
    assert "Annex I 11" in result.refs()


def test_findings_quote_the_law_and_say_what_was_assumed() -> None:
    result = classify(answers_of({"answers": {}, "unanswered": ["interacts_with_people"]}))
    duty = next(f for f in result.findings if f.ref == "Art. 50(1)")
    assert duty.kind is FindingKind.DUTY and duty.assumed
    assert duty.provision.text.startswith(
        "1. Providers shall ensure that AI systems intended to interact"
    )


def test_answered_findings_are_not_marked_assumed() -> None:
    result = classify(answers_of({"answers": {"interacts_with_people": True}}))
    assert not any(f.assumed for f in result.findings)


def test_null_means_unanswered() -> None:
    base = answers_of({"answers": {"interacts_with_people": None}})
    assert classify(base).risk_class is RiskClass.LIMITED
    assert classify(base).provisional


def test_the_same_answers_always_give_the_same_result() -> None:
    answers = answers_of({"answers": {"area_employment": True, "employment_recruitment": True}})
    assert classify(answers) == classify(dict(reversed(list(answers.items()))))


def test_gated_questions_are_not_asked_when_the_gate_is_no() -> None:
    assert not questions.is_applicable("education_admission", {"area_education": False})
    assert questions.is_applicable("education_admission", {})
    # two levels: the travel-document exclusion hangs on 7(d), which hangs on the migration area
    assert not questions.is_applicable("migration_travel_documents_only", {"area_migration": False})


def test_every_question_has_both_languages_and_a_known_gate() -> None:
    catalogue = questions.questions()
    for q in catalogue.values():
        assert q.text_lv and q.text_en
        assert q.gate is None or q.gate in catalogue
        assert (q.risky is None) == q.is_choice


def test_the_documentation_lists_every_question() -> None:
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "ai-classifier.md").read_text("utf-8")
    assert [q for q in questions.questions() if f"`{q}`" not in docs] == []
