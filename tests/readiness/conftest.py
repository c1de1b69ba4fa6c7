"""Readiness fixtures: the standard questionnaire, rounds and respondents, built through the services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from dati import clock
from dati.auth.actor import Actor
from dati.readiness.models import Assessment, QuestionnaireVersion, Round
from dati.readiness.schemas import RoundCreate
from dati.readiness.services import answers as answers_service
from dati.readiness.services import questionnaires as questionnaires_service
from dati.readiness.services import rounds as rounds_service

# Answers to every required question of the standard questionnaire, plus a few more.
COMPLETE = {
    "ai_use": "active",
    "ai_in_policy": "yes",
    "ai_cost": "from_100k_to_250k",
    "infra_assessed": "suitable",
    "ai_guidelines": "yes",
    "ai_risk_assessment": "always",
    "knowledge_risk": "no",
    "language_tech": "production",
    "ai_projects": 3,
}


@pytest.fixture
def version(session: Session, system: Actor) -> QuestionnaireVersion:
    return questionnaires_service.install_standard(session=session, actor=system).version


MakeRound = Callable[..., Round]


@pytest.fixture
def make_round(session: Session, system: Actor, version: QuestionnaireVersion) -> MakeRound:
    def make(
        *institutions: str,
        title: str = "Testa kārta",
        opens_on: date | None = None,
        deadline: date | None = None,
    ) -> Round:
        today = clock.today()
        return rounds_service.create_round(
            session=session,
            actor=system,
            data=RoundCreate(
                title_lv=title,
                opens_on=opens_on or today - timedelta(days=1),
                deadline=deadline or today + timedelta(days=30),
                version_id=version.id,
                institutions=list(institutions) or ["VZD"],
            ),
        )

    return make


def assessment_of(rnd: Round, short_name: str) -> Assessment:
    return next(a for a in rnd.assessments if a.organisation.short_name == short_name)


SubmitAs = Callable[..., Assessment]


@pytest.fixture
def submit(session: Session, system: Actor) -> SubmitAs:
    """Submit an institution's answers in a round as the system actor."""

    def do(rnd: Round, short_name: str, **answers: Any) -> Assessment:
        return answers_service.submit_assessment(
            session=session,
            actor=system,
            assessment_id=assessment_of(rnd, short_name).id,
            answers={**COMPLETE, **answers},
        )

    return do
