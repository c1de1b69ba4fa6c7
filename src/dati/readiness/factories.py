"""Demo readiness data, created through the service layer as the system actor.

Two rounds over the same 100 institutions (all ministries and the State Chancellery, the 43
municipalities and the state agencies of the reference list except the State Audit Office,
which ran the survey, and the planned National Data Council):

- "2024": answers generated so that every share the State Audit Office published is
  reproduced exactly. With 100 respondents each published percentage is a whole count of
  institutions, so no rounding is involved. The published "use" shares add up to 94 %; the
  other 6 institutions leave that question unanswered, as the survey's remainder did.
- "2026": the renewed e-index, still open: some institutions improved and submitted, some
  are drafting, some have not started (among them the demo steward's institutions).

Answers to questions the survey did not publish follow a per-institution readiness level
with noise (fixed seed), so scores differ believably between institutions.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dati import clock
from dati.auth.actor import Actor
from dati.orgs import factories as orgs_factories
from dati.readiness.models import Question, QuestionKind, QuestionnaireVersion, Round
from dati.readiness.schemas import RoundCreate
from dati.readiness.services import answers as answers_service
from dati.readiness.services import questionnaires as questionnaires_service
from dati.readiness.services import rounds as rounds_service
from dati.readiness.services.distributions import SURVEY_FILE

BASELINE_TITLE = "2024. gada MI gatavības apsekojums"
CURRENT_TITLE = "2026. gada e-indekss ar MI rādītājiem"
NOT_SURVEYED = {"VKONTROLE", "NDP"}
# Demo logins answer for these institutions; their 2026 assessments are left to them.
LEFT_FOR_DEMO_USERS = {"VZD": "draft", "PMLP": None, "UR": None, "CSDD": None, "VID": "draft"}
SUBMITTED_2026 = {"VDAA", "VSAA", "CSP", "riga"}

PROJECT_TEXTS = [
    "Tērzēšanas robots iedzīvotāju jautājumiem; atbildes laiks samazinājās no divām dienām līdz dažām minūtēm.",
    "Dokumentu automātiska klasificēšana lietvedībā; ietaupītas aptuveni 0,5 slodzes mēnesī.",
    "Runas atpazīšana sēžu protokolēšanai latviešu valodā.",
    "Pieteikumu pārbaude ar mašīnmācīšanos; kļūdu skaits samazinājās par ceturtdaļu.",
]
TOOL_TEXTS = [
    "Mašīntulkošana dokumentiem angļu valodā.",
    "Runas atpazīšana zvanu centra ierakstiem.",
    "Latviešu valodas tērzēšanas robots tīmekļvietnē.",
]


def participants() -> list[str]:
    """The 100 demo respondents, from the reference list (not the database, which other
    features may extend)."""
    kinds = {"ministry", "agency", "municipality"}
    names = [
        r["short_name"]
        for r in orgs_factories.reference_rows()
        if r["kind"] in kinds and r["short_name"] not in NOT_SURVEYED
    ]
    if len(names) != 100:
        raise RuntimeError(f"expected 100 demo respondents, found {len(names)}")
    return names


def survey_counts(respondents: int) -> dict[tuple[str, str], int]:
    """Institutions per (topic, answer_en) that reproduce the published shares exactly."""
    counts = {}
    with SURVEY_FILE.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            exact = int(row["percent"]) * respondents
            if exact % 100:
                raise ValueError(f"{row['percent']} % of {respondents} is not a whole count")
            counts[(row["topic"], row["answer_en"])] = exact // 100
    return counts


@dataclass
class Generator:
    """Deterministic answers for a list of institutions, matching the survey counts."""

    version: QuestionnaireVersion
    institutions: list[str]
    rng: random.Random

    def __post_init__(self) -> None:
        self.level = {name: self.rng.random() for name in self.institutions}
        self.answers: dict[str, dict[str, Any]] = {name: {} for name in self.institutions}

    def ranked(self, noise: float = 0.25, descending: bool = True) -> list[str]:
        keys = {n: self.level[n] + self.rng.uniform(-noise, noise) for n in self.institutions}
        return sorted(self.institutions, key=lambda n: keys[n], reverse=descending)

    def generate(self) -> dict[str, dict[str, Any]]:
        counts = survey_counts(len(self.institutions))
        for question in self.version.questions:
            if question.survey_topic:
                self._survey(question, counts)
            else:
                self._free(question)
        return self.answers

    def _survey(self, question: Question, counts: dict[tuple[str, str], int]) -> None:
        topic = question.survey_topic or ""
        published = {
            o.code: counts[(topic, o.survey_answer)]
            for o in question.options
            if o.survey_answer and (topic, o.survey_answer) in counts
        }
        if question.kind is QuestionKind.SINGLE:
            # Better options go to more ready institutions; the remainder stays unanswered.
            order = sorted(question.options, key=lambda o: -o.points)
            queue = self.ranked()
            for option in order:
                for name in queue[: published.get(option.code, 0)]:
                    self.answers[name][question.code] = option.code
                queue = queue[published.get(option.code, 0) :]
            return
        ticked: dict[str, list[str]] = {n: [] for n in self.institutions}
        for option in question.options:
            if option.code not in published:
                continue
            # Obstacles weigh on the less ready; benefits and prerequisites on the more ready.
            descending = option.points >= 0
            for name in self.ranked(noise=0.6, descending=descending)[: published[option.code]]:
                ticked[name].append(option.code)
        exclusive = next((o for o in question.options if o.exclusive), None)
        for name, codes in ticked.items():
            if codes:
                self.answers[name][question.code] = codes
            elif exclusive is not None and self.rng.random() < 0.5:
                self.answers[name][question.code] = [exclusive.code]

    def _free(self, question: Question) -> None:
        for name in self.institutions:
            x = min(1.0, max(0.0, self.level[name] + self.rng.uniform(-0.3, 0.3)))
            value = self._value(question, name, x)
            if value is not None:
                self.answers[name][question.code] = value

    def _value(self, question: Question, name: str, x: float) -> Any:
        uses_ai = self.answers[name].get("ai_use") == "active"
        if question.kind is QuestionKind.SINGLE:
            order = sorted(question.options, key=lambda o: -o.points)
            return order[min(len(order) - 1, int((1 - x) * len(order)))].code
        if question.kind is QuestionKind.MULTIPLE:
            plain = [o for o in question.options if not o.exclusive]
            chosen = [o.code for o in plain if self.rng.random() < x * 0.8]
            fallback = next((o.code for o in question.options if o.exclusive), None)
            return chosen or ([fallback] if fallback else None)
        if question.kind is QuestionKind.SCALE:
            low, high = question.min_value or 1, question.max_value or 5
            return float(round(low + x * (high - low)))
        if question.kind is QuestionKind.NUMBER:
            if question.code == "ai_projects":
                return float(self.rng.randint(1, 4) if uses_ai else int(x > 0.8))
            if question.code == "ai_specialists":
                return round(x * 6) / 2
            high = question.max_value if question.max_value is not None else 100
            return float(round(x * min(high, 100)))
        if question.code == "ai_project_description" and uses_ai:
            return self.rng.choice(PROJECT_TEXTS)
        if question.code == "language_tools" and x > 0.6:
            return self.rng.choice(TOOL_TEXTS)
        return None


def improved(
    answers: dict[str, Any], version: QuestionnaireVersion, rng: random.Random
) -> dict[str, Any]:
    """Two years later: some answers one step better, numbers somewhat higher."""
    result = dict(answers)
    for question in version.questions:
        value = result.get(question.code)
        if question.kind is QuestionKind.SINGLE and question.is_scored:
            order = [o.code for o in sorted(question.options, key=lambda o: -o.points)]
            if value is None:
                result[question.code] = order[-1] if question.code != "ai_use" else "planned"
            elif rng.random() < 0.4 and order.index(value) > 0:
                result[question.code] = order[order.index(value) - 1]
        elif question.kind is QuestionKind.SCALE and value is not None:
            result[question.code] = min(question.max_value or 5, value + rng.choice((0, 1)))
        elif question.kind is QuestionKind.NUMBER and value is not None:
            high = question.max_value if question.max_value is not None else value
            result[question.code] = min(high, round(value * 1.25 + rng.choice((0, 1)), 1))
    return result


def _submit_all(
    session: Session,
    actor: Actor,
    rnd: Round,
    answers: dict[str, dict[str, Any]],
    only: set[str] | None = None,
) -> None:
    for assessment in rnd.assessments:
        name = assessment.organisation.short_name
        if only is not None and name not in only:
            continue
        answers_service.submit_assessment(
            session=session, actor=actor, assessment_id=assessment.id, answers=answers[name]
        )


def load_demo(session: Session, actor: Actor) -> list[str]:
    """Create the questionnaire, recommendations and both demo rounds (skips what exists)."""
    installed = questionnaires_service.install_standard(session=session, actor=actor)
    lines = [
        f"readiness: questionnaire version {installed.version.version}"
        f" ({'created' if installed.created else 'kept'}),"
        f" {installed.recommendations_added} recommendations added"
    ]
    if session.scalar(select(Round.id).where(Round.title_lv == BASELINE_TITLE)):
        return [*lines, "readiness: demo rounds already present"]
    names = participants()
    version = installed.version
    baseline_answers = Generator(version, names, random.Random(2024)).generate()
    baseline = rounds_service.create_round(
        session=session,
        actor=actor,
        data=RoundCreate(
            title_lv=BASELINE_TITLE,
            title_en="2024 AI readiness survey",
            opens_on=date(2024, 8, 1),
            deadline=date(2024, 10, 31),
            version_id=version.id,
            institutions=names,
        ),
    )
    # The system actor is an administrator, who may record answers after the deadline.
    _submit_all(session, actor, baseline, baseline_answers)
    rounds_service.close_round(session=session, actor=actor, round_id=baseline.id)
    _current_round(session, actor, version, names, baseline_answers)
    return [*lines, f"readiness: 2 rounds, {len(names)} institutions each"]


def _current_round(
    session: Session,
    actor: Actor,
    version: QuestionnaireVersion,
    names: list[str],
    baseline_answers: dict[str, dict[str, Any]],
) -> None:
    rng = random.Random(2026)
    today = clock.today()
    current = rounds_service.create_round(
        session=session,
        actor=actor,
        data=RoundCreate(
            title_lv=CURRENT_TITLE,
            title_en="2026 e-index with AI indicators",
            opens_on=today - timedelta(days=14),
            deadline=today + timedelta(days=30),
            version_id=version.id,
            institutions=names,
        ),
    )
    answers = {n: improved(baseline_answers[n], version, rng) for n in names}
    submitted, drafts = set(SUBMITTED_2026), set()
    for name in names:
        if name in LEFT_FOR_DEMO_USERS or name in SUBMITTED_2026:
            if LEFT_FOR_DEMO_USERS.get(name) == "draft":
                drafts.add(name)
            continue
        roll = rng.random()
        if roll < 0.55:
            submitted.add(name)
        elif roll < 0.8:
            drafts.add(name)
    _submit_all(session, actor, current, answers, only=submitted)
    for assessment in current.assessments:
        name = assessment.organisation.short_name
        if name in drafts:
            partial = dict(list(answers[name].items())[: len(answers[name]) // 2])
            answers_service.save_answers(
                session=session, actor=actor, assessment_id=assessment.id, answers=partial
            )
