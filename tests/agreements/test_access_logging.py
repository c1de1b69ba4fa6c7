"""Logging governed accesses through the log writer: quotas hold when many requests log at
once, the coroutine path answers exactly like the thread path, and what one app process
remembers never hides what another one wrote."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dati.audit import batch, metrics
from dati.audit.models import AccessStat
from dati.audit.verify import verify_chain
from dati.auth.actor import Actor
from dati.catalog.models import Resource
from dati.errors import TooManyRequests
from dati.exchange.agreements import gateway
from dati.exchange.agreements.models import AgreementUsage
from dati.exchange.agreements.schemas import Terms
from dati.exchange.agreements.services import access
from tests.agreements.conftest import RIGA_ONLY, SECRET, MakeAgreement, People
from tests.agreements.test_access import ROWS, entries


def quota(requests: int = 100, rows: int = 1000) -> Terms:
    return Terms.model_validate(
        {**RIGA_ONLY.model_dump(), "requests_per_day": requests, "rows_per_day": rows}
    )


def grant(session: Session, actor: Actor, resource: Resource) -> access.Grant:
    return access.authorise(
        session=session,
        actor=actor,
        resource=resource,
        request=gateway.ReadRequest(),
        secret=SECRET,
    )


def serve(session: Session, granted: access.Grant) -> list[dict[str, Any]]:
    return access.serve_rows(session, granted, [dict(r) for r in ROWS], version=1, secret=SECRET)


async def serve_async(session: Session, granted: access.Grant) -> list[dict[str, Any]]:
    return await access.serve_rows_async(
        session, granted, [dict(r) for r in ROWS], version=1, secret=SECRET
    )


def usage(session: Session) -> tuple[int, int]:
    session.expire_all()
    row = session.scalars(select(AgreementUsage)).one()
    return row.requests, row.rows


def test_concurrent_requests_never_overrun_the_quota(
    session: Session, make_agreement: MakeAgreement, people: People, population: Resource
) -> None:
    make_agreement(terms=quota(requests=5))
    # All decided before any is counted (the decision's usage is only a first check) ...
    grants = [grant(session, people.recipient, population) for _ in range(12)]
    served: list[int] = []
    refused: list[BaseException] = []

    def request(granted: access.Grant) -> None:
        try:
            served.append(len(serve(session, granted)))
        except TooManyRequests as exc:
            refused.append(exc)

    # ... and logged at once: the quota is checked again under the chain-head lock.
    threads = [threading.Thread(target=request, args=(g,)) for g in grants]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert served == [2] * 5 and len(refused) == 7
    assert usage(session) == (5, 10)
    assert len(entries(session, "data.read")) == 5 and len(entries(session, "data.denied")) == 7
    assert verify_chain(session, secret=SECRET).ok


def test_the_coroutine_path_serves_and_logs_like_the_thread_path(
    session: Session, make_agreement: MakeAgreement, people: People, population: Resource
) -> None:
    make_agreement(terms=quota(requests=3, rows=5))
    synced = serve(session, grant(session, people.recipient, population))
    awaited = asyncio.run(serve_async(session, grant(session, people.recipient, population)))
    assert awaited == synced and len(synced) == 2
    # The row quota truncates both alike, then both refuse alike.
    assert len(asyncio.run(serve_async(session, grant(session, people.recipient, population)))) == 1
    with pytest.raises(TooManyRequests) as by_thread:
        serve(session, grant(session, people.recipient, population))
    with pytest.raises(TooManyRequests) as by_coroutine:
        asyncio.run(serve_async(session, grant(session, people.recipient, population)))
    assert str(by_coroutine.value) == str(by_thread.value)
    assert by_coroutine.value.extra["retry_after"] > 0
    reads = entries(session, "data.read")
    assert [e.row_count for e in reads] == [2, 2, 1]
    first, second = reads[0], reads[1]
    for column in ("fields", "filter", "subject_count", "subjects_digest", "agreement_id"):
        assert getattr(first, column) == getattr(second, column)
    assert len(entries(session, "data.denied")) == 2


def test_failures_count_alike_on_both_paths(
    session: Session, make_agreement: MakeAgreement, people: People, population: Resource
) -> None:
    make_agreement()
    granted = grant(session, people.recipient, population)
    access.record_failure(session, granted)
    asyncio.run(access.record_failure_async(session, granted))
    session.expire_all()
    stat = session.scalars(select(AccessStat)).one()
    assert (stat.requests, stat.errors) == (2, 2)


def test_another_process_s_counts_are_never_overwritten(
    session: Session,
    make_agreement: MakeAgreement,
    people: People,
    population: Resource,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two log writers stand for two app processes. Each remembers the usage and latency
    histogram it wrote while the chain head stays where it left it; once the other one has
    logged, it reads them again. A failure counted without an append only adds to counters."""
    make_agreement(terms=quota(requests=100, rows=7))
    bind = session.get_bind()
    first, second = batch.LogWriter(bind), batch.LogWriter(bind)
    current = [first]
    monkeypatch.setattr(batch, "writer", lambda _session: current[0])

    def read_with(writer: batch.LogWriter) -> int:
        current[0] = writer
        return len(serve(session, grant(session, people.recipient, population)))

    assert read_with(first) == 2
    assert read_with(second) == 2
    current[0] = second
    access.record_failure(session, grant(session, people.recipient, population))
    assert read_with(first) == 2  # knows its head moved: 6 of 7 rows now
    assert read_with(second) == 1
    with pytest.raises(TooManyRequests):
        read_with(first)
    assert usage(session) == (4, 7)
    session.expire_all()
    stat = session.scalars(select(AccessStat)).one()
    summary = metrics.Summary()
    summary.add(stat)
    # 4 reads, 1 failure, 1 refusal; each read in the histogram once.
    assert (stat.requests, stat.errors, stat.denied) == (6, 1, 1)
    assert sum(summary.buckets) == 4
    assert verify_chain(session, secret=SECRET).ok


def test_the_coroutine_path_refuses_and_logs_like_the_thread_path(
    session: Session, make_agreement: MakeAgreement, people: People, population: Resource
) -> None:
    make_agreement(signed_by="provider")  # not in force until both parties sign
    request = gateway.ReadRequest()
    with pytest.raises(access.AccessDenied) as by_thread:
        access.authorise(
            session=session,
            actor=people.recipient,
            resource=population,
            request=request,
            secret=SECRET,
        )
    with pytest.raises(access.AccessDenied) as by_coroutine:
        asyncio.run(
            access.authorise_async(
                session=session,
                actor=people.recipient,
                resource=population,
                request=request,
                secret=SECRET,
            )
        )
    assert str(by_coroutine.value) == str(by_thread.value)
    first, second = entries(session, "data.denied")
    assert first.detail == second.detail == str(by_thread.value)
