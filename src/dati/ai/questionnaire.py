"""The guided questionnaire's flow, for pages that work without JavaScript.

Answers travel in the query string (``question_id=yes|no``; a choice carries its value; anything
else means unanswered), one section per step, so every step can be bookmarked and the browser's
back button works. Sections whose questions cannot matter are skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dati.ai import questions as catalogue
from dati.ai.classifier import ANNEX3_POINTS
from dati.ai.questions import Answers, Question, Section

YES, NO = "yes", "no"


def parse(params: Mapping[str, str]) -> Answers:
    """Answers from form or query parameters; unknown names and values are ignored."""
    answers: Answers = {}
    for question_id, q in catalogue.questions().items():
        value = params.get(question_id, "")
        if q.is_choice:
            if value in {o.value for o in q.options}:
                answers[question_id] = value
        elif value in (YES, NO):
            answers[question_id] = value == YES
    return answers


def params_of(
    answers: Answers, *, exclude: set[str] | frozenset[str] = frozenset()
) -> list[tuple[str, str]]:
    """The answers as (name, value) pairs, for hidden fields and links."""
    pairs = []
    for question_id, value in answers.items():
        if question_id in exclude or value is None:
            continue
        pairs.append((question_id, value if isinstance(value, str) else (YES if value else NO)))
    return pairs


def form_value(answers: Answers, question_id: str) -> str:
    value = answers.get(question_id)
    if value is None:
        return ""
    return value if isinstance(value, str) else (YES if value else NO)


def relevant(section: Section, answers: Answers) -> bool:
    """The derogation questions matter only while some Annex III point may apply."""
    if section.id != "derogation":
        return True
    return any(
        catalogue.is_applicable(question_id, answers) and answers.get(question_id) is not False
        for _point, question_id, _exclusion in ANNEX3_POINTS
    )


def steps(answers: Answers) -> list[Section]:
    return [s for s in catalogue.sections() if relevant(s, answers)]


def step_index(requested: str | int | None, answers: Answers) -> int:
    """A valid step number: 0..len(steps); len(steps) is the result page."""
    try:
        index = int(requested or 0)
    except ValueError:
        index = 0
    return max(0, min(index, len(steps(answers))))


@dataclass(frozen=True)
class Item:
    question: Question
    depth: int  # how many of its gates are in the same section, for indentation
    value: str


def items(section: Section, answers: Answers) -> list[Item]:
    """The section's questions with their current answers, children after their gate."""
    in_section = {q.id for q in section.questions}
    result = []
    for q in section.questions:
        depth, gate = 0, q.gate
        while gate is not None and gate in in_section:
            depth += 1
            gate = catalogue.question(gate).gate
        result.append(Item(q, depth, form_value(answers, q.id)))
    return result


def section_of(question_id: str, answers: Answers) -> int:
    """The step that asks a question (for 'answer this' links on the result page)."""
    section_id = catalogue.question(question_id).section
    for index, s in enumerate(steps(answers)):
        if s.id == section_id:
            return index
    return 0
