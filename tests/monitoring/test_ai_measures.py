"""AI systems by risk class, counted from the AI register as at the end of a year."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dati import clock
from dati.ai import factories as ai_factories
from dati.ai.models import AiAssessment, AiSystem, Lifecycle
from dati.ai.verdict import RiskClass
from dati.auth.actor import Actor
from dati.monitoring import live, service
from dati.monitoring.schemas import LoadResult

YEAR = clock.today().year


def _register(session: Session, system: Actor, data_dir: Path) -> Counter[RiskClass]:
    """The AI register's demo systems, made through its services; their current classes."""
    assert ai_factories.load_demo(session, system, data_dir) > 0
    rows = session.execute(select(AiSystem.risk_class, AiSystem.lifecycle)).all()
    return Counter(
        c for c, lifecycle in rows if c is not None and lifecycle is not Lifecycle.RETIRED
    )


def test_counts_follow_the_register(session: Session, system: Actor, data_dir: Path) -> None:
    assert live.ai_systems_high_risk(session, YEAR) == live.Measurement(0.0)  # an empty register
    expected = _register(session, system, data_dir)
    counts = live.ai_systems_by_class(session, YEAR)
    for risk_class in (
        RiskClass.PROHIBITED,
        RiskClass.HIGH_RISK,
        RiskClass.LIMITED,
        RiskClass.MINIMAL,
    ):
        assert counts[risk_class] == expected[risk_class]
    assert counts[RiskClass.HIGH_RISK] > 0 and counts[RiskClass.MINIMAL] > 0
    measured = live.ai_systems_high_risk(session, YEAR)
    assert measured is not None and measured.value == expected[RiskClass.HIGH_RISK]


def test_retired_and_later_systems_do_not_count(
    session: Session, system: Actor, data_dir: Path
) -> None:
    _register(session, system, data_dir)
    before = live.ai_systems_by_class(session, YEAR)
    high = session.scalars(
        select(AiSystem).where(AiSystem.risk_class == RiskClass.HIGH_RISK)
    ).first()
    assert high is not None
    session.execute(
        update(AiSystem).where(AiSystem.id == high.id).values(retired_on=date(YEAR, 1, 2))
    )
    assert (
        live.ai_systems_by_class(session, YEAR)[RiskClass.HIGH_RISK]
        == before[RiskClass.HIGH_RISK] - 1
    )
    # Assessments made after a year's end do not count for that year.
    session.execute(update(AiAssessment).values(created_at=datetime(YEAR + 1, 2, 1, tzinfo=UTC)))
    assert sum(live.ai_systems_by_class(session, YEAR).values()) == 0


def test_refresh_shows_ai_systems_beside_the_other_indicators(
    session: Session, system: Actor, data_dir: Path, indicators: LoadResult
) -> None:
    expected = _register(session, system, data_dir)
    result = service.refresh(session=session, actor=system)
    assert {"ai_systems_high_risk", "ai_systems_minimal_risk"} <= set(result.measured)
    progress = service.get_progress(
        session=session, actor=system, code="ai_systems_high_risk", year=YEAR
    )
    assert (
        progress.focus.actual is not None
        and progress.focus.actual.value == expected[RiskClass.HIGH_RISK]
    )


def test_the_dashboard_puts_a_data_table_beside_the_ai_chart(
    session: Session, system: Actor, data_dir: Path, indicators: LoadResult, client: TestClient
) -> None:
    expected = _register(session, system, data_dir)
    service.refresh(session=session, actor=system)
    session.commit()
    page = client.get("/monitoring?lang=en").text
    block = page[page.index(f"<caption>AI systems in the register by risk class, {YEAR}") :]
    table = block[: block.index("</table>")]
    high = re.search(r"high-risk[^<]*</th>\s*<td[^>]*>([^<]+)</td>", table)
    assert high is not None and high.group(1) == str(expected[RiskClass.HIGH_RISK])
    assert page.count(f"AI systems in the register by risk class, {YEAR}") >= 2  # chart and table
