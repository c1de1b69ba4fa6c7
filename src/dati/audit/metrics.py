"""Access times: hourly latency histograms per resource and recipient in the database (so every
app node adds to the same numbers), p50/p95 estimated from them, and Prometheus metrics."""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from prometheus_client import Counter, Histogram
from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from dati.audit.chain import before_commit, known, lock_head
from dati.audit.driver import DriverStatement
from dati.audit.models import AccessStat

# Upper bounds in milliseconds; the last bucket is everything slower.
LATENCY_BOUNDS_MS: tuple[float, ...] = (
    1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, math.inf,
)  # fmt: skip
OUTCOMES = ("ok", "denied", "error")

ACCESS_LATENCY = Histogram(
    "dati_data_access_duration_seconds",
    "Time to serve a governed data access, by resource and recipient organisation",
    ["resource", "recipient"],
    buckets=tuple(b / 1000 for b in LATENCY_BOUNDS_MS[:-1]),
)
ACCESS_TOTAL = Counter(
    "dati_data_access_total",
    "Governed data accesses by resource, recipient organisation and outcome (ok, denied, error)",
    ["resource", "recipient", "outcome"],
)


def bucket_of(duration_us: int) -> int:
    # The first bound at or above the time (the last bound is +Inf).
    return bisect_left(LATENCY_BOUNDS_MS, duration_us / 1000)


# Prometheus children per (resource, recipient, outcome): looking labels up costs more than
# counting. Bounded like the label sets themselves (resources × recipients × outcomes).
_children: dict[tuple[str, str, str], tuple[Any, Any]] = {}


def _prometheus(resource: str, recipient_name: str, outcome: str) -> tuple[Any, Any]:
    found = _children.get((resource, recipient_name, outcome))
    if found is None:
        latency = ACCESS_LATENCY.labels(resource, recipient_name) if outcome == "ok" else None
        found = ACCESS_TOTAL.labels(resource, recipient_name, outcome), latency
        _children[(resource, recipient_name, outcome)] = found
    return found


def observe(
    session: Session,
    *,
    resource: str,
    recipient_org_id: int,
    recipient_name: str,
    provider_org_id: int | None,
    outcome: str,
    duration_us: int,
    at: datetime,
) -> None:
    """Count one access in its hour (inside the caller's transaction) and in Prometheus."""
    total, latency = _prometheus(resource, recipient_name, outcome)
    total.inc()
    if latency is not None:
        latency.observe(duration_us / 1_000_000)
    hour = at.replace(minute=0, second=0, microsecond=0)
    # requests, errors, refusals, then one count per latency bucket
    delta = [0] * (3 + len(LATENCY_BOUNDS_MS))
    key = (hour, resource, recipient_org_id)
    if before_commit(session, "access-stats", _write_pending):
        # In a shared write transaction: add up here, write each hour's row once at the end.
        pending = session.info.setdefault(_PENDING_KEY, {})
        held = pending.get(key)
        if held is None:
            held = pending[key] = (provider_org_id, delta)
        _count(held[1], outcome, duration_us)
        return
    _count(delta, outcome, duration_us)
    _write(session, key, provider_org_id, delta)


def _count(counts: list[int], outcome: str, duration_us: int) -> None:
    counts[0] += 1
    if outcome == "ok":
        counts[3 + bucket_of(duration_us)] += 1
    elif outcome == "error":
        counts[1] += 1
    elif outcome == "denied":
        counts[2] += 1


_PENDING_KEY = "dati.audit.stats"


def _write_pending(session: Session) -> None:
    for key, (provider_org_id, delta) in session.info.pop(_PENDING_KEY, {}).items():
        _write(session, key, provider_org_id, delta)


_STATS = cast(Table, AccessStat.__table__)
_HOUR = (
    (_STATS.c.hour == bindparam("k_hour"))
    & (_STATS.c.resource == bindparam("k_resource"))
    & (_STATS.c.recipient_org_id == bindparam("k_org"))
)
_READ_BUCKETS = select(_STATS.c.buckets).where(_HOUR)
# The counters are added to where they stand (a failure is counted without an append, so
# another process's log writer may not know of it); the histogram changes only with an
# append, so a log writer that knows the head knows it.
_UPDATE_HOUR = DriverStatement(
    update(_STATS)
    .where(_HOUR)
    .values(
        requests=_STATS.c.requests + bindparam("d_requests"),
        errors=_STATS.c.errors + bindparam("d_errors"),
        denied=_STATS.c.denied + bindparam("d_denied"),
        buckets=bindparam("v_buckets"),
    )
)
_INSERT_HOUR = DriverStatement(
    insert(_STATS),
    [
        "hour",
        "resource",
        "recipient_org_id",
        "provider_org_id",
        "requests",
        "errors",
        "denied",
        "buckets",
    ],
)
_KNOWN_KEY = "access-stats"


def _write(
    session: Session, key: tuple[datetime, str, int], provider_org_id: int | None, delta: list[int]
) -> None:
    """Add ``delta`` (requests, errors, refusals, then one count per latency bucket) to the hour."""
    hour, resource, recipient_org_id = key
    # The chain head serialises the read-modify-write of the hour's row across app nodes.
    lock_head(session)
    where = {"k_hour": hour, "k_resource": resource, "k_org": recipient_org_id}
    remembered = known(session, _KNOWN_KEY)
    buckets = remembered.get(key) if remembered is not None else None
    connection = session.connection()
    if buckets is None:
        found = connection.execute(_READ_BUCKETS, where).first()
        buckets = None if found is None else list(found[0] or [])
    if buckets is None:
        buckets = delta[3:]
        _INSERT_HOUR.execute(
            connection,
            [
                {
                    "hour": hour,
                    "resource": resource,
                    "recipient_org_id": recipient_org_id,
                    "provider_org_id": provider_org_id,
                    "requests": delta[0],
                    "errors": delta[1],
                    "denied": delta[2],
                    "buckets": buckets,
                }
            ],
        )
    else:
        buckets += [0] * (len(delta) - 3 - len(buckets))
        buckets = [a + b for a, b in zip(buckets, delta[3:], strict=True)]
        values = {
            "d_requests": delta[0],
            "d_errors": delta[1],
            "d_denied": delta[2],
            "v_buckets": buckets,
        }
        _UPDATE_HOUR.execute(connection, [where | values])
    if remembered is not None:  # the log writer's transaction: current if it commits
        remembered[key] = buckets


def percentile(buckets: Sequence[int], q: float) -> float | None:
    """The q-quantile in ms, interpolated within its bucket (as Prometheus does), or None."""
    total = sum(buckets)
    if total == 0:
        return None
    rank = q * total
    seen = 0
    for i, count in enumerate(buckets):
        if count and seen + count >= rank:
            low = LATENCY_BOUNDS_MS[i - 1] if i else 0.0
            high = LATENCY_BOUNDS_MS[i]
            if math.isinf(high):
                return low
            return low + (high - low) * (rank - seen) / count
        seen += count
    return LATENCY_BOUNDS_MS[-2]


@dataclass
class Summary:
    """Accesses of one group (a day, a resource, a recipient) with estimated percentiles."""

    requests: int = 0
    errors: int = 0
    denied: int = 0
    buckets: list[int] = field(default_factory=lambda: [0] * len(LATENCY_BOUNDS_MS))

    def add(self, stat: AccessStat) -> None:
        self.requests += stat.requests
        self.errors += stat.errors
        self.denied += stat.denied
        for i, count in enumerate(stat.buckets or []):
            self.buckets[i] += count

    @property
    def p50(self) -> float | None:
        return percentile(self.buckets, 0.5)

    @property
    def p95(self) -> float | None:
        return percentile(self.buckets, 0.95)

    @property
    def error_rate(self) -> float:
        return self.errors / self.requests if self.requests else 0.0


def stats_between(
    session: Session, start: datetime, end: datetime, org_ids: set[int] | None
) -> list[AccessStat]:
    """Hourly rows in [start, end); limited to rows where ``org_ids`` is provider or recipient."""
    stmt = select(AccessStat).where(AccessStat.hour >= start, AccessStat.hour < end)
    if org_ids is not None:
        stmt = stmt.where(
            AccessStat.provider_org_id.in_(org_ids) | AccessStat.recipient_org_id.in_(org_ids)
        )
    return list(session.scalars(stmt.order_by(AccessStat.hour)))


def by_day(stats: Iterable[AccessStat]) -> dict[date, Summary]:
    days: dict[date, Summary] = {}
    for stat in stats:
        days.setdefault(stat.hour.date(), Summary()).add(stat)
    return dict(sorted(days.items()))


def by_pair(stats: Iterable[AccessStat]) -> dict[tuple[str, int], Summary]:
    pairs: dict[tuple[str, int], Summary] = {}
    for stat in stats:
        pairs.setdefault((stat.resource, stat.recipient_org_id), Summary()).add(stat)
    return dict(sorted(pairs.items()))
