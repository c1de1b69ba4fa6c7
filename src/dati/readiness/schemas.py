"""Input and output shapes of the readiness feature."""

from __future__ import annotations

import re
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from dati.i18n import gettext as _
from dati.readiness.models import AssessmentStatus, QuestionKind, RoundStatus, VersionStatus

CODE = r"^[a-z][a-z0-9_]{0,59}$"

# An answer as the API and forms carry it: an option code (single choice), option codes
# (multiple choice), a number (scale, number), text, or None to clear the answer.
AnswerValue = str | float | list[str] | None


# --- questionnaires --------------------------------------------------------------------------


class OptionIn(BaseModel):
    code: str = Field(pattern=CODE)
    label_lv: str = Field(min_length=1, max_length=300)
    label_en: str = Field(default="", max_length=300)
    points: float = Field(default=0, ge=-100, le=100)
    exclusive: bool = False
    survey_answer: str | None = Field(default=None, max_length=200)


class QuestionBase(BaseModel):
    dimension: str = Field(pattern=CODE)
    kind: QuestionKind
    text_lv: str = Field(min_length=1, max_length=2000)
    text_en: str = Field(default="", max_length=2000)
    help_lv: str = Field(default="", max_length=4000)
    help_en: str = Field(default="", max_length=4000)
    weight: float = Field(default=1, ge=0, le=10)
    required: bool = False
    min_value: float | None = None
    max_value: float | None = None
    unit_lv: str = Field(default="", max_length=40)
    unit_en: str = Field(default="", max_length=40)
    low_label_lv: str = Field(default="", max_length=120)
    low_label_en: str = Field(default="", max_length=120)
    high_label_lv: str = Field(default="", max_length=120)
    high_label_en: str = Field(default="", max_length=120)
    base_points: float = Field(default=0, ge=0, le=100)
    thresholds: list[tuple[float, float]] | None = None
    survey_topic: str | None = Field(default=None, max_length=40)
    options: list[OptionIn] = Field(default_factory=list)

    @field_validator("thresholds", mode="before")
    @classmethod
    def _thresholds_text(cls, value: object) -> object:
        """Forms write thresholds as 'from:points' pairs, e.g. "0:0; 1:50; 3:100"."""
        if not isinstance(value, str):
            return value
        pairs = []
        for part in re.split(r"[;\n]+", value):
            if not part.strip():
                continue
            start, sep, points = part.partition(":")
            try:
                pairs.append((_decimal(start), _decimal(points)))
            except ValueError:
                sep = ""
            if not sep:
                raise ValueError(
                    _("Write pairs of value:points separated by semicolons, e.g. 0:0; 1:50.")
                )
        return pairs or None


def _decimal(text: str) -> float:
    return float(text.strip().replace(",", "."))


class QuestionUpdate(QuestionBase):
    """A changed question in a draft version; its code stays."""


class QuestionCreate(QuestionBase):
    code: str = Field(pattern=CODE)


class DimensionIn(BaseModel):
    code: str = Field(pattern=CODE)
    name_lv: str = Field(min_length=1, max_length=200)
    name_en: str = Field(default="", max_length=200)
    description_lv: str = ""
    description_en: str = ""


class QuestionnaireDocument(BaseModel):
    """A whole questionnaire as a data file (see data/questionnaire-ai-readiness.json)."""

    code: str = Field(pattern=r"^[a-z][a-z0-9-]{0,59}$")
    title_lv: str = Field(min_length=1, max_length=300)
    title_en: str = Field(default="", max_length=300)
    description_lv: str = ""
    description_en: str = ""
    dimensions: list[DimensionIn] = Field(min_length=1)
    questions: list[QuestionCreate] = Field(min_length=1)


class OptionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    label_lv: str
    label_en: str
    points: float
    exclusive: bool
    survey_answer: str | None


class QuestionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    dimension: str
    kind: QuestionKind
    text_lv: str
    text_en: str
    help_lv: str
    help_en: str
    weight: float
    required: bool
    min_value: float | None
    max_value: float | None
    unit_lv: str
    unit_en: str
    low_label_lv: str
    low_label_en: str
    high_label_lv: str
    high_label_en: str
    base_points: float
    thresholds: list[tuple[float, float]] | None
    survey_topic: str | None
    options: list[OptionRead]

    @model_validator(mode="before")
    @classmethod
    def _dimension_code(cls, data: object) -> object:
        dimension = getattr(data, "dimension", None)
        if dimension is not None and not isinstance(data, dict):
            fields = {name: getattr(data, name) for name in cls.model_fields if name != "dimension"}
            return {**fields, "dimension": dimension.code}
        return data


class DimensionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name_lv: str
    name_en: str
    description_lv: str
    description_en: str


class QuestionnaireSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    version: int
    status: VersionStatus
    title_lv: str
    title_en: str
    created_at: datetime
    published_at: datetime | None


class QuestionnaireRead(QuestionnaireSummary):
    description_lv: str
    description_en: str
    based_on_id: int | None
    dimensions: list[DimensionRead]
    questions: list[QuestionRead]


class InstallRead(BaseModel):
    version_id: int
    version: int
    created: bool
    recommendations_added: int


# --- rounds and assessments ------------------------------------------------------------------


class RoundCreate(BaseModel):
    title_lv: str = Field(min_length=1, max_length=200)
    title_en: str = Field(default="", max_length=200)
    opens_on: date
    deadline: date
    version_id: int | None = None
    institutions: list[str] = Field(min_length=1)


class RoundUpdate(BaseModel):
    title_lv: str | None = Field(default=None, min_length=1, max_length=200)
    title_en: str | None = Field(default=None, max_length=200)
    deadline: date | None = None


class RoundRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version_id: int
    title_lv: str
    title_en: str
    opens_on: date
    deadline: date
    status: RoundStatus
    closed_at: datetime | None


class RoundSummaryRead(RoundRead):
    total: int
    submitted: int
    draft: int
    not_started: int


class ProgressRead(BaseModel):
    assessment_id: int
    institution: str
    institution_name: str
    group: str
    status: AssessmentStatus
    answered: int
    questions: int
    updated_at: datetime | None
    submitted_at: datetime | None
    overall_score: float | None


class AssessmentRead(BaseModel):
    id: int
    round_id: int
    institution: str
    institution_name: str
    status: AssessmentStatus
    revision: int
    updated_at: datetime | None
    submitted_at: datetime | None
    reopen_reason: str
    overall_score: float | None
    answers: dict[str, AnswerValue]


class AnswersUpdate(BaseModel):
    """Answers to save, by question code; a null clears an answer, absent codes stay as they are."""

    answers: dict[str, AnswerValue] = Field(default_factory=dict)
    revision: int | None = Field(
        default=None, description="The revision you loaded; a newer saved one is a conflict."
    )


class ReopenRequest(BaseModel):
    reason: str = Field(min_length=3, max_length=1000)


# --- results ---------------------------------------------------------------------------------


class DimensionResultRead(BaseModel):
    code: str
    name_lv: str
    name_en: str
    score: float | None
    national: float | None
    previous: float | None
    weak: bool


class AssessmentResultRead(BaseModel):
    assessment_id: int
    institution: str
    final: bool
    overall: float | None
    national_overall: float | None
    previous_round_id: int | None
    previous_overall: float | None
    dimensions: list[DimensionResultRead]


class DimensionAverageRead(BaseModel):
    code: str
    name_lv: str
    name_en: str
    average: float | None
    count: int


class NationalRead(BaseModel):
    round_id: int
    submitted: int
    total: int
    overall: float | None
    dimensions: list[DimensionAverageRead]


class GroupScoresRead(BaseModel):
    key: str
    name_lv: str
    name_en: str
    count: int
    overall: float | None
    scores: dict[str, float | None]


class InstitutionScoresRead(BaseModel):
    assessment_id: int
    institution: str
    institution_name: str
    group: str
    overall: float | None
    scores: dict[str, float | None]


class OptionShareRead(BaseModel):
    code: str
    label_lv: str
    label_en: str
    count: int
    percent: float
    published_percent: int | None


class NumberStatsRead(BaseModel):
    count: int
    mean: float
    median: float
    minimum: float
    maximum: float


class DistributionRead(BaseModel):
    question: str
    text_lv: str
    text_en: str
    kind: QuestionKind
    base: int
    answered: int
    no_answer: int
    no_answer_percent: float
    options: list[OptionShareRead]
    numbers: NumberStatsRead | None


class ComparisonRowRead(BaseModel):
    key: str
    name_lv: str
    name_en: str
    before: float | None
    after: float | None
    change: float | None


class ComparisonRead(BaseModel):
    before_round_id: int
    after_round_id: int
    overall: ComparisonRowRead
    dimensions: list[ComparisonRowRead]
    institutions: list[ComparisonRowRead] | None


# --- recommendations -------------------------------------------------------------------------


class RecommendationIn(BaseModel):
    dimension_code: str = Field(pattern=CODE)
    max_score: float = Field(default=50, gt=0, le=100)
    position: int = Field(default=0, ge=0, le=1000)
    title_lv: str = Field(min_length=1, max_length=200)
    title_en: str = Field(default="", max_length=200)
    body_lv: str = Field(default="", max_length=4000)
    body_en: str = Field(default="", max_length=4000)
    link_url: str = Field(default="", max_length=300)
    link_label_lv: str = Field(default="", max_length=120)
    link_label_en: str = Field(default="", max_length=120)


class RecommendationRead(RecommendationIn):
    model_config = ConfigDict(from_attributes=True)

    id: int
    updated_at: datetime
