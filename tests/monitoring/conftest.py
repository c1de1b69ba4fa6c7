"""Monitoring fixtures: the bundled indicators loaded into the test's transaction."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from dati import clock
from dati.auth.actor import Actor
from dati.monitoring import service
from dati.monitoring.schemas import ActualValueCreate, LoadResult

# Years the tests record values for: never in the future, whatever day the suite runs.
PAST_YEAR = 2025
STRATEGY_YEAR = 2026


@pytest.fixture
def indicators(session: Session, system: Actor) -> LoadResult:
    result = service.load_definitions(session=session, actor=system)
    session.commit()
    return result


def value(
    year: int = STRATEGY_YEAR, number: float | None = 1.0, **extra: object
) -> ActualValueCreate:
    fields: dict[str, object] = {
        "year": year,
        "value": number,
        "measured_on": min(clock.today(), clock.today().replace(year=year, month=12, day=31)),
        "source": "Testa avots",
    }
    fields.update(extra)
    return ActualValueCreate.model_validate(fields)
