"""The audit log: recording events, reading and exporting them, checking the chain, the
citizen's view of who accessed their data, and access times.

Personal codes are never stored: the log keeps an HMAC of each code under a key derived from
the instance secret, and a lookup hashes the code it is given. A database dump therefore does
not say whose records were read; the running platform can still answer a citizen or auditor.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from dati import clock
from dati.audit import chain, metrics
from dati.audit.models import AuditCheckpoint, AuditEntry, AuditPlatformKey, AuditSubject
from dati.audit.permissions import (
    EXPORT_AUDIT_LOG,
    SIGN_CHECKPOINT,
    VERIFY_AUDIT_LOG,
    VIEW_ACCESS_TIMES,
    VIEW_AUDIT_LOG,
    VIEW_OWN_ACCESSES,
    VIEW_PLATFORM_KEYS,
)
from dati.audit.schemas import AccessTimeRow, AccessTimes, CitizenAccess, EntryFilter, EntryRead
from dati.audit.verify import Report, verify_chain
from dati.auth.actor import Actor, Role
from dati.auth.permissions import require
from dati.catalog.models import Resource
from dati.errors import Invalid
from dati.exchange.agreements.models import Agreement
from dati.i18n import gettext as _
from dati.i18n import pick
from dati.lv_codes import is_valid_personal_code, normalise_personal_code
from dati.orgs import service as orgs_service
from dati.orgs.models import Organisation

PAGE_SIZE = 50
CSV_COLUMNS = (
    "seq", "at", "action", "outcome", "actor_name", "actor_user_id", "token_id", "org",
    "provider", "agreement_id", "agreement_version", "resource", "resource_version", "fields",
    "filter", "row_count", "subject_count", "detail", "duration_ms", "hash",
)  # fmt: skip


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    secret: str,
    org_id: int | None = None,
    **details: Any,
) -> chain.Appended:
    """Append an event done by ``actor`` for organisation ``org_id`` (callers checked permissions)."""
    if org_id is None and actor.token_id is not None:
        org_id = next(iter(actor.org_ids()), None)
    event = chain.Event(
        action=action,
        actor_name=actor.name,
        actor_user_id=actor.user_id,
        token_id=actor.token_id,
        actor_org_id=org_id,
        **details,
    )
    return chain.append(session, event, secret=secret)


# --- reading ---------------------------------------------------------------------------------


def _sees_everything(actor: Actor) -> bool:
    return actor.is_admin or actor.has_role(Role.AUDITOR)


def _org_id(session: Session, short_name: str, field: str) -> int:
    org = orgs_service.find_by_short_name(session, short_name)
    if org is None:
        raise Invalid(
            _("Organisation {name} does not exist.", name=short_name),
            errors={field: _("Unknown organisation.")},
        )
    return org.id


def _filtered(session: Session, actor: Actor, f: EntryFilter, secret: str | None) -> Select[Any]:
    stmt = select(AuditEntry)
    if not _sees_everything(actor):
        mine = actor.org_ids(Role.STEWARD, Role.SIGNATORY)
        stmt = stmt.where(AuditEntry.actor_org_id.in_(mine) | AuditEntry.provider_org_id.in_(mine))
    if f.date_from:
        stmt = stmt.where(AuditEntry.at >= datetime.combine(f.date_from, time(), UTC))
    if f.date_to:
        end = datetime.combine(f.date_to, time(), UTC) + timedelta(days=1)
        stmt = stmt.where(AuditEntry.at < end)
    if f.action:
        if f.action.endswith("."):
            stmt = stmt.where(AuditEntry.action.startswith(f.action, autoescape=True))
        else:
            stmt = stmt.where(AuditEntry.action == f.action)
    if f.org:
        stmt = stmt.where(AuditEntry.actor_org_id == _org_id(session, f.org, "org"))
    if f.provider:
        stmt = stmt.where(AuditEntry.provider_org_id == _org_id(session, f.provider, "provider"))
    if f.resource:
        stmt = stmt.where(AuditEntry.resource == f.resource)
    if f.agreement:
        stmt = stmt.where(AuditEntry.agreement_id == f.agreement)
    if f.outcome:
        stmt = stmt.where(AuditEntry.outcome == f.outcome)
    if f.person:
        if not _sees_everything(actor):
            raise Invalid(
                _("Only auditors may search the log by personal code."),
                errors={"person": _("Only auditors may search by personal code.")},
            )
        stmt = stmt.where(AuditEntry.id.in_(_subject_entries(f.person, secret)))
    return stmt


def _subject_entries(personal_code: str, secret: str | None) -> Select[Any]:
    code = normalise_personal_code(personal_code)
    if not is_valid_personal_code(code) or secret is None:
        raise Invalid(
            _("Not a valid personal code."), errors={"person": _("Use the form DDMMYY-NNNNN.")}
        )
    wanted = chain.subject_hash(chain.subject_key(secret), code)
    return select(AuditSubject.entry_id).where(AuditSubject.subject == wanted)


def _org_names(session: Session, ids: set[int | None]) -> dict[int, Organisation]:
    ids.discard(None)
    if not ids:
        return {}
    return {o.id: o for o in session.scalars(select(Organisation).where(Organisation.id.in_(ids)))}


def _read(entry: AuditEntry, orgs: dict[int, Organisation]) -> EntryRead:
    org = orgs.get(entry.actor_org_id or 0)
    provider = orgs.get(entry.provider_org_id or 0)
    return EntryRead(
        seq=entry.seq,
        at=entry.at,
        action=entry.action,
        outcome=entry.outcome,
        actor_name=entry.actor_name,
        actor_user_id=entry.actor_user_id,
        token_id=entry.token_id,
        org=org.short_name if org else None,
        provider=provider.short_name if provider else None,
        agreement_id=entry.agreement_id,
        agreement_version=entry.agreement_version,
        resource=entry.resource,
        resource_version=entry.resource_version,
        fields=entry.field_list,
        filter=entry.filter_data,
        row_count=entry.row_count,
        subject_count=entry.subject_count,
        detail=entry.detail,
        duration_ms=entry.duration_us / 1000 if entry.duration_us is not None else None,
        hash=entry.hash,
    )


@dataclass
class EntryPage:
    entries: list[EntryRead]
    next_before: int | None


def list_entries(
    *,
    session: Session,
    actor: Actor,
    filters: EntryFilter,
    secret: str | None = None,
    before: int | None = None,
    limit: int = PAGE_SIZE,
) -> EntryPage:
    """Newest entries first, ``limit`` at a time; ``before`` continues after a page's last seq."""
    require(actor, VIEW_AUDIT_LOG)
    stmt = _filtered(session, actor, filters, secret)
    if before is not None:
        stmt = stmt.where(AuditEntry.seq < before)
    rows = list(session.scalars(stmt.order_by(AuditEntry.seq.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    orgs = _org_names(session, {r.actor_org_id for r in rows} | {r.provider_org_id for r in rows})
    return EntryPage([_read(r, orgs) for r in rows], rows[-1].seq if more and rows else None)


def _csv_cell(value: Any) -> str:
    """Text a spreadsheet shows as text: cells starting with = + - @ or a control get a quote."""
    text = "" if value is None else str(value)
    if text and text[0] in "=+-@\t\r\n":
        return "'" + text
    return text


def export_entries_csv(
    *, session: Session, actor: Actor, filters: EntryFilter, secret: str | None = None
) -> Iterator[str]:
    """The filtered log as CSV (UTF-8 with BOM for spreadsheets), oldest first, streamed."""
    require(actor, EXPORT_AUDIT_LOG)
    stmt = _filtered(session, actor, filters, secret).order_by(AuditEntry.seq)
    orgs = {o.id: o for o in session.scalars(select(Organisation))}

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        yield "\ufeff" + buffer.getvalue()
        for entry in session.scalars(stmt.execution_options(yield_per=1000)):
            buffer.seek(0)
            buffer.truncate()
            read = _read(entry, orgs)
            values = read.model_dump()
            values["at"] = chain.timestamp(read.at)
            values["fields"] = ";".join(read.fields)
            values["filter"] = json.dumps(read.filter, ensure_ascii=False, sort_keys=True)
            writer.writerow([_csv_cell(values[c]) for c in CSV_COLUMNS])
            yield buffer.getvalue()

    return rows()


def verify_log(*, session: Session, actor: Actor, secret: str | None) -> Report:
    """Walk the whole chain and report where it was tampered with."""
    require(actor, VERIFY_AUDIT_LOG)
    return verify_chain(session, secret=secret)


def sign_checkpoint(*, session: Session, actor: Actor, secret: str) -> AuditCheckpoint | None:
    """Sign the chain head now (a cron job or an administrator); None when nothing is new."""
    require(actor, SIGN_CHECKPOINT)
    return chain.checkpoint_now(session, secret=secret)


def list_checkpoints(*, session: Session, actor: Actor, limit: int = 20) -> list[AuditCheckpoint]:
    """The newest signed checkpoints."""
    require(actor, VIEW_AUDIT_LOG)
    stmt = select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(limit)
    return list(session.scalars(stmt))


def list_platform_keys(*, session: Session, actor: Actor) -> list[AuditPlatformKey]:
    """The platform's checkpoint public keys, so anyone can check checkpoints independently."""
    require(actor, VIEW_PLATFORM_KEYS)
    return list(session.scalars(select(AuditPlatformKey).order_by(AuditPlatformKey.id)))


def my_accesses(*, session: Session, actor: Actor, secret: str) -> list[CitizenAccess]:
    """Every logged access that returned the logged-in citizen's record, newest first."""
    require(actor, VIEW_OWN_ACCESSES)
    if not actor.personal_code:  # an administrator has no record of their own here
        return []
    stmt = (
        select(AuditEntry, Agreement)
        .join(AuditSubject, AuditSubject.entry_id == AuditEntry.id)
        .outerjoin(
            Agreement,
            (Agreement.number == AuditEntry.agreement_id)
            & (Agreement.version == AuditEntry.agreement_version),
        )
        .where(
            AuditSubject.subject
            == chain.subject_hash(chain.subject_key(secret), actor.personal_code)
        )
        .where(AuditEntry.outcome == "ok")
        .order_by(AuditEntry.seq.desc())
    )
    rows = session.execute(stmt).all()
    orgs = _org_names(
        session, {e.actor_org_id for e, _a in rows} | {e.provider_org_id for e, _a in rows}
    )

    def name(org_id: int | None) -> str:
        org = orgs.get(org_id or 0)
        return pick(org.name_lv, org.name_en) if org else _("Unknown institution")

    # Citizens read titles, not the catalogue's field names.
    resources = {
        r.name: r
        for r in session.scalars(
            select(Resource).where(Resource.name.in_({e.resource for e, _a in rows if e.resource}))
        )
    }

    def titles(entry: AuditEntry) -> tuple[str | None, list[str]]:
        resource = resources.get(entry.resource or "")
        if resource is None:
            return entry.resource, entry.field_list
        by_name = {f.name: pick(f.title_lv, f.title_en) or f.name for f in resource.fields}
        return pick(resource.title_lv, resource.title_en), [
            by_name.get(f, f) for f in entry.field_list
        ]

    found = []
    for entry, agreement in rows:
        resource_title, field_titles = titles(entry)
        found.append(
            CitizenAccess(
                at=entry.at,
                recipient=name(entry.actor_org_id),
                recipient_short_name=orgs[entry.actor_org_id].short_name
                if entry.actor_org_id in orgs
                else None,
                provider=name(entry.provider_org_id),
                resource=resource_title,
                fields=field_titles,
                agreement_id=entry.agreement_id,
                agreement_version=entry.agreement_version,
                purpose=agreement.purpose if agreement else None,
                legal_basis=agreement.legal_basis if agreement else None,
            )
        )
    return found


# --- access times ----------------------------------------------------------------------------


def access_times(
    *,
    session: Session,
    actor: Actor,
    days: int = 30,
    resource: str | None = None,
    recipient: str | None = None,
) -> AccessTimes:
    """p50/p95 latency, errors and refusals per resource and recipient over the last ``days``;
    the daily series covers one resource, one recipient (short name) or both when given.

    Providers and recipients see the pairs they take part in; auditors see all.
    """
    require(actor, VIEW_ACCESS_TIMES)
    days = max(1, min(days, 366))
    recipient_id = _org_id(session, recipient, "recipient") if recipient else None
    end = clock.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    scope = None if _sees_everything(actor) else actor.org_ids()
    stats = metrics.stats_between(session, end - timedelta(days=days), end, scope)
    if resource:
        stats = [s for s in stats if s.resource == resource]
    if recipient_id is not None:
        stats = [s for s in stats if s.recipient_org_id == recipient_id]
    orgs = _org_names(session, {s.recipient_org_id for s in stats})

    def row(summary: metrics.Summary, **keys: Any) -> AccessTimeRow:
        return AccessTimeRow(
            requests=summary.requests,
            errors=summary.errors,
            denied=summary.denied,
            error_rate=round(summary.error_rate, 4),
            p50_ms=None if summary.p50 is None else round(summary.p50, 2),
            p95_ms=None if summary.p95 is None else round(summary.p95, 2),
            **keys,
        )

    pairs = [
        row(s, resource=res, recipient=orgs[org].short_name if org in orgs else str(org))
        for (res, org), s in metrics.by_pair(stats).items()
    ]
    daily = [
        row(s, resource=resource or "", recipient=recipient or "", day=day)
        for day, s in metrics.by_day(stats).items()
    ]
    return AccessTimes(days=days, pairs=pairs, daily=daily)
