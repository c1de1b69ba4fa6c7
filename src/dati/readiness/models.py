"""Tables of the readiness feature: versioned questionnaires, rounds, assessments, answers,
stored scores and the administrator's recommendations."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Enum,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dati import clock
from dati.db.base import Base, UTCDateTime
from dati.orgs.models import Organisation


class VersionStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class QuestionKind(enum.StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    SCALE = "scale"
    NUMBER = "number"
    TEXT = "text"


class RoundStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class AssessmentStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    DRAFT = "draft"
    SUBMITTED = "submitted"


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=20)


class QuestionnaireVersion(Base):
    """One version of a questionnaire. Published versions never change; edits make a new draft."""

    __tablename__ = "readiness_questionnaire"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[VersionStatus] = mapped_column(_enum(VersionStatus))
    title_lv: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300), default="")
    description_lv: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    based_on_id: Mapped[int | None] = mapped_column(
        ForeignKey("readiness_questionnaire.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    dimensions: Mapped[list[Dimension]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="Dimension.position"
    )
    questions: Mapped[list[Question]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="Question.position"
    )

    @property
    def is_published(self) -> bool:
        return self.status is VersionStatus.PUBLISHED


class Dimension(Base):
    __tablename__ = "readiness_dimension"
    __table_args__ = (UniqueConstraint("version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("readiness_questionnaire.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(Integer, default=0)
    name_lv: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    description_lv: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[QuestionnaireVersion] = relationship(back_populates="dimensions")
    questions: Mapped[list[Question]] = relationship(
        back_populates="dimension", order_by="Question.position"
    )


class Question(Base):
    """A question with its scoring rule: option points, a scale, number thresholds or none (text).

    ``weight`` 0 makes a question informative only; it is shown and counted but never scored.
    """

    __tablename__ = "readiness_question"
    __table_args__ = (UniqueConstraint("version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("readiness_questionnaire.id", ondelete="CASCADE"), index=True
    )
    dimension_id: Mapped[int] = mapped_column(
        ForeignKey("readiness_dimension.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[QuestionKind] = mapped_column(_enum(QuestionKind))
    text_lv: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text, default="")
    help_lv: Mapped[str] = mapped_column(Text, default="")
    help_en: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    # Scale and number questions: the allowed range.
    min_value: Mapped[float | None] = mapped_column(Float)
    max_value: Mapped[float | None] = mapped_column(Float)
    unit_lv: Mapped[str] = mapped_column(String(40), default="")
    unit_en: Mapped[str] = mapped_column(String(40), default="")
    low_label_lv: Mapped[str] = mapped_column(String(120), default="")
    low_label_en: Mapped[str] = mapped_column(String(120), default="")
    high_label_lv: Mapped[str] = mapped_column(String(120), default="")
    high_label_en: Mapped[str] = mapped_column(String(120), default="")
    # Multiple choice: score = clamp(base_points + sum of the ticked options' points, 0, 100).
    base_points: Mapped[float] = mapped_column(Float, default=0.0)
    # Number: [[from_value, points], ...] ascending; the last step reached gives the points.
    thresholds: Mapped[list[list[float]] | None] = mapped_column(JSON)
    # Links the question to a topic of the State Audit Office's published survey.
    survey_topic: Mapped[str | None] = mapped_column(String(40))

    version: Mapped[QuestionnaireVersion] = relationship(back_populates="questions")
    dimension: Mapped[Dimension] = relationship(back_populates="questions")
    options: Mapped[list[AnswerOption]] = relationship(
        back_populates="question", cascade="all, delete-orphan", order_by="AnswerOption.position"
    )

    @property
    def is_scored(self) -> bool:
        return self.weight > 0 and self.kind is not QuestionKind.TEXT

    @property
    def is_choice(self) -> bool:
        return self.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)

    def option(self, code: str) -> AnswerOption | None:
        return next((o for o in self.options if o.code == code), None)


class AnswerOption(Base):
    __tablename__ = "readiness_option"
    __table_args__ = (UniqueConstraint("question_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("readiness_question.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(Integer, default=0)
    label_lv: Mapped[str] = mapped_column(String(300))
    label_en: Mapped[str] = mapped_column(String(300), default="")
    points: Mapped[float] = mapped_column(Float, default=0.0)
    # An exclusive option ("none of these") cannot be ticked together with others.
    exclusive: Mapped[bool] = mapped_column(Boolean, default=False)
    # The State Audit Office's answer (answer_en of the survey CSV) this option reproduces.
    survey_answer: Mapped[str | None] = mapped_column(String(200))

    question: Mapped[Question] = relationship(back_populates="options")


class Round(Base):
    """An assessment round: one questionnaire version, chosen institutions, a deadline."""

    __tablename__ = "readiness_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("readiness_questionnaire.id", ondelete="RESTRICT"), index=True
    )
    title_lv: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200), default="")
    opens_on: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[RoundStatus] = mapped_column(_enum(RoundStatus), default=RoundStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    version: Mapped[QuestionnaireVersion] = relationship(lazy="joined")
    assessments: Mapped[list[Assessment]] = relationship(
        back_populates="round", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.status is RoundStatus.OPEN


class Assessment(Base):
    """One institution's answers in one round."""

    __tablename__ = "readiness_assessment"
    __table_args__ = (UniqueConstraint("round_id", "org_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("readiness_round.id", ondelete="CASCADE"), index=True
    )
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[AssessmentStatus] = mapped_column(
        _enum(AssessmentStatus), default=AssessmentStatus.NOT_STARTED
    )
    # Bumped on every save; a save based on an older revision is refused (concurrent edit).
    revision: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopen_reason: Mapped[str] = mapped_column(Text, default="")
    overall_score: Mapped[float | None] = mapped_column(Float)

    round: Mapped[Round] = relationship(back_populates="assessments")
    organisation: Mapped[Organisation] = relationship(lazy="joined")
    answers: Mapped[list[Answer]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan"
    )
    scores: Mapped[list[DimensionScore]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan"
    )


answer_choice = Table(
    "readiness_answer_choice",
    Base.metadata,
    Column(
        "answer_id",
        ForeignKey("readiness_answer.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "option_id",
        ForeignKey("readiness_option.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Answer(Base):
    """The answer to one question: chosen options, a number (scale and number) or text."""

    __tablename__ = "readiness_answer"
    __table_args__ = (UniqueConstraint("assessment_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("readiness_assessment.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("readiness_question.id", ondelete="CASCADE"), index=True
    )
    number_value: Mapped[float | None] = mapped_column(Float)
    text_value: Mapped[str | None] = mapped_column(Text)

    assessment: Mapped[Assessment] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()
    options: Mapped[list[AnswerOption]] = relationship(secondary=answer_choice, lazy="selectin")

    @property
    def value(self) -> Any:
        """The answer in the shape the API and forms use."""
        kind = self.question.kind
        if kind is QuestionKind.SINGLE:
            return self.options[0].code if self.options else None
        if kind is QuestionKind.MULTIPLE:
            order = {o.id: o.position for o in self.question.options}
            return [o.code for o in sorted(self.options, key=lambda o: order.get(o.id, 0))]
        if kind is QuestionKind.TEXT:
            return self.text_value
        return self.number_value


class DimensionScore(Base):
    """A submitted assessment's score in one dimension (0–100), fixed at submission."""

    __tablename__ = "readiness_score"
    __table_args__ = (UniqueConstraint("assessment_id", "dimension_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("readiness_assessment.id", ondelete="CASCADE"), index=True
    )
    dimension_code: Mapped[str] = mapped_column(String(60))
    score: Mapped[float | None] = mapped_column(Float)

    assessment: Mapped[Assessment] = relationship(back_populates="scores")


class Recommendation(Base):
    """A next step shown for a dimension whose score is below ``max_score``."""

    __tablename__ = "readiness_recommendation"

    id: Mapped[int] = mapped_column(primary_key=True)
    dimension_code: Mapped[str] = mapped_column(String(60), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    max_score: Mapped[float] = mapped_column(Float, default=50.0)
    title_lv: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200), default="")
    body_lv: Mapped[str] = mapped_column(Text, default="")
    body_en: Mapped[str] = mapped_column(Text, default="")
    link_url: Mapped[str] = mapped_column(String(300), default="")
    link_label_lv: Mapped[str] = mapped_column(String(120), default="")
    link_label_en: Mapped[str] = mapped_column(String(120), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
