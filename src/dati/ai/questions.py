"""The classifier's question catalogue: Latvian and English texts and the provisions each serves.

The questions live in ``data/questions.json`` so the questionnaire page, the API schema, the
input-format documentation and the rules engine all read one list. A yes/no question's answer
is ``true``, ``false`` or missing (``null``); a missing answer is never read as the lower risk:
the engine assumes the question's ``risky`` answer until someone answers it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from dati.errors import Invalid
from dati.i18n import gettext as _
from dati.i18n import pick

DATA_DIR = Path(__file__).resolve().parent / "data"

Answer = bool | str | None
Answers = dict[str, Answer]


@dataclass(frozen=True)
class Option:
    value: str
    label_lv: str
    label_en: str

    @property
    def label(self) -> str:
        return pick(self.label_lv, self.label_en)


@dataclass(frozen=True)
class Question:
    id: str
    section: str
    text_lv: str
    text_en: str
    refs: tuple[str, ...]
    risky: bool | None  # the answer assumed while unanswered; None for choice questions
    gate: str | None = None  # asked only unless this question is answered "no"
    help_lv: str = ""
    help_en: str = ""
    options: tuple[Option, ...] = ()

    @property
    def is_choice(self) -> bool:
        return bool(self.options)

    @property
    def text(self) -> str:
        return pick(self.text_lv, self.text_en)

    @property
    def help(self) -> str:
        return pick(self.help_lv, self.help_en)


@dataclass(frozen=True)
class Section:
    id: str
    title_lv: str
    title_en: str
    intro_lv: str
    intro_en: str
    questions: tuple[Question, ...]

    @property
    def title(self) -> str:
        return pick(self.title_lv, self.title_en)

    @property
    def intro(self) -> str:
        return pick(self.intro_lv, self.intro_en)


@lru_cache(maxsize=1)
def sections() -> tuple[Section, ...]:
    raw = json.loads((DATA_DIR / "questions.json").read_text(encoding="utf-8"))
    result = []
    for s in raw["sections"]:
        questions = tuple(
            Question(
                id=q["id"],
                section=s["id"],
                text_lv=q["text_lv"],
                text_en=q["text_en"],
                refs=tuple(q["refs"]),
                risky=q.get("risky"),
                gate=q.get("gate"),
                help_lv=q.get("help_lv", ""),
                help_en=q.get("help_en", ""),
                options=tuple(Option(**o) for o in q.get("options", ())),
            )
            for q in s["questions"]
        )
        result.append(
            Section(s["id"], s["title_lv"], s["title_en"], s["intro_lv"], s["intro_en"], questions)
        )
    return tuple(result)


@lru_cache(maxsize=1)
def questions() -> dict[str, Question]:
    """Every question by id, in catalogue order."""
    return {q.id: q for s in sections() for q in s.questions}


def question(question_id: str) -> Question:
    return questions()[question_id]


def section(section_id: str) -> Section:
    for s in sections():
        if s.id == section_id:
            return s
    raise KeyError(section_id)


def is_applicable(question_id: str, answers: Mapping[str, Answer]) -> bool:
    """A question is asked unless a question it depends on (its gate) was answered "no"."""
    gate = question(question_id).gate
    while gate is not None:
        if answers.get(gate) is False:
            return False
        gate = question(gate).gate
    return True


def validate_answers(raw: Any) -> Answers:
    """Check an answers object: known ids, booleans or null for yes/no, a listed value for choices.

    Every problem is reported at once, keyed by question id, so nothing has to be guessed.
    """
    if not isinstance(raw, Mapping):
        raise Invalid(_("The answers must be a JSON object of question ids and answers."))
    catalogue = questions()
    errors: dict[str, str] = {}
    clean: Answers = {}
    for key, value in raw.items():
        q = catalogue.get(key)
        if q is None:
            errors[str(key)] = _("Unknown question.")
            continue
        if value is None:
            continue
        if q.is_choice:
            allowed = {o.value for o in q.options}
            value = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
            if value not in allowed:
                values = ", ".join(o.value for o in q.options)
                errors[key] = _("Choose one of: {values}.", values=values)
                continue
        elif not isinstance(value, bool):
            errors[key] = _("Answer true, false or null.")
            continue
        clean[key] = value
    if errors:
        raise Invalid(_("Some answers are not valid."), errors=errors)
    return clean
