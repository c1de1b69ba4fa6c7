"""The gateway at work: gather what the policy needs from the database, apply its decision to
the rows, count quotas and log every access (granted or refused) in the audit chain.

Refusals and served accesses are recorded in a short transaction of their own that locks the
chain head first (see ``audit.chain.write_transaction``), and it commits before any data leaves:
an access is logged even if the response later fails, a refusal is logged although the request
answers with an error, and quotas hold across app nodes because the counters are re-read and
raised under that lock.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.orm import Session

from dati import clock
from dati.audit import batch, chain, metrics
from dati.audit.driver import DriverStatement
from dati.auth.actor import Actor, ActorKind, Role
from dati.auth.permissions import require
from dati.catalog.models import Resource
from dati.errors import Forbidden, NotAuthenticated, TooManyRequests
from dati.exchange.agreements import context, gateway
from dati.exchange.agreements.models import AgreementUsage
from dati.exchange.agreements.permissions import READ_GOVERNED_DATA
from dati.i18n import gettext as _
from dati.orgs.models import Organisation


class AccessDenied(Forbidden):
    type, title = "access-denied", "Access denied"
    # The refusal's audit entry must stay although the request fails.
    keeps_changes = True


class QuotaExceeded(TooManyRequests):
    type, title = "quota-exceeded", "Quota used up"
    keeps_changes = True


@dataclass
class Grant:
    """A decision in force for one request, and what logging it needs."""

    decision: gateway.Decision
    resource: Resource
    actor: Actor
    request: gateway.ReadRequest
    org_id: int | None  # the organisation the actor reads for
    started: float = field(default_factory=time.perf_counter)
    # The resource's personal-identifier fields: their values never reach the log in clear.
    identifiers: frozenset[str] = frozenset()

    @property
    def audited(self) -> bool:
        return self.decision.audited


def requester_of(actor: Actor) -> gateway.Requester:
    return gateway.Requester(
        authenticated=actor.is_authenticated,
        recipient_org_ids=frozenset(actor.org_ids(Role.RECIPIENT)),
        owner_org_ids=frozenset(actor.org_ids()),
        platform=actor.kind is ActorKind.SYSTEM,
    )


def check(session: Session, actor: Actor, resource: Resource) -> gateway.Decision:
    """Whether ``actor`` may read anything of ``resource`` now, without logging: for listings
    and metadata pages that show no data (internal: callers checked their own permission)."""
    info, found, usage = context.for_reading(session, resource, actor.org_ids(Role.RECIPIENT))
    return gateway.decide(
        info,
        requester_of(actor),
        gateway.ReadRequest(),
        found,
        usage,
        today=clock.today(),
        secret="",  # no pseudonyms are made from this decision
    )


def refusal(decision: gateway.Decision) -> Exception:
    """The error a refused decision answers with."""
    if decision.status == 401:
        return NotAuthenticated(decision.reason)
    if decision.status == 429:
        return QuotaExceeded(decision.reason, retry_after=_seconds_to_midnight())
    return AccessDenied(decision.reason)


def authorise(
    *,
    session: Session,
    actor: Actor,
    resource: Resource,
    request: gateway.ReadRequest,
    secret: str,
) -> Grant:
    """Decide; a refusal is logged and raised with its reason (401, 403 or 429)."""
    require(actor, READ_GOVERNED_DATA, resource)
    grant = _decided(session, actor, resource, request, secret)
    if not grant.decision.allowed:
        if actor.is_authenticated:
            batch.run(session, _refusal(grant, secret))
        raise refusal(grant.decision)
    return grant


async def authorise_async(
    *,
    session: Session,
    actor: Actor,
    resource: Resource,
    request: gateway.ReadRequest,
    secret: str,
) -> Grant:
    """``authorise`` for a coroutine: the same decision; a refusal is logged without blocking
    the event loop (the decision's own reads are cached, see ``context``)."""
    require(actor, READ_GOVERNED_DATA, resource)
    grant = _decided(session, actor, resource, request, secret)
    if not grant.decision.allowed:
        if actor.is_authenticated:
            await batch.run_async(session, _refusal(grant, secret))
        raise refusal(grant.decision)
    return grant


def _decided(
    session: Session, actor: Actor, resource: Resource, request: gateway.ReadRequest, secret: str
) -> Grant:
    info, found, usage = context.for_reading(session, resource, actor.org_ids(Role.RECIPIENT))
    decision = gateway.decide(
        info,
        requester_of(actor),
        request,
        found,
        usage,
        today=clock.today(),
        secret=secret,
    )
    org_id = _reading_org(actor, resource, decision)
    return Grant(
        decision, resource, actor, request, org_id, identifiers=frozenset(info.identifier_fields)
    )


def _reading_org(actor: Actor, resource: Resource, decision: gateway.Decision) -> int | None:
    if decision.agreement is not None:
        return decision.agreement.recipient_org_id
    if decision.basis in (gateway.OWNER, gateway.PLATFORM):
        return resource.owner_org_id
    orgs = actor.org_ids(Role.RECIPIENT) or actor.org_ids()
    return min(orgs) if orgs else None


def _refusal(grant: Grant, secret: str) -> batch.Work:
    """The log writer's work for a refused decision."""
    reason = grant.decision.reason
    return lambda own: _log(
        own, grant, "data.denied", secret, rows=None, subjects=(), outcome="denied", detail=reason
    )


def _seconds_to_midnight() -> int:
    now = clock.now()
    return max(1, 86400 - (now.hour * 3600 + now.minute * 60 + now.second))


# --- serving -----------------------------------------------------------------------------------


def serve_rows(
    session: Session,
    grant: Grant,
    rows: Iterable[Mapping[str, Any]],
    *,
    version: int | None,
    filters: Sequence[Any] | None = None,
    secret: str,
) -> list[dict[str, Any]]:
    """The rows the recipient may see, shaped and pseudonymised; the access is logged and
    counted before they are returned (internal: the caller authorised the grant)."""
    permitted, work = _serving(grant, rows, version, filters, secret)
    if work is None:
        return gateway.enforce(grant.decision, permitted)
    return _served(grant, permitted, batch.run(session, work))


async def serve_rows_async(
    session: Session,
    grant: Grant,
    rows: Iterable[Mapping[str, Any]],
    *,
    version: int | None,
    filters: Sequence[Any] | None = None,
    secret: str,
) -> list[dict[str, Any]]:
    """``serve_rows`` for a coroutine: the same rows, quota errors and log entry; the event
    loop serves other requests while the access is logged (``session`` only names the
    database here)."""
    permitted, work = _serving(grant, rows, version, filters, secret)
    if work is None:
        return gateway.enforce(grant.decision, permitted)
    return _served(grant, permitted, await batch.run_async(session, work))


def _serving(
    grant: Grant,
    rows: Iterable[Mapping[str, Any]],
    version: int | None,
    filters: Sequence[Any] | None,
    secret: str,
) -> tuple[list[Mapping[str, Any]], batch.Work | None]:
    """The permitted rows, and the log writer's work for them (None: open data, not logged)."""
    decision = grant.decision
    permitted = gateway.permitted_rows(decision, rows)
    if not grant.audited:
        return permitted, None
    work = _counting(
        grant,
        row_count=len(permitted),
        subjects=lambda n: gateway.subjects(decision, permitted[:n]),
        version=version,
        filters=filters,
        secret=secret,
    )
    return permitted, work


def _served(grant: Grant, permitted: list[Mapping[str, Any]], logged: Any) -> list[dict[str, Any]]:
    served = _allowed(grant, logged)
    return [gateway.shape(grant.decision, row) for row in permitted[:served]]


def record_access(
    session: Session,
    grant: Grant,
    *,
    row_count: int,
    subjects: Any,
    version: int | None,
    filters: Sequence[Any] | None,
    secret: str,
) -> int:
    """Count and log an access of up to ``row_count`` rows; returns how many may be served.

    ``subjects(n)`` gives the personal codes in the first ``n`` rows. Quotas are checked again
    under the chain-head lock, so concurrent requests on several nodes cannot overrun them. The
    write is shared with concurrent requests of this process (``audit.batch``).
    """
    work = _counting(
        grant,
        row_count=row_count,
        subjects=subjects,
        version=version,
        filters=filters,
        secret=secret,
    )
    return _allowed(grant, batch.run(session, work))


def _counting(
    grant: Grant,
    *,
    row_count: int,
    subjects: Any,
    version: int | None,
    filters: Sequence[Any] | None,
    secret: str,
) -> batch.Work:
    """The log writer's work for an access: check and count the quota under the head lock,
    append the entry (or the refusal); its result is the rows to serve, -1 for a refusal."""
    terms = grant.decision.agreement

    def work(own: Session) -> int:
        served = row_count
        if terms is not None:
            used = _batch_usage(own, terms.number)
            if used[0] >= terms.requests_per_day or used[1] >= terms.rows_per_day:
                _log(
                    own,
                    grant,
                    "data.denied",
                    secret,
                    rows=None,
                    subjects=(),
                    outcome="denied",
                    detail=_quota_reason(terms.number),
                )
                return -1
            served = min(row_count, terms.rows_per_day - used[1])
            used[0], used[1] = used[0] + 1, used[1] + served
        _log(
            own,
            grant,
            "data.read",
            secret,
            rows=served,
            subjects=subjects(served) if served else (),
            outcome="ok",
            version=version,
            filters=filters,
        )
        return served

    return work


def _quota_reason(number: str) -> str:
    return _("Agreement {number}: today's quota is used up.", number=number)


def _allowed(grant: Grant, logged: Any) -> int:
    """The rows to serve as the log writer counted them; a refusal raises 429."""
    served = int(logged)
    if served < 0:
        terms = grant.decision.agreement
        assert terms is not None
        raise QuotaExceeded(_quota_reason(terms.number), retry_after=_seconds_to_midnight())
    return served


_USAGE_KEY = "dati.agreements.usage"


def _batch_usage(session: Session, number: str) -> list[Any]:
    """Today's [requests, rows, stored, day] for an agreement within the write transaction:
    read once under the chain-head lock (unless the log writer knows it is current), counted
    in memory, written once before the commit."""
    pending = session.info.setdefault(_USAGE_KEY, {})
    held = pending.get(number)
    if held is None:
        today = clock.today()
        known = chain.known(session, _USAGE_KEY)
        remembered = known.get((number, today)) if known is not None else None
        if remembered is not None:
            held = [*remembered, today]
        else:
            found = context.usage(session, [number]).get(number)
            held = [found.requests, found.rows, True, today] if found else [0, 0, False, today]
        pending[number] = held
        chain.before_commit(session, _USAGE_KEY, _write_usage)
    return cast(list[Any], held)


_USAGE = cast(Table, AgreementUsage.__table__)
_USAGE_DAY = (_USAGE.c.agreement_number == bindparam("k_number")) & (
    _USAGE.c.day == bindparam("k_day")
)
_UPDATE_USAGE = DriverStatement(
    update(_USAGE)
    .where(_USAGE_DAY)
    .values(requests=bindparam("v_requests"), rows=bindparam("v_rows"))
)
_INSERT_USAGE = DriverStatement(insert(_USAGE), ["agreement_number", "day", "requests", "rows"])


def _write_usage(session: Session) -> None:
    known = chain.known(session, _USAGE_KEY)
    connection = session.connection()
    for number, (requests, rows, stored, day) in session.info.pop(_USAGE_KEY, {}).items():
        context.remember_usage(session, number, gateway.Usage(requests, rows))
        if stored:
            values = {"k_number": number, "k_day": day, "v_requests": requests, "v_rows": rows}
            _UPDATE_USAGE.execute(connection, [values])
        else:
            values = {"agreement_number": number, "day": day, "requests": requests, "rows": rows}
            _INSERT_USAGE.execute(connection, [values])
        if known is not None:  # the writer's transaction: if it commits, this is current
            known[(number, day)] = (requests, rows, True)


def record_failure(session: Session, grant: Grant) -> None:
    """Count a server-side failure in the access-time statistics (internal)."""
    if grant.audited and grant.org_id is not None:
        batch.run(session, lambda own: _observe(own, grant, "error"))


async def record_failure_async(session: Session, grant: Grant) -> None:
    """``record_failure`` for a coroutine."""
    if grant.audited and grant.org_id is not None:
        await batch.run_async(session, lambda own: _observe(own, grant, "error"))


def _log(
    session: Session,
    grant: Grant,
    action: str,
    secret: str,
    *,
    rows: int | None,
    subjects: Iterable[str],
    outcome: str,
    detail: str = "",
    version: int | None = None,
    filters: Sequence[Any] | None = None,
) -> None:
    decision, request = grant.decision, grant.request
    terms = decision.agreement
    chain.append(
        session,
        chain.Event(
            action=action,
            actor_name=grant.actor.name,
            actor_user_id=grant.actor.user_id,
            token_id=grant.actor.token_id,
            actor_org_id=grant.org_id,
            provider_org_id=grant.resource.owner_org_id,
            agreement_id=terms.number if terms else None,
            agreement_version=terms.version if terms else None,
            resource=grant.resource.name,
            resource_version=version if version is not None else decision.version,
            fields=list(decision.return_fields or request.fields),
            filter={
                "request": _masked(
                    list(filters)
                    if filters is not None
                    else [[c.field, c.op, list(c.values)] for c in request.filters],
                    grant.identifiers,
                    secret,
                ),
                "conditions": [[c.field, c.op, list(c.values)] for c in decision.conditions],
            },
            row_count=rows,
            outcome=outcome,
            detail=detail or (f"{decision.basis}" if outcome == "ok" else ""),
            duration_us=int((time.perf_counter() - grant.started) * 1_000_000),
            subjects=subjects,
        ),
        secret=secret,
    )
    _observe(session, grant, outcome)


def _masked(filters: list[Any], identifiers: frozenset[str], secret: str) -> list[Any]:
    """The request's filters with the personal codes it searched for replaced by the same keyed
    hashes the subject index holds: a log dump shows that someone was looked up, not who, and
    an auditor who knows a code can still match it."""
    if not identifiers:
        return filters
    key = chain.subject_key(secret)
    return [
        [name, op, [chain.subject_hash(key, str(v)) for v in values]]
        if name in identifiers
        else [name, op, values]
        for name, op, values in filters
    ]


# Prometheus labels only: a renamed organisation keeps its old label until the next restart.
_org_names: dict[int, str] = {}


def _observe(session: Session, grant: Grant, outcome: str) -> None:
    if grant.org_id is None:
        return
    name = _org_names.get(grant.org_id)
    if name is None:
        org = session.get(Organisation, grant.org_id)
        name = _org_names[grant.org_id] = org.short_name if org else str(grant.org_id)
    metrics.observe(
        session,
        resource=grant.resource.name,
        recipient_org_id=grant.org_id,
        recipient_name=name,
        provider_org_id=grant.resource.owner_org_id,
        outcome=outcome,
        duration_us=int((time.perf_counter() - grant.started) * 1_000_000),
        at=clock.now(),
    )
