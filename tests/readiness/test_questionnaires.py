"""Questionnaire versions: the shipped questionnaire, immutability of published versions,
drafts, editing and publishing."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy.orm import Session

from dati.auth.actor import Actor, Role
from dati.errors import Conflict, Forbidden, Invalid, NotFound
from dati.readiness.models import QuestionKind, QuestionnaireVersion, VersionStatus
from dati.readiness.schemas import QuestionCreate, QuestionnaireDocument, QuestionUpdate
from dati.readiness.services import questionnaires as service
from dati.readiness.services.questionnaires import DATA_DIR
from tests.conftest import MakeUser

SURVEY_TOPICS = {
    "use",
    "positive_impact",
    "obstacles",
    "prerequisites",
    "strategy",
    "guidelines",
    "budget",
    "human_capital",
}


def test_the_shipped_questionnaire_covers_the_nine_reference_dimensions() -> None:
    document = service.standard_document()
    with (DATA_DIR / "dimensions.csv").open(encoding="utf-8") as fh:
        reference = {r["code"]: r for r in csv.DictReader(fh)}
    assert [d.code for d in document.dimensions] != []
    assert {d.code for d in document.dimensions} == set(reference)
    for dim in document.dimensions:
        # Same names as the State Audit Office's slides, only in sentence case.
        assert dim.name_lv.upper() == reference[dim.code]["name_lv"]
        assert dim.name_en and dim.description_lv and dim.description_en
    assert {d.dimension for d in document.questions} == set(reference), (
        "every dimension has questions"
    )
    assert {q.survey_topic for q in document.questions if q.survey_topic} == SURVEY_TOPICS
    assert {q.kind for q in document.questions} == set(QuestionKind)
    for q in document.questions:
        assert q.text_lv and q.text_en, q.code


def test_every_published_survey_answer_maps_to_exactly_one_option() -> None:
    document = service.standard_document()
    options = {
        (q.survey_topic, o.survey_answer)
        for q in document.questions
        for o in q.options
        if q.survey_topic and o.survey_answer
    }
    with (DATA_DIR / "state-audit-ai-survey.csv").open(encoding="utf-8") as fh:
        rows = {(r["topic"], r["answer_en"]) for r in csv.DictReader(fh)}
    assert len(rows) == 28
    assert options == rows


def test_install_is_idempotent(session: Session, system: Actor) -> None:
    first = service.install_standard(session=session, actor=system)
    assert first.created and first.version.is_published and first.recommendations_added > 0
    assert len(first.version.questions) == len(service.standard_document().questions)
    second = service.install_standard(session=session, actor=system)
    assert not second.created and second.recommendations_added == 0
    assert second.version.id == first.version.id


def _update_from(question: object, **changes: object) -> QuestionUpdate:
    data = QuestionUpdate.model_validate(
        {
            **{
                name: getattr(question, name)
                for name in QuestionUpdate.model_fields
                if name not in ("dimension", "options")
            },
            "dimension": question.dimension.code,  # type: ignore[attr-defined]
            "options": [
                {
                    "code": o.code,
                    "label_lv": o.label_lv,
                    "label_en": o.label_en,
                    "points": o.points,
                    "exclusive": o.exclusive,
                    "survey_answer": o.survey_answer,
                }
                for o in question.options  # type: ignore[attr-defined]
            ],
        }
    )
    return data.model_copy(update=changes)


def test_a_published_version_cannot_change(
    session: Session, system: Actor, version: QuestionnaireVersion
) -> None:
    question = version.questions[0]
    with pytest.raises(Conflict, match="ir publicēta"):
        service.update_question(
            session=session,
            actor=system,
            question_id=question.id,
            data=_update_from(question, text_lv="Cits teksts"),
        )
    with pytest.raises(Conflict):
        service.delete_question(session=session, actor=system, question_id=question.id)
    assert question.text_lv != "Cits teksts"


def test_editing_goes_through_a_new_draft_version(
    session: Session, system: Actor, version: QuestionnaireVersion
) -> None:
    draft = service.create_draft(session=session, actor=system, version_id=version.id)
    assert (draft.version, draft.status, draft.based_on_id) == (2, VersionStatus.DRAFT, version.id)
    assert [q.code for q in draft.questions] == [q.code for q in version.questions]
    assert [len(q.options) for q in draft.questions] == [len(q.options) for q in version.questions]
    copy = next(q for q in draft.questions if q.code == "ai_guidelines")
    changed = service.update_question(
        session=session,
        actor=system,
        question_id=copy.id,
        data=_update_from(copy, text_lv="Vai ir MI vadlīnijas?", weight=3),
    )
    assert changed.text_lv == "Vai ir MI vadlīnijas?" and changed.weight == 3
    original = next(q for q in version.questions if q.code == "ai_guidelines")
    assert (
        original.text_lv.startswith("Vai iestādē ir iekšējās vadlīnijas") and original.weight == 2
    )
    # One draft at a time per questionnaire.
    with pytest.raises(Conflict, match="jau ir melnraksts"):
        service.create_draft(session=session, actor=system, version_id=version.id)
    published = service.publish_version(session=session, actor=system, version_id=draft.id)
    assert published.is_published and published.published_at is not None
    assert service.latest_published(session).id == draft.id


def test_adding_and_removing_questions_in_a_draft(
    session: Session, system: Actor, version: QuestionnaireVersion
) -> None:
    draft = service.create_draft(session=session, actor=system, version_id=version.id)
    added = service.add_question(
        session=session,
        actor=system,
        version_id=draft.id,
        data=QuestionCreate(
            code="ai_training_plan",
            dimension="human_capital",
            kind=QuestionKind.SINGLE,
            text_lv="Vai ir MI apmācību plāns?",
            options=[
                {"code": "yes", "label_lv": "Jā", "points": 100},
                {"code": "no", "label_lv": "Nē", "points": 0},
            ],
        ),
    )
    assert (
        added.dimension.code == "human_capital" and draft.questions[-1].code == "ai_training_plan"
    )
    with pytest.raises(Invalid) as exc:
        service.add_question(
            session=session,
            actor=system,
            version_id=draft.id,
            data=QuestionCreate(
                code="ai_training_plan", dimension="nowhere", kind=QuestionKind.SINGLE, text_lv="?"
            ),
        )
    assert set(exc.value.errors) == {"code", "dimension", "options"}
    service.delete_question(session=session, actor=system, question_id=added.id)
    assert "ai_training_plan" not in [q.code for q in draft.questions]
    service.discard_draft(session=session, actor=system, version_id=draft.id)
    assert service.latest_published(session).id == version.id


@pytest.mark.parametrize(
    "kind, fields, field",
    [
        (QuestionKind.SCALE, {"min_value": 5, "max_value": 1}, "max_value"),
        (QuestionKind.NUMBER, {"thresholds": None}, "thresholds"),
        (QuestionKind.NUMBER, {"thresholds": "0:0; 5:150"}, "thresholds"),
        (
            QuestionKind.TEXT,
            {"options": [{"code": "a", "label_lv": "A"}, {"code": "b", "label_lv": "B"}]},
            "options",
        ),
        (
            QuestionKind.SINGLE,
            {
                "options": [
                    {"code": "a", "label_lv": "A", "exclusive": True},
                    {"code": "b", "label_lv": "B"},
                ]
            },
            "options",
        ),
    ],
)
def test_unusable_scoring_rules_are_refused_with_the_field(
    session: Session,
    system: Actor,
    version: QuestionnaireVersion,
    kind: QuestionKind,
    fields: dict[str, object],
    field: str,
) -> None:
    draft = service.create_draft(session=session, actor=system, version_id=version.id)
    with pytest.raises(Invalid) as exc:
        service.add_question(
            session=session,
            actor=system,
            version_id=draft.id,
            data=QuestionCreate.model_validate(
                {"code": "x", "dimension": "strategy", "kind": kind, "text_lv": "?", **fields}
            ),
        )
    assert field in exc.value.errors


def test_a_questionnaire_file_is_validated_as_a_whole(session: Session, system: Actor) -> None:
    document = QuestionnaireDocument.model_validate(
        {
            "code": "mini",
            "title_lv": "Mini",
            "dimensions": [{"code": "a", "name_lv": "A"}],
            "questions": [
                {
                    "code": "q1",
                    "dimension": "a",
                    "kind": "scale",
                    "text_lv": "?",
                    "min_value": 1,
                    "max_value": 5,
                },
                {"code": "q1", "dimension": "b", "kind": "text", "text_lv": "?"},
            ],
        }
    )
    with pytest.raises(Invalid) as exc:
        service.import_questionnaire(session=session, actor=system, document=document)
    assert "q1" in exc.value.errors and "q1.dimension" in exc.value.errors


@pytest.mark.parametrize("role", [Role.STEWARD, Role.AUDITOR, Role.AI_OFFICER])
def test_only_administrators_edit_questionnaires_and_see_drafts(
    session: Session, system: Actor, make_user: MakeUser, version: QuestionnaireVersion, role: Role
) -> None:
    draft = service.create_draft(session=session, actor=system, version_id=version.id)
    user = make_user("lietotajs", (role, "VID"))
    with pytest.raises(Forbidden):
        service.create_draft(session=session, actor=user, version_id=version.id)
    with pytest.raises(Forbidden):
        service.publish_version(session=session, actor=user, version_id=draft.id)
    assert [v.id for v in service.list_versions(session=session, actor=user)] == [version.id]
    assert service.get_version(session=session, actor=user, version_id=version.id) is version
    with pytest.raises(NotFound):
        service.get_version(session=session, actor=user, version_id=draft.id)
