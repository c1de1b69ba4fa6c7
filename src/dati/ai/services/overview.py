"""The national overview for policy owners and auditors: counts by institution, status, technique
and class, and the State Audit Office's 2024 survey shares recomputed from the register."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dati import clock
from dati.ai.models import AiObligation, AiSystem, Lifecycle, ObligationStatus, Technique
from dati.ai.permissions import VIEW_OVERVIEW
from dati.ai.services.compliance import PUBLIC_BODIES, is_overdue
from dati.ai.verdict import RiskClass
from dati.auth.actor import Actor
from dati.auth.permissions import require
from dati.i18n import pick
from dati.orgs.models import Organisation

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
IN_USE = (Lifecycle.PILOT, Lifecycle.PRODUCTION)
PLANNED = (Lifecycle.IDEA, Lifecycle.PROTOTYPE)


@dataclass(frozen=True)
class Share:
    key: str
    label_lv: str
    label_en: str
    survey_percent: int
    institutions: int
    percent: float

    @property
    def label(self) -> str:
        return pick(self.label_lv, self.label_en)


@dataclass
class OrgRow:
    org: Organisation | None  # None for the row of totals
    total: int = 0
    in_use: int = 0
    planned: int = 0
    high_risk: int = 0
    prohibited: int = 0
    overdue: int = 0
    build_cost_eur: int = 0
    yearly_run_cost_eur: int = 0
    hours_saved_per_year: int = 0


@dataclass
class Overview:
    total: int
    public_institutions: int
    by_class: list[tuple[RiskClass | None, int]]
    by_lifecycle: list[tuple[Lifecycle, int]]
    by_technique: list[tuple[Technique, int]]
    by_org: list[OrgRow]
    shares: list[Share]
    provisional: int
    overdue: int
    totals: OrgRow


@lru_cache(maxsize=1)
def survey_use_shares() -> dict[str, tuple[str, str, int]]:
    """The survey's 'use' answers: actively use / plan to use / no clear plan (percent)."""
    keys = ("active", "planned", "no_plan")
    with (DATA_DIR / "state-audit-ai-survey.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["topic"] == "use"]
    return {
        key: (r["answer_lv"], r["answer_en"], int(r["percent"]))
        for key, r in zip(keys, rows, strict=True)
    }


def overview(*, session: Session, actor: Actor) -> Overview:
    """Every institution's systems counted; survey shares over all public institutions."""
    require(actor, VIEW_OVERVIEW)
    systems = list(session.scalars(select(AiSystem).join(AiSystem.org)))
    institutions = (
        session.scalar(
            select(func.count())
            .select_from(Organisation)
            .where(Organisation.kind.in_(PUBLIC_BODIES))
        )
        or 0
    )
    rows: dict[int, OrgRow] = {}
    totals = OrgRow(org=None)
    now = clock.today()
    overdue_rows = session.scalars(
        select(AiObligation).where(
            AiObligation.applicable.is_(True), AiObligation.status != ObligationStatus.DONE
        )
    )
    overdue_by_system = Counter(r.system_id for r in overdue_rows if is_overdue(r, now))
    for s in systems:
        row = rows.setdefault(s.org_id, OrgRow(s.org))
        for target in (row, totals):
            target.total += 1
            target.in_use += s.lifecycle in IN_USE
            target.planned += s.lifecycle in PLANNED
            target.high_risk += s.risk_class is RiskClass.HIGH_RISK
            target.prohibited += s.risk_class is RiskClass.PROHIBITED
            target.overdue += overdue_by_system[s.id]
            target.build_cost_eur += s.build_cost_eur or 0
            target.yearly_run_cost_eur += s.yearly_run_cost_eur or 0
            target.hours_saved_per_year += s.hours_saved_per_year or 0
    by_class = Counter(s.risk_class for s in systems)
    class_order = [*RiskClass, None]
    return Overview(
        total=len(systems),
        public_institutions=institutions,
        by_class=[(c, by_class[c]) for c in class_order if by_class[c]],
        by_lifecycle=[
            (lc, n) for lc in Lifecycle if (n := sum(s.lifecycle is lc for s in systems))
        ],
        by_technique=[(t, n) for t in Technique if (n := sum(s.technique is t for s in systems))],
        by_org=sorted(rows.values(), key=lambda r: (-r.total, r.org.short_name if r.org else "")),
        shares=_shares(systems, institutions),
        provisional=sum(s.classification_provisional for s in systems),
        overdue=sum(overdue_by_system.values()),
        totals=totals,
    )


def _shares(systems: list[AiSystem], institutions: int) -> list[Share]:
    """Using: an AI system in pilot or production. Planning: only ideas or prototypes. No clear
    plan: no AI system registered. Systems found not to be AI systems do not count."""
    ai = [
        s
        for s in systems
        if s.risk_class is not RiskClass.NOT_AI_SYSTEM
        and s.lifecycle is not Lifecycle.RETIRED
        and s.org.kind in PUBLIC_BODIES
    ]
    using = {s.org_id for s in ai if s.lifecycle in IN_USE}
    planning = {s.org_id for s in ai if s.lifecycle in PLANNED} - using
    counts = {
        "active": len(using),
        "planned": len(planning),
        "no_plan": institutions - len(using) - len(planning),
    }
    survey = survey_use_shares()
    return [
        Share(
            key,
            survey[key][0],
            survey[key][1],
            survey[key][2],
            counts[key],
            round(100 * counts[key] / institutions, 1) if institutions else 0.0,
        )
        for key in ("active", "planned", "no_plan")
    ]
