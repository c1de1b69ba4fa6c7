"""What the gateway decides on, gathered with plain-column queries and kept for a moment.

Every data access needs the resource's fields, the recipient's agreements on it and today's
usage. They are cached per process for ``TTL`` seconds; a change made through this process
forgets them at once (``dati.db.hot``), so on one node a suspension or revocation takes effect on the
next request, on other nodes within ``TTL``. Usage is only a first check: quotas are enforced
under the chain-head lock when the access is counted (``services.access.record_access``), so a
stale count can cost a wasted read, never an extra row.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, Sequence
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, bindparam, select
from sqlalchemy.orm import Session

from dati import clock
from dati.audit import chain
from dati.catalog.models import AccessRights, FieldClassification, Resource, ResourceField
from dati.db.hot import HotCache
from dati.exchange.agreements import gateway
from dati.exchange.agreements import terms as terms_
from dati.exchange.agreements.models import Agreement, AgreementStatus, AgreementUsage

TTL = 2.0  # seconds
MAX_ENTRIES = 4096

# The resource's fields and the recipient organisations' agreements on it (db.hot: forgotten
# when this process writes a resource, its fields or an agreement).
_terms: HotCache[tuple[gateway.ResourceInfo, list[gateway.AgreementTerms]]] = HotCache(
    Resource, ResourceField, Agreement, ttl=TTL, size=MAX_ENTRIES
)
# Per database (tests bind each test to its own connection, whose ids can repeat).
_usage: weakref.WeakKeyDictionary[Engine | Connection, dict[Any, gateway.Usage]] = (
    weakref.WeakKeyDictionary()
)
_lock = threading.Lock()


def for_reading(
    session: Session, resource: Resource, recipient_org_ids: set[int]
) -> tuple[gateway.ResourceInfo, list[gateway.AgreementTerms], dict[str, gateway.Usage]]:
    """The resource, the recipient organisations' agreements on it, today's known usage."""
    bind = session.get_bind()
    key = (resource.id, frozenset(recipient_org_ids))
    hit = _terms.get(session, key)
    if hit is not None:
        info, found = hit
    else:
        info = resource_info(session, resource)
        found = [] if info.is_open else agreement_terms(session, resource, recipient_org_ids, info)
        _terms.put(session, key, (info, found))
    today = clock.today()
    with _lock:
        known = _usage.setdefault(bind, {})
        used = {t.number: known[(t.number, today)] for t in found if (t.number, today) in known}
    missing = [t.number for t in found if t.number not in used]
    if missing:
        fetched = usage(session, missing)
        for number in missing:
            remember_usage(session, number, fetched.get(number, gateway.Usage()))
        used |= fetched
    return info, found, used


def remember_usage(session: Session, number: str, used: gateway.Usage) -> None:
    """Today's usage as last counted by this process."""
    with _lock:
        known = _usage.setdefault(chain.database(session), {})
        if len(known) > MAX_ENTRIES:
            known.clear()
        known[(number, clock.today())] = used


def agreement_terms(
    session: Session,
    resource: Resource,
    recipient_org_ids: Iterable[int],
    info: gateway.ResourceInfo | None = None,
) -> list[gateway.AgreementTerms]:
    """Per agreement number: the version in force (active or suspended), else the newest one,
    so a refusal can say why (internal lookup; plain columns, no ORM objects: hot path)."""
    ids = list(recipient_org_ids)
    if not ids:
        return []
    table = cast(Table, Agreement.__table__)
    stmt = (
        select(
            table.c.number,
            table.c.version,
            table.c.status,
            table.c.provider_org_id,
            table.c.recipient_org_id,
            table.c.document,
        )
        .where(table.c.resource_name == resource.name, table.c.recipient_org_id.in_(ids))
        .where(table.c.status != AgreementStatus.SUPERSEDED.value)
        .order_by(table.c.number, table.c.version)
    )
    live = (AgreementStatus.ACTIVE, AgreementStatus.SUSPENDED)
    chosen: dict[str, Any] = {}
    for row in session.execute(stmt):
        held = chosen.get(row.number)
        if held is None or held.status not in live or row.status in live:
            chosen[row.number] = row
    types = {f.name: f.type for f in (info or resource_info(session, resource)).fields}
    return [
        terms_.enforceable(
            row.document,
            status=AgreementStatus(row.status).value,
            provider_org_id=row.provider_org_id,
            recipient_org_id=row.recipient_org_id,
            field_types=types,
        )
        for row in chosen.values()
    ]


def resource_info(session: Session, resource: Resource) -> gateway.ResourceInfo:
    """The resource as the gateway sees it: openness, owner, fields with their classification."""
    fields = cast(Table, ResourceField.__table__)
    rows = session.execute(
        select(fields.c.name, fields.c.type, fields.c.classification)
        .where(fields.c.resource_id == resource.id)
        .order_by(fields.c.position)
    )
    return gateway.ResourceInfo(
        name=resource.name,
        owner_org_id=resource.owner_org_id,
        is_open=resource.access_rights == AccessRights.PUBLIC and not resource.personal_data,
        fields=tuple(
            gateway.FieldInfo(name, type_, FieldClassification(classification).value)
            for name, type_, classification in rows
        ),
    )


_USAGE = cast(Table, AgreementUsage.__table__)
_READ_USAGE = select(_USAGE.c.agreement_number, _USAGE.c.requests, _USAGE.c.rows).where(
    _USAGE.c.agreement_number.in_(bindparam("numbers", expanding=True)),
    _USAGE.c.day == bindparam("today"),
)


def usage(session: Session, numbers: Sequence[str]) -> dict[str, gateway.Usage]:
    """Today's usage of the agreements ``numbers`` as stored."""
    if not numbers:
        return {}
    rows = session.execute(_READ_USAGE, {"numbers": list(numbers), "today": clock.today()})
    return {number: gateway.Usage(requests, rows) for number, requests, rows in rows}
