"""The demo reproduces the State Audit Office's published shares exactly, recomputed from
the stored answers through the service and compared with the survey CSV."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dati.auth.actor import Actor
from dati.readiness import factories
from dati.readiness.models import AssessmentStatus, Round, RoundStatus
from dati.readiness.services import distributions as distributions_service
from dati.readiness.services import rounds as rounds_service
from dati.readiness.services.distributions import SURVEY_FILE


@pytest.fixture
def demo(session: Session, system: Actor) -> tuple[Round, Round]:
    factories.load_demo(session, system)
    baseline = session.scalars(
        select(Round).where(Round.title_lv == factories.BASELINE_TITLE)
    ).one()
    current = session.scalars(select(Round).where(Round.title_lv == factories.CURRENT_TITLE)).one()
    return baseline, current


def test_every_published_share_is_reproduced_exactly(
    session: Session, system: Actor, demo: tuple[Round, Round]
) -> None:
    baseline, _current = demo
    found: dict[tuple[str, str], float] = {}
    dists = distributions_service.question_distributions(
        session=session, actor=system, round_id=baseline.id
    )
    for dist in dists:
        assert dist.base == 100
        for share in dist.options:
            if dist.question.survey_topic and share.option.survey_answer:
                found[(dist.question.survey_topic, share.option.survey_answer)] = share.percent
    with SURVEY_FILE.open(encoding="utf-8") as fh:
        published = {(r["topic"], r["answer_en"]): float(r["percent"]) for r in csv.DictReader(fh)}
    assert len(published) == 28
    assert found == published
    # The published use shares add up to 94 %; the other 6 institutions left the question open.
    use = next(d for d in dists if d.question.code == "ai_use")
    assert (use.answered, use.no_answer, use.no_answer_percent) == (94, 6, 6.0)


def test_the_demo_has_a_closed_baseline_and_an_open_current_round_and_loads_once(
    session: Session, system: Actor, demo: tuple[Round, Round]
) -> None:
    baseline, current = demo
    assert baseline.status is RoundStatus.CLOSED and current.status is RoundStatus.OPEN
    assert {a.status for a in baseline.assessments} == {AssessmentStatus.SUBMITTED}
    statuses = {a.organisation.short_name: a.status for a in current.assessments}
    assert (
        statuses["VZD"] is AssessmentStatus.DRAFT
        and statuses["PMLP"] is AssessmentStatus.NOT_STARTED
    )
    assert statuses["VDAA"] is AssessmentStatus.SUBMITTED
    summary = {r.round.id: r for r in rounds_service.list_rounds(session=session, actor=system)}[
        current.id
    ]
    assert (
        summary.total == 100
        and 0 < summary.submitted < 100
        and summary.draft > 0
        and summary.not_started > 0
    )
    # Loading the demo again adds nothing.
    lines = factories.load_demo(session, system)
    assert "already present" in lines[-1]
    assert len(session.scalars(select(Round)).all()) == 2


def test_every_published_percentage_is_a_whole_number_of_the_100_respondents() -> None:
    assert len(factories.participants()) == 100
    counts = factories.survey_counts(100)
    assert counts[("use", "actively use AI solutions")] == 17
    with pytest.raises(ValueError):
        factories.survey_counts(30)  # 17 % of 30 institutions is not a whole institution
