"""Demo data for interop: a municipal open data catalogue harvested into Rīga's catalogue,
and a (paused) scheduled source, both made through the service as the demo actor."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from dati.auth.actor import Actor
from dati.interop import service, sources
from dati.interop.harvest_fetch import Document
from dati.interop.models import HarvestSource
from dati.interop.schemas import HarvestSourceCreate, HarvestSourceUpdate

DEMO_FILE = Path(__file__).resolve().parent / "data" / "demo" / "riga-atvertie-dati.ttl"
DEMO_SOURCE_URL = "https://opendata.riga.example/catalog.ttl"


def load_demo(session: Session, actor: Actor) -> list[str]:
    """Harvest the demo catalogue (a second run finds everything unchanged)."""
    document = Document(DEMO_FILE.read_bytes(), "turtle", DEMO_FILE.name)
    run = service.harvest_document(session=session, actor=actor, org="riga", document=document)
    lines = [
        f"harvest {DEMO_FILE.name}: {run.created} created, {run.updated} updated, "
        f"{run.unchanged} unchanged, {run.failed} failed {run.message}".rstrip()
    ]
    exists = session.scalar(select(HarvestSource.id).where(HarvestSource.url == DEMO_SOURCE_URL))
    if exists is None:
        source = sources.create_source(
            session=session,
            actor=actor,
            data=HarvestSourceCreate(
                title="Rīgas atvērto datu katalogs",
                url=DEMO_SOURCE_URL,
                org="riga",
                interval_hours=24,
            ),
        )
        # Paused: the demo address is not a real server; a steward switches real ones on.
        sources.update_source(
            session=session,
            actor=actor,
            source_id=source.id,
            data=HarvestSourceUpdate(enabled=False),
        )
        lines.append("harvest source: Rīgas atvērto datu katalogs (paused)")
    return lines
