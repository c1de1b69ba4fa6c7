"""The change history: every metadata change as (who, when, entity, field, old value, new value)."""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dati import clock
from dati.auth.actor import Actor
from dati.auth.permissions import require
from dati.catalog.models import Change, Resource
from dati.catalog.permissions import VIEW_CATALOGUE

Snapshot = dict[str, str | None]


def as_text(value: Any) -> str | None:
    """A stable, readable text form of a property value for the history table."""
    if value is None or value == "" or value == [] or value == {}:
        return None
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def snapshot(obj: object, attributes: Iterable[str], extra: Mapping[str, Any] = {}) -> Snapshot:
    values = {name: as_text(getattr(obj, name)) for name in attributes}
    values.update({name: as_text(value) for name, value in extra.items()})
    return values


def record(
    session: Session,
    actor: Actor,
    *,
    entity: str,
    entity_id: int,
    resource_id: int | None,
    before: Snapshot | None,
    after: Snapshot | None,
    label: str = "",
) -> int:
    """Write the differences between two snapshots; None before = created, None after = deleted.

    Returns how many change rows were written.
    """
    now = clock.now()
    base = {
        "at": now,
        "actor_name": actor.name,
        "user_id": actor.user_id,
        "entity": entity,
        "entity_id": entity_id,
        "resource_id": resource_id,
    }
    if before is None:
        session.add(Change(**base, action="created", field=label, new_value=_summary(after)))
        return 1
    if after is None:
        session.add(Change(**base, action="deleted", field=label, old_value=_summary(before)))
        return 1
    written = 0
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old != new:
            field = f"{label}.{name}" if label else name
            session.add(Change(**base, action="updated", field=field, old_value=old, new_value=new))
            written += 1
    return written


def _summary(values: Snapshot | None) -> str | None:
    if not values:
        return None
    return values.get("title_lv") or values.get("term_lv") or values.get("name")


def list_changes(
    *, session: Session, actor: Actor, resource: Resource, limit: int = 200
) -> list[Change]:
    """A resource's history, newest first: its own properties, fields and distributions."""
    require(actor, VIEW_CATALOGUE, resource)
    stmt = (
        select(Change)
        .where(Change.resource_id == resource.id)
        .order_by(Change.at.desc(), Change.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def entity_changes(
    *, session: Session, actor: Actor, entity: str, entity_id: int, limit: int = 200
) -> list[Change]:
    """The history of a system, data service or glossary term, newest first."""
    require(actor, VIEW_CATALOGUE)
    stmt = (
        select(Change)
        .where(Change.entity == entity, Change.entity_id == entity_id)
        .order_by(Change.at.desc(), Change.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))
