"""Scores and aggregates: an institution's result, national and per-ministry averages,
distributions, comparison between rounds and the recommendations for weak dimensions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from dati import clock
from dati.auth.actor import Actor, Role
from dati.errors import Forbidden, NotFound
from dati.readiness.services import answers as answers_service
from dati.readiness.services import distributions as distributions_service
from dati.readiness.services import results as service
from tests.conftest import MakeUser
from tests.readiness.conftest import MakeRound, SubmitAs, assessment_of

WEAK = {  # the lowest answer to every required question
    "ai_use": "no_plan",
    "ai_in_policy": "no",
    "ai_cost": "not_identified",
    "infra_assessed": "not_assessed",
    "ai_guidelines": "no",
    "ai_risk_assessment": "never",
    "knowledge_risk": "yes",
    "language_tech": "no",
    "ai_projects": 0,
}


def test_an_institutions_result_sits_beside_the_national_average(
    session: Session, system: Actor, make_round: MakeRound, submit: SubmitAs
) -> None:
    rnd = make_round("VZD", "PMLP", "UR")
    strong = submit(rnd, "VZD")
    submit(rnd, "PMLP", **WEAK)
    result = service.assessment_result(session=session, actor=system, assessment_id=strong.id)
    assert result.final and result.overall == strong.overall_score
    by_code = {d.dimension.code: d for d in result.dimensions}
    assert len(by_code) == 9
    # Strategy: ai_in_policy "yes" (100, weight 2) and two unanswered (0, weight 1 each) -> 50.
    assert by_code["strategy"].score == 50.0
    # National average over VZD (50) and PMLP (0); UR has not submitted and does not count.
    assert by_code["strategy"].national == 25.0
    national = service.national_overview(session=session, actor=system, round_id=rnd.id)
    assert (national.submitted, national.total) == (2, 3)


def test_weak_dimensions_get_their_recommendations(
    session: Session, system: Actor, make_round: MakeRound, submit: SubmitAs
) -> None:
    rnd = make_round("PMLP")
    weak = submit(rnd, "PMLP", **WEAK)
    result = service.assessment_result(session=session, actor=system, assessment_id=weak.id)
    regulation = next(d for d in result.dimensions if d.dimension.code == "regulation_guidelines")
    assert regulation.weak and regulation.score == 0
    links = {r.link_url for r in regulation.recommendations}
    assert "/readiness/guidelines" in links and "/ai" in links
    human = next(d for d in result.dimensions if d.dimension.code == "human_capital")
    assert "/admin/users" in {r.link_url for r in human.recommendations}  # appoint a data steward


def test_a_drafts_result_is_provisional_and_an_empty_one_has_no_scores(
    session: Session, system: Actor, make_round: MakeRound
) -> None:
    rnd = make_round("VZD", "PMLP")
    empty = service.assessment_result(
        session=session, actor=system, assessment_id=assessment_of(rnd, "PMLP").id
    )
    assert (
        not empty.final and empty.overall is None and all(d.score is None for d in empty.dimensions)
    )
    assert all(not d.recommendations for d in empty.dimensions)
    draft = answers_service.save_answers(
        session=session,
        actor=system,
        assessment_id=assessment_of(rnd, "VZD").id,
        answers={"ai_guidelines": "yes"},
    )
    result = service.assessment_result(session=session, actor=system, assessment_id=draft.id)
    assert not result.final
    assert (
        next(d for d in result.dimensions if d.dimension.code == "regulation_guidelines").score
        == 50.0
    )  # 100·2 / 4


def test_ministry_groups_follow_the_supervising_ministry(
    session: Session, system: Actor, make_round: MakeRound, submit: SubmitAs
) -> None:
    rnd = make_round("TM", "VZD", "UR", "riga", "VVD")
    submit(rnd, "TM")
    submit(rnd, "VZD", **WEAK)
    submit(rnd, "UR", **WEAK)
    submit(rnd, "riga")
    submit(rnd, "VVD", **WEAK)  # no parent ministry in the reference list
    groups = {
        g.group.key: g
        for g in service.ministry_scores(session=session, actor=system, round_id=rnd.id)
    }
    assert set(groups) == {"TM", "municipalities", "other"}
    assert groups["TM"].count == 3 and groups["municipalities"].count == 1
    tm_scores = [
        a.overall_score for a in rnd.assessments if a.organisation.short_name in ("TM", "VZD", "UR")
    ]
    assert groups["TM"].overall == round(sum(tm_scores) / 3, 1)  # type: ignore[arg-type]
    rows = service.institution_scores(session=session, actor=system, round_id=rnd.id)
    assert {r.assessment.organisation.short_name: r.group.key for r in rows}["VZD"] == "TM"


@pytest.mark.parametrize("role, org", [(Role.STEWARD, "VZD"), (Role.AI_OFFICER, "VID")])
def test_per_institution_tables_are_for_auditors_only(
    session: Session,
    make_user: MakeUser,
    make_round: MakeRound,
    submit: SubmitAs,
    role: Role,
    org: str,
) -> None:
    rnd = make_round("VZD", "VID")
    submit(rnd, "VZD")
    staff = make_user("lietotajs", (role, org))
    auditor = make_user("maris", (Role.AUDITOR, "VKONTROLE"))
    assert service.national_overview(session=session, actor=staff, round_id=rnd.id).submitted == 1
    with pytest.raises(Forbidden):
        service.ministry_scores(session=session, actor=staff, round_id=rnd.id)
    with pytest.raises(Forbidden):
        service.institution_scores(session=session, actor=staff, round_id=rnd.id)
    assert len(service.institution_scores(session=session, actor=auditor, round_id=rnd.id)) == 1
    if org != "VZD":
        with pytest.raises(NotFound):
            service.assessment_result(
                session=session, actor=staff, assessment_id=assessment_of(rnd, "VZD").id
            )


def test_distributions_count_answers_of_submitted_assessments(
    session: Session, system: Actor, make_round: MakeRound, submit: SubmitAs
) -> None:
    rnd = make_round("VZD", "PMLP", "UR", "CSDD")
    submit(rnd, "VZD", obstacles=["finance", "security"], ai_specialists=2)
    submit(rnd, "PMLP", obstacles=["finance"], ai_specialists=1, ai_guidelines="planned")
    submit(rnd, "UR", ai_use=None, ai_specialists=6)
    answers_service.save_answers(  # a draft is not counted
        session=session,
        actor=system,
        assessment_id=assessment_of(rnd, "CSDD").id,
        answers={"obstacles": ["legal"]},
    )
    dists = {
        d.question.code: d
        for d in distributions_service.question_distributions(
            session=session, actor=system, round_id=rnd.id
        )
    }
    obstacles = {o.option.code: o for o in dists["obstacles"].options}
    assert (obstacles["finance"].count, obstacles["finance"].percent) == (2, 66.7)
    assert (obstacles["legal"].count, dists["obstacles"].no_answer) == (0, 1)
    assert obstacles["finance"].published_percent == 53  # the State Audit Office's share beside it
    guidelines = {o.option.code: o.percent for o in dists["ai_guidelines"].options}
    assert guidelines == {"yes": 66.7, "planned": 33.3, "no": 0.0}
    assert (dists["ai_use"].answered, dists["ai_use"].no_answer_percent) == (2, 33.3)
    stats = dists["ai_specialists"].numbers
    assert stats is not None and (stats.count, stats.mean, stats.median, stats.maximum) == (
        3,
        3.0,
        2.0,
        6.0,
    )


def test_percentages_round_half_up() -> None:
    assert distributions_service.percent(1, 8) == 12.5
    assert distributions_service.percent(1, 16) == 6.3  # 6.25 -> 6.3, not banker's 6.2
    assert distributions_service.percent(0, 0) == 0.0


def test_comparison_between_rounds(
    session: Session, system: Actor, make_user: MakeUser, make_round: MakeRound, submit: SubmitAs
) -> None:
    today = clock.today()
    before = make_round(
        "VZD",
        "PMLP",
        title="2024",
        opens_on=today - timedelta(days=700),
        deadline=today - timedelta(days=600),
    )
    after = make_round("VZD", "PMLP", "UR", title="2026")
    submit(before, "VZD", **WEAK)
    submit(before, "PMLP", **WEAK)
    submit(after, "VZD")
    submit(after, "UR")
    comparison = service.compare_rounds(
        session=session, actor=system, before_round_id=before.id, after_round_id=after.id
    )
    assert (
        comparison.overall.before == 0.0
        and comparison.overall.after is not None
        and comparison.overall.change > 0
    )  # type: ignore[operator]
    assert [r.key for r in comparison.institutions or []] == ["VZD"]  # only those in both rounds
    strategy = next(r for r in comparison.dimensions if r.key == "strategy")
    assert (strategy.before, strategy.after, strategy.change) == (0.0, 50.0, 50.0)
    # The later round's result shows the institution's previous score.
    result = service.assessment_result(
        session=session, actor=system, assessment_id=assessment_of(after, "VZD").id
    )
    assert (
        result.previous_assessment is not None and result.previous_assessment.round_id == before.id
    )
    steward = make_user("janis", (Role.STEWARD, "VZD"))
    assert (
        service.compare_rounds(
            session=session, actor=steward, before_round_id=before.id, after_round_id=after.id
        ).institutions
        is None
    )
