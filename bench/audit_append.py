"""What logging one governed data access costs, in process: CPU time (all threads of this
process, user + system) per ``serve_rows`` call of a one-row key lookup under a signed
agreement with a pseudonymised field, a row condition and daily quotas. Each call counts the
quota, appends the entry and its data subject to the hash chain, adds the access time to the
statistics and commits, before the row is returned.

Callers: 1 thread; 16 threads (sync ``serve_rows``, one session each, like a thread-pool
route); 16 coroutines on one event loop (``serve_rows_async``, like a plain ASGI route).
Also the decision itself (``authorise``, cached agreement and usage) for comparison. The
log writer's thread is timed on its own too (its transactions: the accesses' log work,
SQLite's statements and the commit), which the callers' scheduling disturbs less.

`PYTHONPATH=src:. python -m bench audit_append`; DATI_BENCH_DATABASE_URL=postgresql://...
runs it on PostgreSQL (the database is migrated and filled; use a throwaway one).
DATI_BENCH_AUDIT_ENTRIES=1000000 first fills the log with that many entries (each with one
data subject; random hashes, not a valid chain: appending reads only the head), so the
indexes are as large as a production log's.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.gateway_throughput import SECRET, vsaa_agreement

ROUNDS = 5
PER_ROUND = 1600  # accesses per round, whatever the number of callers
SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer", "classification": "open"},
        {"name": "kods", "type": "string", "classification": "personal_identifier"},
        {"name": "vards", "type": "string", "classification": "personal_data"},
        {"name": "pasvaldiba", "type": "string", "classification": "open"},
    ],
    "primaryKey": ["id"],
}


def row(n: int) -> dict[str, Any]:
    return {
        "id": n,
        "kods": f"{n % 28 + 1:02d}0190-1{n % 10000:04d}",
        "vards": "Anna",
        "pasvaldiba": "LV-RIX",
    }


def prepare(url: str) -> tuple[Any, Any, Any]:
    """A migrated database with a PMLP personal-data resource, a signed agreement for VSAA
    and VSAA's API user; returns (database, resource, actor)."""
    from dati.auth import service as auth_service
    from dati.auth.actor import Actor
    from dati.catalog import service as catalog_service
    from dati.catalog.models import AccessRights
    from dati.catalog.schemas import ResourceCreate
    from dati.db import migrate
    from dati.db.database import Database, make_engine
    from dati.orgs import factories as orgs_factories

    migrate.upgrade(url)
    engine = make_engine(url)
    # 16 request sessions plus the log writer's: more than the default pool of 5 + 10.
    engine.pool._max_overflow = 64  # type: ignore[attr-defined]
    database = Database(bind=engine)
    system = Actor.system("bench")
    with database.session() as session:
        orgs_factories.load_demo(session, system)
        resource = catalog_service.create_resource(
            session=session,
            actor=system,
            data=ResourceCreate(
                name="bench-audit",
                title_lv="bench-audit",
                owner="PMLP",
                access_rights=AccessRights.RESTRICTED,
                personal_data=True,
            ),
        )
        catalog_service.set_table_schema(
            session=session, actor=system, name=resource.name, schema=SCHEMA
        )
        user = vsaa_agreement(
            session, resource="bench-audit", fields=["id", "kods", "vards", "pasvaldiba"]
        )
        actor = auth_service.actor_for_user(user)
        session.expunge(resource)
    return database, resource, actor


def prefill(database: Any, entries: int) -> None:
    """``entries`` plausible data-access entries and their subjects, in bulk."""
    import hashlib
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import func, insert, select, update

    from dati.audit.models import AuditChainHead, AuditEntry, AuditSubject

    def digest(kind: str, n: int) -> str:
        return hashlib.sha256(f"{kind}{n}".encode()).hexdigest()

    with database.session() as session:  # setting up the agreement logged a few entries
        head = session.get(AuditChainHead, 1)
        first_id = (session.scalar(select(func.max(AuditEntry.id))) or 0) + 1
        first_seq = head.seq + 1
    last = first_seq + entries - 1
    start = datetime.now(UTC) - timedelta(days=30)
    chunk = 10_000
    for first in range(first_seq, last + 1, chunk):
        seqs = range(first, min(first + chunk, last + 1))
        with database.session() as session:
            session.execute(
                insert(AuditEntry),
                [
                    {
                        "id": n - first_seq + first_id,
                        "seq": n,
                        "at": start + timedelta(seconds=n),
                        "action": "data.read",
                        "actor_name": "VSAA API",
                        "actor_org_id": 1,
                        "provider_org_id": 2,
                        "agreement_id": "L-2026-0001",
                        "agreement_version": 1,
                        "resource": "bench-audit",
                        "resource_version": 1,
                        "fields": '["id","kods","pasvaldiba","vards"]',
                        "filter": f'{{"conditions":{{"pasvaldiba":["LV-RIX"]}},"request":{{"id":[{n}]}}}}',
                        "row_count": 1,
                        "subject_count": 1,
                        "subjects_digest": digest("d", n),
                        "detail": "",
                        "duration_us": 350,
                        "prev_hash": digest("e", n - 1),
                        "hash": digest("e", n),
                        "mac": digest("m", n),
                    }
                    for n in seqs
                ],
            )
            session.execute(
                insert(AuditSubject),
                [{"entry_id": n - first_seq + first_id, "subject": digest("s", n)} for n in seqs],
            )
    with database.session() as session:
        session.execute(
            update(AuditChainHead)
            .where(AuditChainHead.id == 1)
            .values(
                seq=last,
                hash=digest("e", last),
                checkpoint_seq=last,
                checkpoint_at=datetime.now(UTC),
            )
        )


def _grant(database: Any, resource: Any, actor: Any, session: Any, n: int) -> Any:
    from sqlalchemy.orm import Session

    from dati.exchange.agreements import gateway
    from dati.exchange.agreements.services import access

    assert isinstance(session, Session)
    return access.authorise(
        session=session,
        actor=actor,
        resource=resource,
        request=gateway.ReadRequest(
            fields=("id", "kods", "vards", "pasvaldiba"),
            filters=(gateway.Condition("id", "eq", (n,)),),
        ),
        secret=SECRET,
    )


# CPU seconds the log writer's thread spent in its transactions (the accesses' log work,
# SQLite's statements and the commit), less disturbed by the callers' threads than the total.
_writer_cpu = [0.0]


def count_writer_cpu() -> None:
    from dati.audit import batch

    execute = batch.LogWriter._execute

    def timed(self: Any, connection: Any, jobs: Any) -> Any:
        began = time.thread_time()
        try:
            return execute(self, connection, jobs)
        finally:
            _writer_cpu[0] += time.thread_time() - began

    batch.LogWriter._execute = timed  # type: ignore[method-assign]


def measure(run: Callable[[], None]) -> tuple[float, float, float]:
    """(CPU µs per access, accesses per second of wall time, the log writer's CPU µs per
    access) of one round."""
    cpu, wall, writer = time.process_time(), time.perf_counter(), _writer_cpu[0]
    run()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    writer = _writer_cpu[0] - writer
    return cpu / PER_ROUND * 1e6, PER_ROUND / wall, writer / PER_ROUND * 1e6


def threads(database: Any, resource: Any, actor: Any, callers: int, log: bool) -> None:
    from dati.exchange.agreements.services import access

    errors: list[BaseException] = []

    def work(first: int) -> None:
        try:
            for n in range(first, first + PER_ROUND // callers):
                with database.session() as session:
                    grant = _grant(database, resource, actor, session, n)
                    if log:
                        access.serve_rows(
                            session, grant, [row(n)], version=1, filters=None, secret=SECRET
                        )
        except BaseException as exc:  # noqa: BLE001 - raised below
            errors.append(exc)

    pool = [threading.Thread(target=work, args=(1 + i * PER_ROUND,)) for i in range(callers)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    if errors:
        raise errors[0]


def coroutines(database: Any, resource: Any, actor: Any, callers: int) -> None:
    from dati.exchange.agreements.services import access

    serve = getattr(access, "serve_rows_async", None)
    if serve is None:
        raise NotImplementedError

    async def work(first: int) -> None:
        for n in range(first, first + PER_ROUND // callers):
            with database.session() as session:
                grant = _grant(database, resource, actor, session, n)
                await serve(session, grant, [row(n)], version=1, filters=None, secret=SECRET)

    async def all_of_them() -> None:
        await asyncio.gather(*[work(1 + i * PER_ROUND) for i in range(callers)])

    asyncio.run(all_of_them())


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = (
            os.environ.get("DATI_BENCH_DATABASE_URL") or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        )
        database, resource, actor = prepare(url)
        entries = int(os.environ.get("DATI_BENCH_AUDIT_ENTRIES", "0"))
        if entries:
            began = time.perf_counter()
            prefill(database, entries)
            print(f"log filled with {entries} entries in {time.perf_counter() - began:.0f} s")
        print(f"database: {database.dialect}; load average {os.getloadavg()[0]:.2f}")
        cases: list[tuple[str, Callable[[], None]]] = [
            (
                "decide only (authorise), 1 thread",
                lambda: threads(database, resource, actor, 1, False),
            ),
            ("decide + log, 1 thread", lambda: threads(database, resource, actor, 1, True)),
            (
                "decide only (authorise), 16 threads",
                lambda: threads(database, resource, actor, 16, False),
            ),
            ("decide + log, 16 threads", lambda: threads(database, resource, actor, 16, True)),
            ("decide + log async, 1 coroutine", lambda: coroutines(database, resource, actor, 1)),
            (
                "decide + log async, 16 coroutines",
                lambda: coroutines(database, resource, actor, 16),
            ),
        ]
        count_writer_cpu()
        results: dict[str, list[tuple[float, float, float]]] = {}
        for _round in range(ROUNDS):  # interleaved, so the machine's changing load hits all alike
            for label, run in cases:
                try:
                    results.setdefault(label, []).append(measure(run))
                except NotImplementedError:
                    results.pop(label, None)
        for label, samples in results.items():
            cpu = statistics.median(c for c, _w, _l in samples)
            rate = statistics.median(w for _c, w, _l in samples)
            writer = statistics.median(lw for _c, _w, lw in samples)
            in_writer = f", log writer {writer:.0f} µs" if writer else ""
            print(
                f"{label}: CPU {cpu:.0f} µs per access{in_writer}, {rate:.0f} accesses/s (median of {len(samples)} rounds)"
            )
        for callers in ("1 thread", "16 threads"):
            decide = statistics.median(
                c for c, _w, _l in results[f"decide only (authorise), {callers}"]
            )
            logged = statistics.median(c for c, _w, _l in results[f"decide + log, {callers}"])
            print(f"logging alone, {callers}: {logged - decide:.0f} µs CPU per access")
        for callers in ("1 coroutine", "16 coroutines"):
            label = f"decide + log async, {callers}"
            if label in results:
                decide = statistics.median(
                    c for c, _w, _l in results["decide only (authorise), 1 thread"]
                )
                logged = statistics.median(c for c, _w, _l in results[label])
                print(f"logging alone, async {callers}: {logged - decide:.0f} µs CPU per access")
        database.dispose()
