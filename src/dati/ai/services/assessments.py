"""Running the AI Act classifier: for anyone on loose answers, and for a registered system,
where the verdict is kept, copied to the system and turned into obligations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dati import clock
from dati.ai.classifier import classify
from dati.ai.models import AiAssessment, AiSystem
from dati.ai.permissions import CLASSIFY, MANAGE_SYSTEM, VIEW_SYSTEM
from dati.ai.questions import Section, sections
from dati.ai.services.access import find_system
from dati.ai.services.compliance import latest_assessment, sync_obligations
from dati.ai.services.history import record_change
from dati.ai.verdict import Classification
from dati.auth.actor import Actor
from dati.auth.permissions import require
from dati.errors import NotFound
from dati.i18n import gettext as _


def questionnaire(*, actor: Actor) -> tuple[Section, ...]:
    """The question catalogue, in the order the questionnaire asks it."""
    require(actor, CLASSIFY)
    return sections()


def classify_answers(*, actor: Actor, answers: Mapping[str, Any]) -> Classification:
    """Classify answers without keeping them (the public questionnaire, the API, the CLI)."""
    require(actor, CLASSIFY)
    return classify(answers)


def assess_system(
    *, session: Session, actor: Actor, system_id: int, answers: Mapping[str, Any]
) -> tuple[AiAssessment, Classification]:
    """Classify a system from its answers, keep the assessment and update its obligations."""
    system = find_system(session, system_id, actor)
    require(actor, MANAGE_SYSTEM, system)
    result = classify(answers)
    previous = system.risk_class
    assessment = AiAssessment(
        system_id=system.id,
        answers=dict(result.answers),
        risk_class=result.risk_class,
        provisional=result.provisional,
        lowest_possible_class=result.lowest_possible_class,
        missing=list(result.missing),
        created_by=actor.name,
    )
    session.add(assessment)
    system.risk_class = result.risk_class
    system.classification_provisional = result.provisional
    system.classified_at = clock.now()
    record_change(
        session,
        system,
        by=actor.name,
        action="classified",
        summary=result.risk_class.value + (" (provisional)" if result.provisional else ""),
        changes=[["risk_class", previous.value if previous else None, result.risk_class.value]],
    )
    session.flush()
    sync_obligations(session, system, result, by=actor.name)
    return assessment, result


def list_assessments(
    *, session: Session, actor: Actor, system_id: int
) -> list[tuple[AiAssessment, Classification]]:
    """Every assessment of a system with its verdict, newest first."""
    system = session.get(AiSystem, system_id)
    require(actor, VIEW_SYSTEM, system if system is not None else -1)
    if system is None:
        raise NotFound(_("There is no AI system {id}.", id=system_id))
    stmt = select(AiAssessment).where(AiAssessment.system_id == system_id)
    order = (AiAssessment.created_at.desc(), AiAssessment.id.desc())
    return [(a, classify(a.answers)) for a in session.scalars(stmt.order_by(*order))]


def current_classification(
    *, session: Session, actor: Actor, system_id: int
) -> tuple[AiAssessment, Classification] | None:
    """The newest assessment of a system and its verdict, re-derived from the kept answers."""
    system = session.get(AiSystem, system_id)
    require(actor, VIEW_SYSTEM, system if system is not None else -1)
    if system is None:
        raise NotFound(_("There is no AI system {id}.", id=system_id))
    assessment = latest_assessment(session, system_id)
    if assessment is None:
        return None
    return assessment, classify(assessment.answers)
