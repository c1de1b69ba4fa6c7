"""Rounds and answering: who may answer, drafts, submission, deadlines, reopening, conflicts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from dati import clock
from dati.auth.actor import Actor, Role
from dati.errors import Conflict, Forbidden, Invalid, NotFound
from dati.readiness.models import AssessmentStatus, QuestionnaireVersion
from dati.readiness.schemas import RoundCreate, RoundUpdate
from dati.readiness.services import answers as service
from dati.readiness.services import rounds as rounds_service
from dati.readiness.services.answers import IncompleteAssessment
from tests.conftest import MakeUser
from tests.readiness.conftest import COMPLETE, MakeRound, assessment_of


def test_a_round_gets_one_assessment_per_chosen_institution(make_round: MakeRound) -> None:
    rnd = make_round("VZD", "PMLP", "riga", "VZD")
    assert sorted(a.organisation.short_name for a in rnd.assessments) == ["PMLP", "VZD", "riga"]
    assert {a.status for a in rnd.assessments} == {AssessmentStatus.NOT_STARTED}


def test_opening_a_round_names_every_bad_field(
    session: Session, system: Actor, version: QuestionnaireVersion
) -> None:
    today = clock.today()
    with pytest.raises(Invalid) as exc:
        rounds_service.create_round(
            session=session,
            actor=system,
            data=RoundCreate(
                title_lv="X",
                opens_on=today,
                deadline=today - timedelta(days=1),
                institutions=["VZD", "NOPE", "LU"],
            ),
        )
    assert set(exc.value.errors) == {"deadline", "institutions"}
    assert (
        "NOPE" in exc.value.errors["institutions"] and "LU" in exc.value.errors["institutions"]
    )  # LU is a university


@pytest.mark.parametrize(
    "grants, outcome",
    [
        ([(Role.STEWARD, "VZD")], "saved"),
        ([(Role.AI_OFFICER, "VZD")], "saved"),
        ([(Role.PUBLISHER, "VZD")], Forbidden),  # sees its institution's assessment, may not answer
        ([(Role.AUDITOR, "VKONTROLE")], Forbidden),  # reads everything, answers nothing
        (
            [(Role.STEWARD, "PMLP")],
            NotFound,
        ),  # another institution's assessment does not exist for them
        ([(Role.ADMIN, None)], "saved"),
    ],
)
def test_who_may_answer_an_institutions_assessment(
    session: Session,
    make_user: MakeUser,
    make_round: MakeRound,
    grants: list[tuple[Role, str | None]],
    outcome: object,
) -> None:
    rnd = make_round("VZD", "PMLP")
    actor = make_user("lietotajs", *grants)
    target = assessment_of(rnd, "VZD")
    if outcome == "saved":
        saved = service.save_answers(
            session=session, actor=actor, assessment_id=target.id, answers={"ai_use": "planned"}
        )
        assert saved.status is AssessmentStatus.DRAFT and service.answer_values(saved) == {
            "ai_use": "planned"
        }
        return
    assert isinstance(outcome, type)
    with pytest.raises(outcome):
        service.save_answers(
            session=session, actor=actor, assessment_id=target.id, answers={"ai_use": "planned"}
        )
    assert target.answers == []


def test_respondents_see_only_their_own_institutions(
    session: Session, make_user: MakeUser, make_round: MakeRound
) -> None:
    rnd = make_round("VZD", "PMLP")
    steward = make_user("janis", (Role.STEWARD, "VZD"))
    auditor = make_user("maris", (Role.AUDITOR, "VKONTROLE"))
    mine = service.list_my_assessments(session=session, actor=steward)
    assert [a.organisation.short_name for a in mine] == ["VZD"]
    with pytest.raises(NotFound):
        service.get_assessment(
            session=session, actor=steward, assessment_id=assessment_of(rnd, "PMLP").id
        )
    assert service.get_assessment(
        session=session, actor=auditor, assessment_id=assessment_of(rnd, "PMLP").id
    )
    progress = rounds_service.round_progress(session=session, actor=steward, round_id=rnd.id)
    assert [p.assessment.organisation.short_name for p in progress] == ["VZD"]
    assert len(rounds_service.round_progress(session=session, actor=auditor, round_id=rnd.id)) == 2


def test_answers_are_parsed_per_question_type(
    session: Session, system: Actor, make_round: MakeRound
) -> None:
    target = assessment_of(make_round("VZD"), "VZD")
    saved = service.save_answers(
        session=session,
        actor=system,
        assessment_id=target.id,
        answers={
            "ai_use": "active",
            "obstacles": ["finance", "legal"],
            "data_described": "4",
            "ai_specialists": "1,5",  # Latvian decimal comma
            "e_services_share": " 80 ",
            "language_tools": "  Mašīntulkošana  ",
        },
    )
    assert service.answer_values(saved) == {
        "ai_use": "active",
        "obstacles": ["finance", "legal"],
        "data_described": 4.0,
        "ai_specialists": 1.5,
        "e_services_share": 80.0,
        "language_tools": "Mašīntulkošana",
    }
    cleared = service.save_answers(
        session=session,
        actor=system,
        assessment_id=target.id,
        answers={"obstacles": [], "ai_use": ""},
    )
    assert set(service.answer_values(cleared)) == {
        "data_described",
        "ai_specialists",
        "e_services_share",
        "language_tools",
    }


@pytest.mark.parametrize(
    "code, value",
    [
        ("ai_use", "sometimes"),
        ("ai_use", ["active", "planned"]),
        ("obstacles", ["finance", "none"]),  # "no obstacles" cannot go with an obstacle
        ("data_described", "7"),
        ("data_described", "2.5"),
        ("e_services_share", "daudz"),
        ("e_services_share", "101"),
        ("no_such_question", "x"),
    ],
)
def test_an_invalid_answer_saves_nothing_and_says_why(
    session: Session, system: Actor, make_round: MakeRound, code: str, value: object
) -> None:
    target = assessment_of(make_round("VZD"), "VZD")
    service.save_answers(
        session=session, actor=system, assessment_id=target.id, answers={"ai_in_policy": "yes"}
    )
    revision = target.revision
    with pytest.raises(Invalid) as exc:
        service.save_answers(
            session=session,
            actor=system,
            assessment_id=target.id,
            answers={"ai_guidelines": "yes", code: value},
        )
    assert list(exc.value.errors) == [code] and exc.value.errors[code]
    assert service.answer_values(target) == {"ai_in_policy": "yes"} and target.revision == revision


def test_submitting_needs_the_required_answers_and_keeps_the_draft(
    session: Session, system: Actor, make_round: MakeRound
) -> None:
    target = assessment_of(make_round("VZD"), "VZD")
    with pytest.raises(IncompleteAssessment) as exc:
        service.submit_assessment(
            session=session, actor=system, assessment_id=target.id, answers={"ai_in_policy": "yes"}
        )
    assert "ai_in_policy" not in exc.value.errors and "ai_guidelines" in exc.value.errors
    assert exc.value.keeps_changes  # the web layer commits the draft despite the error
    assert target.status is AssessmentStatus.DRAFT and service.answer_values(target) == {
        "ai_in_policy": "yes"
    }
    done = service.submit_assessment(
        session=session, actor=system, assessment_id=target.id, answers=COMPLETE
    )
    assert done.status is AssessmentStatus.SUBMITTED and done.submitted_at is not None
    assert {s.dimension_code for s in done.scores} == {
        d.code for d in done.round.version.dimensions
    }
    assert done.overall_score is not None and 0 < done.overall_score <= 100


def test_a_submitted_assessment_is_frozen_until_an_administrator_reopens_it(
    session: Session, system: Actor, make_user: MakeUser, make_round: MakeRound
) -> None:
    steward = make_user("janis", (Role.STEWARD, "VZD"))
    target = assessment_of(make_round("VZD"), "VZD")
    service.submit_assessment(
        session=session, actor=steward, assessment_id=target.id, answers=COMPLETE
    )
    with pytest.raises(Conflict, match="iesniegts"):
        service.save_answers(
            session=session, actor=steward, assessment_id=target.id, answers={"ai_use": "planned"}
        )
    with pytest.raises(Forbidden):
        service.reopen_assessment(
            session=session, actor=steward, assessment_id=target.id, reason="Kļūda budžetā"
        )
    reopened = service.reopen_assessment(
        session=session, actor=system, assessment_id=target.id, reason="Kļūda budžetā"
    )
    assert (
        reopened.status is AssessmentStatus.DRAFT
        and reopened.overall_score is None
        and reopened.scores == []
    )
    assert reopened.reopen_reason == "Kļūda budžetā"
    saved = service.save_answers(
        session=session, actor=steward, assessment_id=target.id, answers={"ai_use": "planned"}
    )
    assert service.answer_values(saved)["ai_use"] == "planned"


def test_after_the_deadline_only_an_administrator_records_answers(
    session: Session, system: Actor, make_user: MakeUser, make_round: MakeRound
) -> None:
    today = clock.today()
    rnd = make_round("VZD", opens_on=today - timedelta(days=40), deadline=today - timedelta(days=1))
    steward = make_user("janis", (Role.STEWARD, "VZD"))
    target = assessment_of(rnd, "VZD")
    assert not service.can_answer(steward, target)
    with pytest.raises(Conflict, match="Termiņš"):
        service.save_answers(
            session=session, actor=steward, assessment_id=target.id, answers={"ai_use": "active"}
        )
    service.save_answers(
        session=session, actor=system, assessment_id=target.id, answers={"ai_use": "active"}
    )
    rounds_service.update_round(
        session=session,
        actor=system,
        round_id=rnd.id,
        data=RoundUpdate(deadline=today + timedelta(days=7)),
    )
    assert service.can_answer(steward, target)


def test_a_closed_round_accepts_nothing(
    session: Session, system: Actor, make_round: MakeRound
) -> None:
    rnd = make_round("VZD")
    rounds_service.close_round(session=session, actor=system, round_id=rnd.id)
    with pytest.raises(Conflict):
        service.save_answers(
            session=session,
            actor=system,
            assessment_id=rnd.assessments[0].id,
            answers={"ai_use": "active"},
        )
    with pytest.raises(Conflict):
        rounds_service.close_round(session=session, actor=system, round_id=rnd.id)
    with pytest.raises(Conflict):
        rounds_service.update_round(
            session=session, actor=system, round_id=rnd.id, data=RoundUpdate(title_lv="Y")
        )


def test_a_save_based_on_an_old_revision_is_a_conflict(
    session: Session, make_user: MakeUser, make_round: MakeRound
) -> None:
    target = assessment_of(make_round("VZD"), "VZD")
    steward = make_user("janis", (Role.STEWARD, "VZD"))
    officer = make_user("dace", (Role.AI_OFFICER, "VZD"))
    loaded = target.revision
    service.save_answers(
        session=session,
        actor=steward,
        assessment_id=target.id,
        answers={"ai_use": "active"},
        revision=loaded,
    )
    with pytest.raises(Conflict) as exc:
        service.save_answers(
            session=session,
            actor=officer,
            assessment_id=target.id,
            answers={"ai_use": "no_plan"},
            revision=loaded,
        )
    assert "revision" in exc.value.errors
    assert service.answer_values(target)["ai_use"] == "active"


@pytest.mark.parametrize("role", [Role.STEWARD, Role.AUDITOR])
def test_only_administrators_manage_rounds(
    session: Session,
    make_user: MakeUser,
    make_round: MakeRound,
    version: QuestionnaireVersion,
    role: Role,
) -> None:
    rnd = make_round("VZD")
    user = make_user("lietotajs", (role, "VZD" if role is Role.STEWARD else "VKONTROLE"))
    today = clock.today()
    with pytest.raises(Forbidden):
        rounds_service.create_round(
            session=session,
            actor=user,
            data=RoundCreate(title_lv="X", opens_on=today, deadline=today, institutions=["VZD"]),
        )
    with pytest.raises(Forbidden):
        rounds_service.close_round(session=session, actor=user, round_id=rnd.id)
    with pytest.raises(Forbidden):
        rounds_service.eligible_institutions(session=session, actor=user)
    assert rounds_service.list_rounds(session=session, actor=user)[0].total == 1


def test_anonymous_and_citizens_do_not_use_readiness(
    session: Session, make_round: MakeRound
) -> None:
    from dati.errors import NotAuthenticated

    make_round("VZD")
    with pytest.raises(NotAuthenticated):
        rounds_service.list_rounds(session=session, actor=Actor.anonymous())
