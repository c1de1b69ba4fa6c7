"""The public AI transparency register: systems in pilot or production that are not exempted,
as pages, JSON and CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from dati.ai import labels
from dati.ai.classifier import classify
from dati.ai.models import AiAssessment, AiSystem, Lifecycle, Sourcing
from dati.ai.permissions import READ_PUBLIC_REGISTER
from dati.ai.schemas import PublicEntry
from dati.ai.verdict import RISK_CLASS_LABELS, FindingKind, RiskClass
from dati.auth.actor import Actor
from dati.auth.permissions import require
from dati.errors import NotFound
from dati.i18n import gettext as _
from dati.i18n import pick
from dati.orgs.models import Organisation

PUBLIC_LIFECYCLES = (Lifecycle.PILOT, Lifecycle.PRODUCTION)


def _public(stmt: Select[Any]) -> Select[Any]:
    return stmt.where(AiSystem.publish.is_(True), AiSystem.lifecycle.in_(PUBLIC_LIFECYCLES))


def public_register(
    *,
    session: Session,
    actor: Actor,
    q: str | None = None,
    org: str | None = None,
    risk_class: RiskClass | None = None,
) -> list[AiSystem]:
    """Published systems in pilot or production, by institution and name."""
    require(actor, READ_PUBLIC_REGISTER)
    stmt = _public(select(AiSystem).join(AiSystem.org))
    if org:
        stmt = stmt.where(Organisation.short_name == org)
    if risk_class:
        stmt = stmt.where(AiSystem.risk_class == risk_class)
    if q:
        stmt = stmt.where(AiSystem.matching(q))
    return list(session.scalars(stmt.order_by(Organisation.short_name, AiSystem.name_lv)))


def public_system(*, session: Session, actor: Actor, system_id: int) -> AiSystem:
    """One published system; anything unpublished answers 404."""
    require(actor, READ_PUBLIC_REGISTER)
    system = session.scalars(_public(select(AiSystem).where(AiSystem.id == system_id))).first()
    if system is None:
        raise NotFound(_("The transparency register has no system {id}.", id=system_id))
    return system


def class_provisions(session: Session, systems: list[AiSystem]) -> dict[int, list[str]]:
    """For each system, the provisions behind its class and duties (from its newest assessment)."""
    if not systems:
        return {}
    stmt = (
        select(AiAssessment)
        .where(AiAssessment.system_id.in_([s.id for s in systems]))
        .order_by(AiAssessment.system_id, AiAssessment.created_at, AiAssessment.id)
    )
    newest = {a.system_id: a for a in session.scalars(stmt)}
    return {
        system_id: classify(a.answers).refs(
            FindingKind.CLASS, FindingKind.EXCEPTION, FindingKind.DUTY
        )
        for system_id, a in newest.items()
    }


def entry(
    system: AiSystem, *, base_url: str, provisions: list[str], datasets: list[str]
) -> PublicEntry:
    """A system in the publication format (texts in the current language)."""
    sources = list(datasets)
    if system.data_sources.strip():
        sources.append(system.data_sources.strip())
    problem = pick(system.problem_lv, system.problem_en)
    label = RISK_CLASS_LABELS[system.risk_class] if system.risk_class else "Not yet classified"
    return PublicEntry(
        id=system.id,
        name=pick(system.name_lv, system.name_en),
        organisation=pick(system.org.name_lv, system.org.name_en),
        organisation_code=system.org.short_name,
        description_short=pick(system.purpose_lv, system.purpose_en),
        goal_and_impact=problem,
        affected_groups=pick(system.affected_groups_lv, system.affected_groups_en),
        status=system.lifecycle,
        begin_date=system.in_service_since,
        end_date=system.retired_on,
        contact=system.contact_email or system.contact_name,
        publication_category=system.risk_class,
        publication_category_label=_(label),
        provisional=system.classification_provisional,
        ai_act_provisions=provisions,
        human_intervention=pick(system.human_oversight_lv, system.human_oversight_en),
        legal_basis=system.legal_basis,
        provider=system.vendor if system.sourcing is Sourcing.VENDOR else system.org.short_name,
        methods_and_models=_(labels.TECHNIQUE[system.technique]),
        source_data=sources,
        url=f"{base_url}/ai/register/{system.id}",
    )


CSV_COLUMNS = [
    "id",
    "name",
    "organisation",
    "organisation_code",
    "description_short",
    "goal_and_impact",
    "affected_groups",
    "status",
    "begin_date",
    "end_date",
    "contact",
    "publication_category",
    "provisional",
    "ai_act_provisions",
    "human_intervention",
    "legal_basis",
    "provider",
    "methods_and_models",
    "source_data",
    "url",
]


def entries_csv(entries: list[PublicEntry]) -> str:
    """UTF-8 CSV with a header row; lists are joined with '; '."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        row = e.model_dump(mode="json")
        writer.writerow(_cell(row[c]) for c in CSV_COLUMNS)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    if value is None:
        return ""
    # A spreadsheet would run text starting with these as a formula (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
