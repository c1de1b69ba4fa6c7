"""The change history of AI systems: one row per change, naming the fields with old and new values."""

from __future__ import annotations

import enum
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from dati.ai.models import AiChange, AiSystem

# Labels (English message ids) of the fields the change history names.
FIELD_LABELS = {
    "name_lv": "Name (Latvian)",
    "name_en": "Name (English)",
    "purpose_lv": "Purpose (Latvian)",
    "purpose_en": "Purpose (English)",
    "problem_lv": "Problem solved (Latvian)",
    "problem_en": "Problem solved (English)",
    "technique": "Technique",
    "role": "Role of the institution",
    "lifecycle": "Lifecycle status",
    "sourcing": "Built by",
    "vendor": "Vendor",
    "human_oversight_lv": "Human oversight (Latvian)",
    "human_oversight_en": "Human oversight (English)",
    "affected_groups_lv": "Affected groups (Latvian)",
    "affected_groups_en": "Affected groups (English)",
    "legal_basis": "Legal basis",
    "data_sources": "Other data sources",
    "build_cost_eur": "Build cost, EUR",
    "yearly_run_cost_eur": "Yearly running cost, EUR",
    "hours_saved_per_year": "Working hours saved per year",
    "cost_saving_eur_per_year": "Cost saving per year, EUR",
    "quality_benefit_lv": "Quality benefit (Latvian)",
    "quality_benefit_en": "Quality benefit (English)",
    "contact_name": "Contact person",
    "contact_email": "Contact e-mail",
    "in_service_since": "In service since",
    "retired_on": "Retired on",
    "publish": "Published in the transparency register",
    "publish_exemption": "Reason for not publishing",
    "risk_class": "Risk class",
    "added": "Added",
    "withdrawn": "Withdrawn",
    "status": "Status",
    "note": "Note",
    "datasets": "Datasets",
}
# What each history action is called.
ACTION_LABELS = {
    "created": "Registered",
    "updated": "Changed",
    "classified": "Classified",
    "obligations": "Obligations updated",
    "obligation": "Obligation status",
    "evidence": "Evidence added",
    "evidence_removed": "Evidence removed",
    "dataset_linked": "Dataset linked",
    "dataset_unlinked": "Dataset unlinked",
}


def plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def record_change(
    session: Session,
    system: AiSystem,
    *,
    by: str,
    action: str,
    summary: str = "",
    changes: list[list[Any]] | None = None,
) -> AiChange:
    """Append a row to the system's change history (called by every operation that changes it)."""
    row = AiChange(
        system_id=system.id, actor=by, action=action, summary=summary[:500], changes=changes or []
    )
    session.add(row)
    return row
