"""What the classifier concludes: the risk class, the provisions behind it, what is still missing."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from dati.ai.provisions import Provision, provision
from dati.ai.questions import Answers
from dati.i18n import pick


class RiskClass(enum.StrEnum):
    NOT_AI_SYSTEM = "not_ai_system"
    OUT_OF_SCOPE = "out_of_scope"
    PROHIBITED = "prohibited"
    HIGH_RISK = "high_risk"
    LIMITED = "limited"
    MINIMAL = "minimal"


RISK_CLASS_LABELS = {
    RiskClass.NOT_AI_SYSTEM: "Not an AI system",
    RiskClass.OUT_OF_SCOPE: "Outside the AI Act",
    RiskClass.PROHIBITED: "Prohibited practice",
    RiskClass.HIGH_RISK: "High risk",
    RiskClass.LIMITED: "Limited risk (transparency)",
    RiskClass.MINIMAL: "Minimal risk",
}

# Higher is riskier; used to order results and to sort registers.
RISK_ORDER = {
    RiskClass.NOT_AI_SYSTEM: 0,
    RiskClass.OUT_OF_SCOPE: 0,
    RiskClass.MINIMAL: 1,
    RiskClass.LIMITED: 2,
    RiskClass.HIGH_RISK: 3,
    RiskClass.PROHIBITED: 4,
}


class FindingKind(enum.StrEnum):
    CLASS = "class"  # put the system in its class
    EXCEPTION = "exception"  # an exception, exclusion or derogation that applied
    DUTY = "duty"  # a duty or condition the answers trigger
    NOTE = "note"  # context worth knowing; changes nothing


class Gpai(enum.StrEnum):
    NONE = "none"
    GPAI = "gpai"
    SYSTEMIC = "systemic"


@dataclass(frozen=True)
class Finding:
    ref: str
    kind: FindingKind
    question: str | None = None
    why_lv: str = ""
    why_en: str = ""
    assumed: bool = False  # rests on an unanswered question taken at its riskier answer

    @property
    def provision(self) -> Provision:
        return provision(self.ref)

    @property
    def why(self) -> str:
        return pick(self.why_lv, self.why_en)


@dataclass(frozen=True)
class Classification:
    risk_class: RiskClass
    provisional: bool
    lowest_possible_class: RiskClass
    findings: tuple[Finding, ...]
    missing: tuple[str, ...]
    annex3_points: tuple[str, ...]
    annex1: bool
    derogation: bool
    transparency: tuple[str, ...]
    gpai: Gpai
    gpai_open_source: bool
    answers: Answers

    def refs(self, *kinds: FindingKind) -> list[str]:
        return [f.ref for f in self.findings if not kinds or f.kind in kinds]
