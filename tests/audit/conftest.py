"""Audit test helpers: the secret the tests seal with, and a way to append many events."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from dati.audit import chain
from dati.audit.models import AuditEntry

SECRET = "test-secret-key-0123456789"

Append = Callable[..., list[AuditEntry]]


@pytest.fixture
def append(session: Session) -> Append:
    """Append ``count`` data-access events (each with ``subjects``) and return them."""

    def do(
        count: int = 1, *, subjects: tuple[str, ...] = (), **details: object
    ) -> list[AuditEntry]:
        entries = []
        for i in range(count):
            event = chain.Event(
                action=str(details.get("action", "data.read")),
                actor_name="Test",
                actor_org_id=details.get("actor_org_id"),  # type: ignore[arg-type]
                provider_org_id=details.get("provider_org_id"),  # type: ignore[arg-type]
                resource=str(details.get("resource", "population")),
                resource_version=1,
                fields=["personal_code", "name"],
                filter={"municipality": "LV-RIX", "n": i},
                row_count=len(subjects),
                subjects=subjects,
                duration_us=1200,
            )
            entries.append(chain.append(session, event, secret=SECRET))
        session.flush()
        return entries

    return do
