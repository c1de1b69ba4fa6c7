"""The readiness self-assessment (e-index) as platform measures: who submitted, mean score."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from dati import clock
from dati.auth.actor import Actor
from dati.monitoring import live, service
from dati.monitoring.schemas import LoadResult
from dati.readiness.models import Assessment
from dati.readiness.schemas import RoundCreate
from dati.readiness.services import answers as answers_service
from dati.readiness.services import questionnaires, rounds
from tests.readiness.conftest import COMPLETE, assessment_of

YEAR = clock.today().year


def _submit_round(session: Session, system: Actor, *institutions: str) -> list[Assessment]:
    version = questionnaires.install_standard(session=session, actor=system).version
    today = clock.today()
    rnd = rounds.create_round(
        session=session,
        actor=system,
        data=RoundCreate(
            title_lv="Gatavības kārta",
            opens_on=today - timedelta(days=1),
            deadline=today + timedelta(days=30),
            version_id=version.id,
            institutions=list(institutions),
        ),
    )
    return [
        answers_service.submit_assessment(
            session=session,
            actor=system,
            assessment_id=assessment_of(rnd, org).id,
            answers=COMPLETE,
        )
        for org in institutions
    ]


def test_submissions_and_mean_score(session: Session, system: Actor) -> None:
    assert live.readiness_assessments_submitted(session, YEAR) == live.Measurement(0.0)
    assert live.readiness_mean_score(session, YEAR) is None  # nothing to average: not measured
    submitted = _submit_round(session, system, "VZD", "PMLP", "riga")
    assert live.readiness_assessments_submitted(session, YEAR) == live.Measurement(3.0)
    scores = [a.overall_score for a in submitted]
    assert all(s is not None for s in scores)
    mean = live.readiness_mean_score(session, YEAR)
    assert mean is not None and mean.value == round(sum(scores) / 3, 1) and mean.denominator == 3  # type: ignore[arg-type]
    # A submission dated in another year counts for that year only.
    session.execute(
        update(Assessment)
        .where(Assessment.id == submitted[0].id)
        .values(submitted_at=datetime(YEAR - 1, 5, 1, tzinfo=UTC))
    )
    assert live.readiness_assessments_submitted(session, YEAR) == live.Measurement(2.0)
    assert live.readiness_assessments_submitted(session, YEAR - 1) == live.Measurement(1.0)


def test_refresh_stores_the_e_index(
    session: Session, system: Actor, indicators: LoadResult
) -> None:
    _submit_round(session, system, "VZD", "CSP")
    service.refresh(session=session, actor=system)
    progress = service.get_progress(
        session=session, actor=system, code="readiness_mean_score", year=YEAR
    )
    assert progress.focus.actual is not None and progress.focus.actual.comment == "n = 2"
