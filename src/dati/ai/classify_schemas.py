"""Input and output shapes of the AI Act classifier: answers in, verdict and questions out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from dati.ai import questions as catalogue
from dati.ai.verdict import RISK_CLASS_LABELS, Classification, Gpai, RiskClass
from dati.i18n import gettext as _


def _answers_schema() -> dict[str, Any]:
    """Every question as a documented property, so the OpenAPI schema is the input format."""
    properties: dict[str, Any] = {}
    for q in catalogue.questions().values():
        description = f"{q.text_en} [{', '.join(q.refs)}]"
        if q.gate:
            description += f" Asked only unless '{q.gate}' is false."
        if q.is_choice:
            properties[q.id] = {
                "type": ["string", "null"],
                "enum": [o.value for o in q.options] + [None],
                "description": description,
            }
        else:
            properties[q.id] = {"type": ["boolean", "null"], "description": description}
    return {"properties": properties, "additionalProperties": False}


class ClassifyRequest(BaseModel):
    """The classifier's input: answers by question id; a missing or null answer is unanswered."""

    name: str = Field(default="", max_length=200, description="A label for the result only.")
    answers: dict[str, bool | str | None] = Field(
        default_factory=dict, json_schema_extra=_answers_schema()
    )


class FindingRead(BaseModel):
    ref: str
    kind: str
    title: str
    why: str
    quote: str
    assumed: bool
    question: str | None


class MissingRead(BaseModel):
    id: str
    text: str
    refs: list[str]


class ClassificationRead(BaseModel):
    risk_class: RiskClass
    risk_class_label: str
    provisional: bool
    lowest_possible_class: RiskClass
    findings: list[FindingRead]
    missing: list[MissingRead]
    annex3_points: list[str]
    annex1: bool
    derogation: bool
    transparency: list[str]
    gpai: Gpai
    gpai_open_source: bool
    answers: dict[str, bool | str]

    @classmethod
    def of(cls, c: Classification) -> ClassificationRead:
        return cls(
            risk_class=c.risk_class,
            risk_class_label=_(RISK_CLASS_LABELS[c.risk_class]),
            provisional=c.provisional,
            lowest_possible_class=c.lowest_possible_class,
            findings=[
                FindingRead(
                    ref=f.ref,
                    kind=f.kind.value,
                    title=f.provision.title,
                    why=f.why,
                    quote=f.provision.text,
                    assumed=f.assumed,
                    question=f.question,
                )
                for f in c.findings
            ],
            missing=[
                MissingRead(
                    id=q, text=catalogue.question(q).text, refs=list(catalogue.question(q).refs)
                )
                for q in c.missing
            ],
            annex3_points=list(c.annex3_points),
            annex1=c.annex1,
            derogation=c.derogation,
            transparency=list(c.transparency),
            gpai=c.gpai,
            gpai_open_source=c.gpai_open_source,
            answers={k: v for k, v in c.answers.items() if v is not None},
        )


class AssessmentRead(BaseModel):
    id: int
    system_id: int
    created_at: datetime
    created_by: str
    result: ClassificationRead

    @classmethod
    def of(cls, assessment: Any, result: Classification) -> AssessmentRead:
        return cls(
            id=assessment.id,
            system_id=assessment.system_id,
            created_at=assessment.created_at,
            created_by=assessment.created_by,
            result=ClassificationRead.of(result),
        )


class OptionRead(BaseModel):
    value: str
    label: str


class QuestionRead(BaseModel):
    id: str
    text: str
    help: str
    refs: list[str]
    gate: str | None
    risky_answer: bool | None
    options: list[OptionRead]


class SectionRead(BaseModel):
    id: str
    title: str
    intro: str
    questions: list[QuestionRead]

    @classmethod
    def of(cls, s: catalogue.Section) -> SectionRead:
        return cls(
            id=s.id,
            title=s.title,
            intro=s.intro,
            questions=[
                QuestionRead(
                    id=q.id,
                    text=q.text,
                    help=q.help,
                    refs=list(q.refs),
                    gate=q.gate,
                    risky_answer=q.risky,
                    options=[OptionRead(value=o.value, label=o.label) for o in q.options],
                )
                for q in s.questions
            ],
        )
