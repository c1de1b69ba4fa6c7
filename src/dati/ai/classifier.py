"""The EU AI Act classifier: a deterministic rules engine over the answers to ``questions``.

It decides in the Regulation's order: is it an AI system at all (Art. 3(1)); is it outside the
Regulation (Art. 2); is it a prohibited practice (Art. 5, with its exceptions); is it high-risk
through an Annex I product (Art. 6(1)) or an Annex III use (Art. 6(2)), unless an Art. 6(3)
derogation applies and it does not profile people; which transparency duties apply (Art. 50);
and whether the institution provides a general-purpose AI model (Art. 51–55).

An unanswered question is never read as the lower risk. The engine runs twice: once with every
unanswered question at its riskier answer (the reported result) and once at its safer answer.
When the two differ, the result is provisional and lists the unanswered questions the rules
consulted, i.e. the answers that could still change it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from dati.ai import questions as catalogue
from dati.ai.questions import Answer, Answers
from dati.ai.verdict import Classification, Finding, FindingKind, Gpai, RiskClass

DEFINITION = ("machine_based", "infers_outputs", "autonomy")
# Art. 2 exclusions, in the order asked.
SCOPE = (
    ("military_only", "Art. 2(3)"),
    ("research_only", "Art. 2(6)"),
    ("pre_market_testing", "Art. 2(8)"),
    ("personal_use", "Art. 2(10)"),
)
# Art. 5(1)(a)-(g): the practice's question, the question of its exception (if any), and the
# Annex III point the system falls under when the exception applies.
PRACTICES: tuple[tuple[str, str | None, str, str | None], ...] = (
    ("manipulation", None, "Art. 5(1)(a)", None),
    ("exploits_vulnerabilities", None, "Art. 5(1)(b)", None),
    ("social_scoring", None, "Art. 5(1)(c)", None),
    ("crime_prediction", "crime_prediction_supports_human", "Art. 5(1)(d)", None),
    ("face_scraping", None, "Art. 5(1)(e)", None),
    ("emotion_work_education", "emotion_medical_or_safety", "Art. 5(1)(f)", "1(c)"),
    (
        "biometric_sensitive_categorisation",
        "biometric_labelling_or_law_enforcement",
        "Art. 5(1)(g)",
        "1(b)",
    ),
)
RBI_OBJECTIVES = (
    ("rbi_victims", "Art. 5(1)(h)(i)"),
    ("rbi_threat", "Art. 5(1)(h)(ii)"),
    ("rbi_suspects", "Art. 5(1)(h)(iii)"),
)
# Annex III point, its question, and the question of the point's own exclusion.
ANNEX3_POINTS = (
    ("1(a)", "remote_biometric_identification", "biometric_verification_only"),
    ("1(b)", "biometric_categorisation", None),
    ("1(c)", "emotion_recognition", None),
    ("2", "critical_infrastructure", None),
    ("3(a)", "education_admission", None),
    ("3(b)", "education_learning_outcomes", None),
    ("3(c)", "education_level", None),
    ("3(d)", "education_test_monitoring", None),
    ("4(a)", "employment_recruitment", None),
    ("4(b)", "employment_decisions", None),
    ("5(a)", "public_benefits", None),
    ("5(b)", "creditworthiness", "credit_fraud_detection_only"),
    ("5(c)", "insurance_pricing", None),
    ("5(d)", "emergency_calls", None),
    ("6(a)", "le_victim_risk", None),
    ("6(b)", "le_polygraph", None),
    ("6(c)", "le_evidence_reliability", None),
    ("6(d)", "le_offending_risk", None),
    ("6(e)", "le_profiling", None),
    ("7(a)", "migration_polygraph", None),
    ("7(b)", "migration_risk", None),
    ("7(c)", "migration_applications", None),
    ("7(d)", "migration_identification", "migration_travel_documents_only"),
    ("8(a)", "justice_judicial", None),
    ("8(b)", "elections_influence", "elections_not_exposed"),
)
DEROGATIONS = (
    ("narrow_procedural_task", "Art. 6(3)(a)"),
    ("improves_human_activity", "Art. 6(3)(b)"),
    ("detects_patterns", "Art. 6(3)(c)"),
    ("preparatory_task", "Art. 6(3)(d)"),
)
# Annex I points 13-20 are Section B: only Art. 6(1), 102-109 and 112 apply (Art. 2(2)).
ANNEX1_SECTION_B_FROM = 13


class _Reader:
    """Answers for one run of the rules, remembering which questions the rules consulted."""

    def __init__(self, values: Mapping[str, Answer]):
        self.values = values
        self.read: set[str] = set()

    def yes(self, question_id: str) -> bool:
        self.read.add(question_id)
        return self.values.get(question_id) is True

    def choice(self, question_id: str) -> str | None:
        self.read.add(question_id)
        value = self.values.get(question_id)
        return value if isinstance(value, str) else None

    def peek(self, question_id: str) -> bool:
        """For notes only: a question that cannot change the result is not 'consulted'."""
        return self.values.get(question_id) is True


@dataclass
class _Decision:
    risk_class: RiskClass | None = None
    findings: list[Finding] = field(default_factory=list)
    implied_points: set[str] = field(default_factory=set)
    hit_points: list[str] = field(default_factory=list)
    annex3_points: list[str] = field(default_factory=list)
    annex1: bool = False
    derogation: bool = False
    gpai: Gpai = Gpai.NONE
    gpai_open_source: bool = False

    def add(
        self, ref: str, kind: FindingKind, question: str | None = None, lv: str = "", en: str = ""
    ) -> None:
        self.findings.append(Finding(ref, kind, question, lv, en))

    @property
    def transparency(self) -> list[str]:
        return [
            f.ref
            for f in self.findings
            if f.kind is FindingKind.DUTY and f.ref.startswith("Art. 50")
        ]

    def signature(self) -> tuple[object, ...]:
        decisive = sorted(
            f.ref for f in self.findings if f.kind in (FindingKind.CLASS, FindingKind.DUTY)
        )
        return (self.risk_class, tuple(decisive), self.gpai, self.gpai_open_source)


def _decide(r: _Reader) -> _Decision:
    d = _Decision()
    for question_id in DEFINITION:
        if not r.yes(question_id):
            d.risk_class = RiskClass.NOT_AI_SYSTEM
            d.add(
                "Art. 3(1)",
                FindingKind.CLASS,
                question_id,
                "Pēc atbildēm sistēma neatbilst MI sistēmas definīcijai, tāpēc MI akts uz to neattiecas.",
                "By the answers the system does not meet the definition of an AI system, so the AI Act does not apply.",
            )
            return d
    for question_id, ref in SCOPE:
        if r.yes(question_id):
            d.risk_class = RiskClass.OUT_OF_SCOPE
            d.add(ref, FindingKind.EXCEPTION, question_id)
            return d
    _prohibited(r, d)
    if d.risk_class is RiskClass.PROHIBITED:
        return d
    _high_risk(r, d)
    _transparency(r, d)
    if d.risk_class is None:
        d.risk_class = RiskClass.LIMITED if d.transparency else RiskClass.MINIMAL
    if d.risk_class is RiskClass.MINIMAL and r.yes("open_source"):
        d.risk_class = RiskClass.OUT_OF_SCOPE
        d.add("Art. 2(12)", FindingKind.EXCEPTION, "open_source")
    _general_purpose(r, d)
    return d


def _prohibited(r: _Reader, d: _Decision) -> None:
    prohibited = False
    for question_id, exception_id, ref, point in PRACTICES:
        if not r.yes(question_id):
            continue
        if exception_id is None or not r.yes(exception_id):
            prohibited = True
            d.add(ref, FindingKind.CLASS, question_id)
            continue
        d.add(ref, FindingKind.EXCEPTION, exception_id)
        if point:
            d.implied_points.add(point)
        else:
            d.add(
                "Annex III 6(d)",
                FindingKind.NOTE,
                None,
                "Ja sistēmu izmanto tiesībaizsardzības iestāde, pārbaudiet III pielikuma 6. punkta d) apakšpunktu.",
                "If a law enforcement authority uses the system, check Annex III point 6(d).",
            )
    if r.yes("realtime_rbi_law_enforcement"):
        objectives = [(q, ref) for q, ref in RBI_OBJECTIVES if r.yes(q)]
        if objectives:
            for question_id, ref in objectives:
                d.add(ref, FindingKind.EXCEPTION, question_id)
            d.add("Art. 5(2)", FindingKind.DUTY, "realtime_rbi_law_enforcement")
            d.add("Art. 5(3)", FindingKind.DUTY, "realtime_rbi_law_enforcement")
            d.implied_points.add("1(a)")
        else:
            prohibited = True
            d.add("Art. 5(1)(h)", FindingKind.CLASS, "realtime_rbi_law_enforcement")
    if prohibited:
        d.risk_class = RiskClass.PROHIBITED


def _high_risk(r: _Reader, d: _Decision) -> None:
    if r.yes("annex1_product") and r.yes("annex1_third_party"):
        d.annex1 = True
        d.risk_class = RiskClass.HIGH_RISK
        d.add("Art. 6(1)", FindingKind.CLASS, "annex1_product")
        act = r.choice("annex1_act")
        if act:
            d.add(f"Annex I {act}", FindingKind.NOTE, "annex1_act")
            if int(act) >= ANNEX1_SECTION_B_FROM:
                d.add("Art. 2(2)", FindingKind.NOTE, "annex1_act")
    for point, question_id, exclusion_id in ANNEX3_POINTS:
        if not (point in d.implied_points or r.yes(question_id)):
            if exclusion_id == "biometric_verification_only" and r.peek(exclusion_id):
                d.add(f"Annex III {point}", FindingKind.NOTE, exclusion_id, *_VERIFICATION)
            continue
        if exclusion_id and r.yes(exclusion_id):
            d.add(f"Annex III {point}", FindingKind.EXCEPTION, exclusion_id)
            if exclusion_id == "biometric_verification_only":
                d.add("Art. 3(36)", FindingKind.NOTE, exclusion_id, *_VERIFICATION)
            continue
        d.hit_points.append(point)
    if not d.hit_points:
        return
    if r.yes("profiling"):
        _annex3_high(d, profiling=True)
        return
    conditions = [(q, ref) for q, ref in DEROGATIONS if r.yes(q)]
    if not conditions:
        _annex3_high(d, profiling=False)
        return
    d.derogation = True
    d.add("Art. 6(3)", FindingKind.EXCEPTION, conditions[0][0])
    for question_id, ref in conditions:
        d.add(ref, FindingKind.EXCEPTION, question_id)
    for point in d.hit_points:
        d.add(f"Annex III {point}", FindingKind.NOTE, _point_question(point))
    d.add("Art. 6(4)", FindingKind.DUTY, conditions[0][0])
    d.add("Art. 49(2)", FindingKind.DUTY, conditions[0][0])


_VERIFICATION = (
    "Biometriskā verifikācija (viens pret vienu) nav III pielikuma 1. punkta a) apakšpunktā minētā tālidentifikācija.",
    "Biometric verification (one-to-one) is not the remote identification of Annex III point 1(a).",
)


def _point_question(point: str) -> str:
    return next(q for p, q, _ in ANNEX3_POINTS if p == point)


def _annex3_high(d: _Decision, *, profiling: bool) -> None:
    d.risk_class = RiskClass.HIGH_RISK
    d.annex3_points = list(d.hit_points)
    d.add("Art. 6(2)", FindingKind.CLASS, _point_question(d.hit_points[0]))
    for point in d.hit_points:
        d.add(f"Annex III {point}", FindingKind.CLASS, _point_question(point))
    if profiling:
        d.add("Art. 6(3), third subparagraph", FindingKind.CLASS, "profiling")


def _transparency(r: _Reader, d: _Decision) -> None:
    exempt: bool | None = None

    def law_enforcement() -> bool:
        nonlocal exempt
        if exempt is None:
            exempt = r.yes("law_enforcement_authorised")
        return exempt

    def duty(ref: str, question_id: str, excused_by: str | None = None) -> None:
        if excused_by and r.yes(excused_by):
            d.add(ref, FindingKind.EXCEPTION, excused_by)
        elif law_enforcement():
            d.add(ref, FindingKind.EXCEPTION, "law_enforcement_authorised")
        else:
            d.add(ref, FindingKind.DUTY, question_id)

    if r.yes("interacts_with_people"):
        duty("Art. 50(1)", "interacts_with_people", "ai_interaction_obvious")
    if r.yes("synthetic_content"):
        duty("Art. 50(2)", "synthetic_content", "assistive_editing_only")
    biometric = any(p in ("1(b)", "1(c)") for p in d.hit_points)
    if biometric or r.yes("emotion_or_biometric_exposure"):
        duty("Art. 50(3)", "emotion_or_biometric_exposure")
    if r.yes("deep_fake"):
        duty("Art. 50(4)", "deep_fake")
        if r.peek("deep_fake_artistic"):
            d.add(
                "Art. 50(4)",
                FindingKind.NOTE,
                "deep_fake_artistic",
                "Mākslinieciskam darbam pietiek atbilstoši norādīt, ka saturs ir mākslīgi radīts.",
                "For an artistic work it is enough to disclose, appropriately, that the content is generated.",
            )
    if r.yes("public_interest_text"):
        duty("Art. 50(4), second subparagraph", "public_interest_text", "editorial_review")
    if d.transparency:
        d.add("Art. 50(5)", FindingKind.NOTE)


def _general_purpose(r: _Reader, d: _Decision) -> None:
    if not r.yes("gpai_provider"):
        return
    systemic = r.yes("gpai_systemic")
    d.gpai = Gpai.SYSTEMIC if systemic else Gpai.GPAI
    d.add("Art. 53(1)", FindingKind.DUTY, "gpai_provider")
    if systemic:
        d.add("Art. 51(1)", FindingKind.DUTY, "gpai_systemic")
        d.add("Art. 55(1)", FindingKind.DUTY, "gpai_systemic")
    elif r.yes("gpai_open_source"):
        # Open-source release lifts Art. 53(1)(a)-(b), never for systemic-risk models.
        d.gpai_open_source = True
        d.add("Art. 53(2)", FindingKind.EXCEPTION, "gpai_open_source")


def _complete(answers: Answers, *, risky: bool) -> dict[str, Answer]:
    values: dict[str, Answer] = {}
    for question_id, q in catalogue.questions().items():
        if question_id in answers:
            values[question_id] = answers[question_id]
        elif q.is_choice or not catalogue.is_applicable(question_id, answers):
            values[question_id] = None if q.is_choice else False
        else:
            values[question_id] = q.risky if risky else not q.risky
    return values


def _topmost_unanswered(question_id: str, unanswered: set[str]) -> str:
    """Ask 'Is it used in education?' before its four detailed questions."""
    top = question_id
    gate = catalogue.question(question_id).gate
    while gate is not None:
        if gate in unanswered:
            top = gate
        gate = catalogue.question(gate).gate
    return top


def classify(raw_answers: Mapping[str, Any]) -> Classification:
    """Classify one system from its answers (ids from ``questions``); raises Invalid on bad input."""
    answers = catalogue.validate_answers(raw_answers)
    unanswered = {
        q for q in catalogue.questions() if q not in answers and catalogue.is_applicable(q, answers)
    }
    worst_reader, best_reader = (
        _Reader(_complete(answers, risky=True)),
        _Reader(_complete(answers, risky=False)),
    )
    worst, best = _decide(worst_reader), _decide(best_reader)
    provisional = worst.signature() != best.signature()
    missing: list[str] = []
    if provisional:
        consulted = (worst_reader.read | best_reader.read) & unanswered
        for question_id in catalogue.questions():
            if question_id in consulted:
                top = _topmost_unanswered(question_id, unanswered)
                if top not in missing:
                    missing.append(top)
    findings = tuple(
        replace(f, assumed=f.question in unanswered) if f.question else f for f in worst.findings
    )
    assert worst.risk_class is not None and best.risk_class is not None
    return Classification(
        risk_class=worst.risk_class,
        provisional=provisional,
        lowest_possible_class=best.risk_class,
        findings=findings,
        missing=tuple(missing),
        annex3_points=tuple(worst.annex3_points),
        annex1=worst.annex1,
        derogation=worst.derogation,
        transparency=tuple(worst.transparency),
        gpai=worst.gpai,
        gpai_open_source=worst.gpai_open_source,
        answers=answers,
    )
