"""Human-readable numbers: PP-2026-00001 for access requests, EV-2026-00001 for agreements."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dati import clock


def next_number(session: Session, model: Any, prefix: str) -> str:
    """The next free number this year; the unique constraint catches a concurrent twin."""
    start = f"{prefix}-{clock.today().year}-"
    last = session.scalar(select(func.max(model.number)).where(model.number.startswith(start)))
    count = int(last.rsplit("-", 1)[1]) if last else 0
    return f"{start}{count + 1:05d}"
