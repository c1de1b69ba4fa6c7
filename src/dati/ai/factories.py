"""Demo AI systems across every risk class in several institutions, created through the services.

The systems are in ``data/demo-systems.json``; each lists the questionnaire answers that are
"yes" (every other answer is "no", except those listed as unanswered), the state of some of
its obligations, so the demo shows done, open and overdue obligations with evidence, and how
it uses its institution's catalogue resources (linked when the catalogue's demo has them).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from faker import Faker
from sqlalchemy import select
from sqlalchemy.orm import Session

from dati.ai import questions
from dati.ai.models import AiSystem, DataUsage, ObligationStatus
from dati.ai.schemas import AiSystemCreate, EvidenceLinkCreate, ObligationUpdate
from dati.ai.services import assessments, compliance, lineage, systems
from dati.auth.actor import Actor
from dati.catalog.models import Resource
from dati.orgs import service as orgs_service

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFINITION = ("machine_based", "infers_outputs", "autonomy")
SYSTEM_FIELDS = set(AiSystemCreate.model_fields)


def answers_with(
    yes: list[str], *, unanswered: list[str] | tuple[str, ...] = (), ai_system: bool = True
) -> dict[str, Any]:
    """Answers that say "yes" to ``yes`` and to the AI-system definition, "no" to the rest."""
    answers: dict[str, Any] = {
        q.id: q.id in DEFINITION or q.id in yes
        for q in questions.questions().values()
        if not q.is_choice and q.id not in unanswered
    }
    if not ai_system:
        answers["infers_outputs"] = False
    return answers


def demo_systems() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(
        (DATA_DIR / "demo-systems.json").read_text(encoding="utf-8")
    )
    return data


def load_demo(session: Session, actor: Actor, data_dir: Path) -> int:
    """Create the demo systems that do not exist yet; returns how many were created."""
    fake = Faker("lv_LV")
    fake.seed_instance(2026)
    created = 0
    for item in demo_systems():
        contact = fake.name()
        org = orgs_service.find_by_short_name(session, item["org"])
        if org is None:
            continue
        exists = session.scalar(
            select(AiSystem.id).where(
                AiSystem.org_id == org.id, AiSystem.name_lv == item["name_lv"]
            )
        )
        if exists:
            continue
        fields = {k: v for k, v in item.items() if k in SYSTEM_FIELDS}
        fields.setdefault("contact_name", contact)
        fields.setdefault("contact_email", f"mi@{org.short_name.lower()}.demo.lv")
        system = systems.create_system(session=session, actor=actor, data=AiSystemCreate(**fields))
        assessments.assess_system(
            session=session,
            actor=actor,
            system_id=system.id,
            answers={
                **answers_with(
                    item["yes"],
                    unanswered=item.get("unanswered", ()),
                    ai_system=not item.get("no_ai", False),
                ),
                **item.get("choice", {}),
            },
        )
        _set_obligations(session, actor, system, item.get("obligations", {}), data_dir)
        _link_datasets(session, actor, system, item.get("datasets", []))
        created += 1
    return created


def _set_obligations(
    session: Session,
    actor: Actor,
    system: AiSystem,
    states: dict[str, list[Any]],
    data_dir: Path,
) -> None:
    rows = {row.code: row for row in system.obligations}
    for code, (status, evidence_kind, title) in states.items():
        row = rows.get(code)
        if row is None:
            continue
        if evidence_kind == "link":
            compliance.add_evidence_link(
                session=session,
                actor=actor,
                obligation_id=row.id,
                data=EvidenceLinkCreate(
                    title=title,
                    url=f"https://dokumenti.demo.lv/{system.org.short_name.lower()}/{row.id}",
                ),
            )
        elif evidence_kind == "file":
            compliance.add_evidence_file(
                session=session,
                actor=actor,
                obligation_id=row.id,
                title=title,
                filename=f"{code}.md",
                content=_evidence_text(system, title).encode("utf-8"),
                data_dir=data_dir,
            )
        compliance.update_obligation(
            session=session,
            actor=actor,
            obligation_id=row.id,
            data=ObligationUpdate(status=ObligationStatus(status)),
        )


def _link_datasets(session: Session, actor: Actor, system: AiSystem, usages: list[str]) -> None:
    """Link the institution's own catalogue resources (first by name), when the catalogue has any."""
    stmt = (
        select(Resource.name)
        .where(Resource.owner_org_id == system.org_id)
        .order_by(Resource.name)
        .limit(len(usages))
    )
    for name, usage in zip(session.scalars(stmt), usages, strict=False):
        lineage.link_dataset(
            session=session, actor=actor, system_id=system.id, resource=name, usage=DataUsage(usage)
        )


def _evidence_text(system: AiSystem, title: str) -> str:
    return (
        f"# {title}\n\n"
        f"Sistēma: {system.name_lv}\n\n"
        f"Iestāde: {system.org.name_lv}\n\n"
        "Demonstrācijas dokuments, kas izveidots automātiski.\n"
    )
