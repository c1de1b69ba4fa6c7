"""Questionnaire versions: load the standard questionnaire, copy a published version into a
draft, edit the draft's questions, publish it. A published version never changes, so every
round's answers keep meaning what they meant when they were given."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dati import clock
from dati.auth.actor import Actor
from dati.auth.permissions import allowed, require
from dati.errors import Conflict, Invalid, NotFound
from dati.i18n import gettext as _
from dati.readiness.models import (
    AnswerOption,
    Dimension,
    Question,
    QuestionKind,
    QuestionnaireVersion,
    Round,
    VersionStatus,
)
from dati.readiness.permissions import MANAGE_QUESTIONNAIRES, VIEW_QUESTIONNAIRES
from dati.readiness.schemas import (
    DimensionIn,
    QuestionBase,
    QuestionCreate,
    QuestionnaireDocument,
    QuestionUpdate,
)
from dati.readiness.services import recommendations as recommendations_service

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
STANDARD_FILE = DATA_DIR / "questionnaire-ai-readiness.json"


@dataclass(frozen=True)
class InstallResult:
    version: QuestionnaireVersion
    created: bool
    recommendations_added: int


def standard_document() -> QuestionnaireDocument:
    """The shipped first questionnaire, built from the State Audit Office's survey topics."""
    return QuestionnaireDocument.model_validate(json.loads(STANDARD_FILE.read_text("utf-8")))


# --- reading ---------------------------------------------------------------------------------


def list_versions(*, session: Session, actor: Actor) -> list[QuestionnaireVersion]:
    """Every version, newest first; drafts only for those who edit questionnaires."""
    require(actor, VIEW_QUESTIONNAIRES)
    stmt = select(QuestionnaireVersion).order_by(
        QuestionnaireVersion.code, QuestionnaireVersion.version.desc()
    )
    if not allowed(actor, MANAGE_QUESTIONNAIRES):
        stmt = stmt.where(QuestionnaireVersion.status == VersionStatus.PUBLISHED)
    return list(session.scalars(stmt))


def get_version(*, session: Session, actor: Actor, version_id: int) -> QuestionnaireVersion:
    """One version with its dimensions and questions."""
    require(actor, VIEW_QUESTIONNAIRES)
    version = _version(session, version_id)
    # A draft is an administrator's work in progress; others are told it does not exist.
    if not version.is_published and not allowed(actor, MANAGE_QUESTIONNAIRES):
        raise NotFound(_("No such questionnaire version."))
    return version


def latest_published(session: Session, code: str | None = None) -> QuestionnaireVersion | None:
    """The newest published version (of ``code``, or of any questionnaire)."""
    stmt = select(QuestionnaireVersion).where(
        QuestionnaireVersion.status == VersionStatus.PUBLISHED
    )
    if code:
        stmt = stmt.where(QuestionnaireVersion.code == code)
    stmt = stmt.order_by(QuestionnaireVersion.published_at.desc(), QuestionnaireVersion.id.desc())
    return session.scalars(stmt).first()


def get_draft_for_edit(*, session: Session, actor: Actor, version_id: int) -> QuestionnaireVersion:
    """A draft version, for forms that change it."""
    require(actor, MANAGE_QUESTIONNAIRES)
    version = _version(session, version_id)
    _editable(version)
    return version


def get_question_for_edit(*, session: Session, actor: Actor, question_id: int) -> Question:
    """A question of a draft version, for the edit form."""
    require(actor, MANAGE_QUESTIONNAIRES)
    question = _question(session, question_id)
    _editable(question.version)
    return question


def _version(session: Session, version_id: int) -> QuestionnaireVersion:
    version = session.get(QuestionnaireVersion, version_id)
    if version is None:
        raise NotFound(_("No such questionnaire version."))
    return version


def _question(session: Session, question_id: int) -> Question:
    question = session.get(Question, question_id)
    if question is None:
        raise NotFound(_("No such question."))
    return question


# --- creating versions -----------------------------------------------------------------------


def install_standard(*, session: Session, actor: Actor) -> InstallResult:
    """Load the shipped questionnaire as published version 1 and the default recommendations.

    Safe to repeat: an existing questionnaire or existing recommendations are left alone.
    """
    require(actor, MANAGE_QUESTIONNAIRES)
    document = standard_document()
    existing = latest_published(session, document.code)
    created = existing is None
    version = existing or _import(session, document, publish=True)
    added = recommendations_service.install_defaults(session)
    return InstallResult(version=version, created=created, recommendations_added=added)


def import_questionnaire(
    *, session: Session, actor: Actor, document: QuestionnaireDocument, publish: bool = False
) -> QuestionnaireVersion:
    """Add a questionnaire from a data file as the next version of its code."""
    require(actor, MANAGE_QUESTIONNAIRES)
    _refuse_second_draft(session, document.code)
    return _import(session, document, publish=publish)


def create_draft(*, session: Session, actor: Actor, version_id: int) -> QuestionnaireVersion:
    """Copy a published version into a new draft version, which can then be edited."""
    require(actor, MANAGE_QUESTIONNAIRES)
    source = _version(session, version_id)
    if not source.is_published:
        raise Conflict(_("This version is already a draft; edit it directly."))
    _refuse_second_draft(session, source.code)
    draft = QuestionnaireVersion(
        code=source.code,
        version=_next_number(session, source.code),
        status=VersionStatus.DRAFT,
        title_lv=source.title_lv,
        title_en=source.title_en,
        description_lv=source.description_lv,
        description_en=source.description_en,
        based_on_id=source.id,
    )
    dimensions: dict[int, Dimension] = {}
    for dim in source.dimensions:
        copy = Dimension(
            code=dim.code,
            position=dim.position,
            name_lv=dim.name_lv,
            name_en=dim.name_en,
            description_lv=dim.description_lv,
            description_en=dim.description_en,
        )
        dimensions[dim.id] = copy
        draft.dimensions.append(copy)
    for question in source.questions:
        data = QuestionCreate.model_validate(
            {**_question_fields(question), "dimension": question.dimension.code}
        )
        draft.questions.append(_build_question(data, dimensions[question.dimension_id]))
    session.add(draft)
    session.flush()
    return draft


def _question_fields(question: Question) -> dict[str, object]:
    fields = {name: getattr(question, name) for name in QuestionCreate.model_fields}
    fields["options"] = [
        {
            "code": o.code,
            "label_lv": o.label_lv,
            "label_en": o.label_en,
            "points": o.points,
            "exclusive": o.exclusive,
            "survey_answer": o.survey_answer,
        }
        for o in question.options
    ]
    return fields


def _refuse_second_draft(session: Session, code: str) -> None:
    draft = session.scalars(
        select(QuestionnaireVersion).where(
            QuestionnaireVersion.code == code, QuestionnaireVersion.status == VersionStatus.DRAFT
        )
    ).first()
    if draft is not None:
        raise Conflict(
            _(
                "Version {number} of this questionnaire is already a draft; edit or discard it first.",
                number=draft.version,
            )
        )


def _next_number(session: Session, code: str) -> int:
    current = session.scalar(
        select(func.max(QuestionnaireVersion.version)).where(QuestionnaireVersion.code == code)
    )
    return (current or 0) + 1


def _import(
    session: Session, document: QuestionnaireDocument, *, publish: bool
) -> QuestionnaireVersion:
    dimension_codes = [d.code for d in document.dimensions]
    errors: dict[str, str] = {}
    if len(set(dimension_codes)) != len(dimension_codes):
        errors["dimensions"] = _("Dimension codes must be unique.")
    seen: set[str] = set()
    for entry in document.questions:
        if entry.code in seen:
            errors[entry.code] = _("Question codes must be unique.")
        seen.add(entry.code)
        errors.update(
            {f"{entry.code}.{k}": v for k, v in _problems(entry, dimension_codes).items()}
        )
    if errors:
        raise Invalid(_("The questionnaire file is not valid."), errors=errors)
    version = QuestionnaireVersion(
        code=document.code,
        version=_next_number(session, document.code),
        status=VersionStatus.DRAFT,
        title_lv=document.title_lv,
        title_en=document.title_en,
        description_lv=document.description_lv,
        description_en=document.description_en,
    )
    dimensions = {d.code: _build_dimension(d, i) for i, d in enumerate(document.dimensions)}
    version.dimensions.extend(dimensions.values())
    for position, item in enumerate(document.questions):
        question = _build_question(item, dimensions[item.dimension])
        question.position = position
        version.questions.append(question)
    session.add(version)
    session.flush()
    if publish:
        _publish(version)
    return version


def _build_dimension(data: DimensionIn, position: int) -> Dimension:
    return Dimension(position=position, **data.model_dump())


def _build_question(data: QuestionCreate, dimension: Dimension) -> Question:
    question = Question(code=data.code, dimension=dimension, position=0)
    _assign(question, data)
    return question


def _assign(question: Question, data: QuestionBase) -> None:
    fields = data.model_dump(exclude={"options", "dimension", "code", "thresholds"})
    for name, value in fields.items():
        setattr(question, name, value)
    question.thresholds = (
        [[float(a), float(b)] for a, b in sorted(data.thresholds)] if data.thresholds else None
    )
    if not question.is_choice:
        question.options = []
        return
    by_code = {o.code: o for o in question.options}
    kept = []
    for position, option in enumerate(data.options):
        # Options keep their rows (and so the answers that chose them) when their code stays.
        row = by_code.get(option.code) or AnswerOption(code=option.code)
        row.position = position
        for name, value in option.model_dump(exclude={"code"}).items():
            setattr(row, name, value)
        kept.append(row)
    question.options = kept


def _problems(data: QuestionBase, dimension_codes: list[str]) -> dict[str, str]:
    """What makes a question's scoring rule unusable, by field."""
    problems: dict[str, str] = {}
    if data.dimension not in dimension_codes:
        problems["dimension"] = _("Unknown dimension.")
    codes = [o.code for o in data.options]
    if data.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        if len(data.options) < 2:
            problems["options"] = _("A choice question needs at least two answers.")
        elif len(set(codes)) != len(codes):
            problems["options"] = _("Answer codes must be unique.")
        elif data.kind is QuestionKind.SINGLE and any(o.exclusive for o in data.options):
            problems["options"] = _("Only multiple-choice answers can be exclusive.")
    elif data.options:
        problems["options"] = _("Only choice questions have answer options.")
    if data.kind is QuestionKind.SCALE and (
        data.min_value is None or data.max_value is None or data.min_value >= data.max_value
    ):
        problems["max_value"] = _("A scale needs a lowest value below its highest value.")
    if data.kind is QuestionKind.NUMBER:
        if not data.thresholds:
            problems["thresholds"] = _("A number question needs at least one threshold.")
        elif any(not 0 <= points <= 100 for _start, points in data.thresholds):
            problems["thresholds"] = _("Threshold points must be between 0 and 100.")
        if (
            data.min_value is not None
            and data.max_value is not None
            and data.min_value >= data.max_value
        ):
            problems["max_value"] = _("The lowest value must be below the highest value.")
    return problems


# --- editing drafts --------------------------------------------------------------------------


def _editable(version: QuestionnaireVersion) -> None:
    if version.is_published:
        raise Conflict(
            _(
                "Version {number} is published and cannot change. Create a new draft version to edit it.",
                number=version.version,
            )
        )


def add_question(
    *, session: Session, actor: Actor, version_id: int, data: QuestionCreate
) -> Question:
    """Add a question at the end of a draft version."""
    require(actor, MANAGE_QUESTIONNAIRES)
    version = _version(session, version_id)
    _editable(version)
    problems = _problems(data, [d.code for d in version.dimensions])
    if any(q.code == data.code for q in version.questions):
        problems["code"] = _("Question codes must be unique.")
    if problems:
        raise Invalid(_("The question cannot be saved."), errors=problems)
    dimension = next(d for d in version.dimensions if d.code == data.dimension)
    question = _build_question(data, dimension)
    question.position = max((q.position for q in version.questions), default=-1) + 1
    version.questions.append(question)
    session.flush()
    return question


def update_question(
    *, session: Session, actor: Actor, question_id: int, data: QuestionUpdate
) -> Question:
    """Change a draft question's texts, type, weight and scoring rule."""
    require(actor, MANAGE_QUESTIONNAIRES)
    question = _question(session, question_id)
    _editable(question.version)
    problems = _problems(data, [d.code for d in question.version.dimensions])
    if problems:
        raise Invalid(_("The question cannot be saved."), errors=problems)
    question.dimension = next(d for d in question.version.dimensions if d.code == data.dimension)
    _assign(question, data)
    session.flush()
    return question


def delete_question(*, session: Session, actor: Actor, question_id: int) -> QuestionnaireVersion:
    """Remove a question from a draft version."""
    require(actor, MANAGE_QUESTIONNAIRES)
    question = _question(session, question_id)
    version = question.version
    _editable(version)
    version.questions.remove(question)
    session.flush()
    return version


def publish_version(*, session: Session, actor: Actor, version_id: int) -> QuestionnaireVersion:
    """Freeze a draft so that rounds can use it."""
    require(actor, MANAGE_QUESTIONNAIRES)
    version = _version(session, version_id)
    _editable(version)
    _publish(version)
    session.flush()
    return version


def _publish(version: QuestionnaireVersion) -> None:
    if not any(q.is_scored for q in version.questions):
        raise Invalid(_("A questionnaire needs at least one scored question before publishing."))
    version.status = VersionStatus.PUBLISHED
    version.published_at = clock.now()


def discard_draft(*, session: Session, actor: Actor, version_id: int) -> None:
    """Delete a draft version that no round uses."""
    require(actor, MANAGE_QUESTIONNAIRES)
    version = _version(session, version_id)
    _editable(version)
    if session.scalar(select(Round.id).where(Round.version_id == version.id).limit(1)):
        raise Conflict(_("A round uses this version."))
    session.delete(version)
    session.flush()
