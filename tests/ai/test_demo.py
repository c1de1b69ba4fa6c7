"""The demo: systems in every class across institutions, obligations in several states."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dati import clock
from dati.ai import factories
from dati.ai.models import AiSystem, ObligationStatus
from dati.ai.services import compliance
from dati.ai.verdict import RiskClass
from dati.auth.actor import Actor


def test_demo_covers_every_class_and_is_repeatable(
    session: Session,
    system: Actor,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    make_resource: Callable[..., Any],
) -> None:
    monkeypatch.setattr(clock, "today", lambda: date(2026, 11, 22))
    make_resource("Deklarāciju dati")
    created = factories.load_demo(session, system, data_dir)
    assert created == len(factories.demo_systems())
    assert factories.load_demo(session, system, data_dir) == 0
    systems = list(session.scalars(select(AiSystem)))
    assert {s.risk_class for s in systems} == set(RiskClass)
    assert len({s.org_id for s in systems}) >= 8
    assert any(s.classification_provisional for s in systems)
    statuses = {o.status for s in systems for o in s.obligations}
    assert statuses == set(ObligationStatus)
    board = compliance.obligations_dashboard(session=session, actor=system)
    assert board.overdue and board.upcoming and board.before_service
    assert any(d.resource.title_lv == "Deklarāciju dati" for s in systems for d in s.datasets)
    assert list((data_dir / "ai" / "evidence").iterdir())
