"""Demo monitoring data: the national indicator tables, synthetic actual values for the
indicators institutions enter by hand, and a first refresh of the computed indicators.

The actual values are invented (fixed seed) around each year's trajectory, some ahead and
some behind, so every status appears; their source says they are demo data.
"""

from __future__ import annotations

import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from dati import clock
from dati.auth.actor import Actor
from dati.monitoring import live, service
from dati.monitoring.models import ActualValue, Indicator
from dati.monitoring.schemas import ActualValueCreate
from dati.monitoring.status import expected_value

DEMO_SOURCE = "Demonstrācijas dati (sintētiski)"
# How far from the trajectory the invented values land: mostly near it, some well behind.
FACTORS = (0.8, 0.93, 0.97, 1.0, 1.02, 1.06)
TEXT_PROGRESS = {
    "semiconductors": "Parakstīts sadarbības memorands; izstrādāta maģistratūras programmas koncepcija.",
    "eid": "Valsts eID shēma paziņota; Eiropas digitālās identitātes maka izmēģinājums sākts.",
}


def _demo_value(indicator: Indicator, year: int, rng: random.Random) -> ActualValueCreate | None:
    measured_on = min(clock.today(), clock.today().replace(year=year, month=12, day=31))
    if indicator.unit == service.TEXT_UNIT:
        text = TEXT_PROGRESS.get(indicator.code)
        if text is None:
            return None
        return ActualValueCreate(
            year=year, value_text=text, measured_on=measured_on, source=DEMO_SOURCE
        )
    expected = expected_value(indicator.references, year)
    if expected is None:
        return None
    value = expected * rng.choice(FACTORS)
    value = min(round(value, 1), 100.0) if indicator.unit == "percent" else float(round(value))
    return ActualValueCreate(
        year=year,
        value=value,
        measured_on=measured_on,
        source=DEMO_SOURCE,
        comment="Izdomāta vērtība demonstrācijai.",
    )


def load_demo(session: Session, actor: Actor) -> str:
    """Load the indicators, add demo values for past and current years, refresh. Safe twice."""
    rng = random.Random(2030)  # noqa: S311 - demo numbers, not security
    loaded = service.load_definitions(session=session, actor=actor)
    this_year = clock.today().year
    recorded = 0
    for indicator in session.scalars(select(Indicator).order_by(Indicator.position)):
        if live.is_computed(indicator.code):
            continue
        has_value = set(
            session.scalars(
                select(ActualValue.year).where(ActualValue.indicator_id == indicator.id)
            )
        )
        for year in range(2024, this_year + 1):
            data = _demo_value(indicator, year, rng)
            if data is None or year in has_value:
                continue
            service.record_actual(session=session, actor=actor, code=indicator.code, data=data)
            recorded += 1
    refreshed = service.refresh(session=session, actor=actor)
    return (
        f"monitoring: {loaded.created} indicators created, {recorded} demo values, "
        f"{len(refreshed.measured)} computed indicators measured"
    )
