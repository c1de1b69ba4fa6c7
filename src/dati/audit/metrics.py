"""Access times: hourly latency histograms per resource and recipient in the database (so every
app node adds to the same numbers), p50/p95 estimated from them, and Prometheus metrics."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import cast

from prometheus_client import Counter, Histogram
from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from dati.audit.chain import before_commit, known, lock_head
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
    ms = duration_us / 1000
    for i, bound in enumerate(LATENCY_BOUNDS_MS):
        if ms <= bound:
            return i
    return len(LATENCY_BOUNDS_MS) - 1


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
    ACCESS_TOTAL.labels(resource, recipient_name, outcome).inc()
    if outcome == "ok":
        ACCESS_LATENCY.labels(resource, recipient_name).observe(duration_us / 1_000_000)
    hour = at.replace(minute=0, second=0, microsecond=0)
    delta = [1, int(outcome == "error"), int(outcome == "denied")] + [0] * len(LATENCY_BOUNDS_MS)
    if outcome == "ok":
        delta[3 + bucket_of(duration_us)] = 1
    key = (hour, resource, recipient_org_id)
    if before_commit(session, "access-stats", _write_pending):
        # In a shared write transaction: add up here, write each hour's row once at the end.
        pending = session.info.setdefault(_PENDING_KEY, {})
        held = pending.setdefault(key, [provider_org_id, [0] * len(delta)])
        held[1] = [a + b for a, b in zip(held[1], delta, strict=True)]
        return
    _write(session, key, provider_org_id, delta)


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
_UPDATE_HOUR = (
    update(_STATS)
    .where(_HOUR)
    .values(
        requests=_STATS.c.requests + bindparam("d_requests"),
        errors=_STATS.c.errors + bindparam("d_errors"),
        denied=_STATS.c.denied + bindparam("d_denied"),
        buckets=bindparam("v_buckets"),
    )
)
_INSERT_HOUR = insert(_STATS)
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
    if buckets is None:
        found = session.execute(_READ_BUCKETS, where).first()
        buckets = None if found is None else list(found[0] or [])
    if buckets is None:
        buckets = delta[3:]
        session.execute(
            _INSERT_HOUR,
            {
                "hour": hour,
                "resource": resource,
                "recipient_org_id": recipient_org_id,
                "provider_org_id": provider_org_id,
                "requests": delta[0],
                "errors": delta[1],
                "denied": delta[2],
                "buckets": buckets,
            },
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
        session.execute(_UPDATE_HOUR, where | values)
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
