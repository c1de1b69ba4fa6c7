"""The log writer: concurrent requests of one process share transactions, every one is
committed and chained in the order it was submitted, and a failed transaction fails all of
its requests without writing any of them."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from dati.audit import batch, chain
from dati.audit.models import AuditEntry
from dati.audit.verify import verify_chain
from dati.db import migrate
from dati.db.database import Database, make_engine
from tests.audit.conftest import SECRET
from tests.conftest import fresh_database_url


@pytest.fixture
def own_database(tmp_path: Path) -> Iterator[Database]:
    """A database of its own, written by committed transactions (as in production)."""
    url = fresh_database_url(tmp_path, "audit_writer")
    migrate.upgrade(url)
    engine = make_engine(url)
    yield Database(bind=engine)
    engine.dispose()


def log(detail: str) -> batch.Work:
    def work(own: Session) -> int:
        return chain.append(own, chain.Event(action="data.read", detail=detail), secret=SECRET).seq

    return work


def details(database: Database) -> list[str]:
    with database.session() as s:
        return list(s.scalars(select(AuditEntry.detail).order_by(AuditEntry.seq)))


@pytest.mark.slow
def test_concurrent_callers_are_all_committed_and_chained_in_their_order(
    own_database: Database,
) -> None:
    errors: list[BaseException] = []
    seqs: dict[int, list[int]] = {}

    def caller(n: int) -> None:
        try:
            for i in range(8):
                with own_database.session() as request_session:
                    request_session.execute(text("SELECT 1"))  # a request has read first
                    seqs.setdefault(n, []).append(batch.run(request_session, log(f"{n}-{i}")))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=caller, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    # Every caller's accesses in the chain in the order it made them, none lost or doubled.
    assert sorted(s for mine in seqs.values() for s in mine) == list(range(1, 65))
    for n, mine in seqs.items():
        assert mine == sorted(mine)
        assert [d for d in details(own_database) if d.startswith(f"{n}-")] == [
            f"{n}-{i}" for i in range(8)
        ]
    with own_database.session() as s:
        report = verify_chain(s, secret=SECRET)
    assert report.ok and report.entries == 64


def test_an_error_fails_every_access_of_its_transaction_and_writes_none(
    own_database: Database,
) -> None:
    writer = batch.LogWriter(own_database.bind)
    running, release = threading.Event(), threading.Event()

    def first(own: Session) -> int:
        running.set()
        release.wait(10)  # holds the writer, so the next three queue up for one transaction
        return log("first")(own)

    def broken(own: Session) -> int:
        log("broken")(own)
        raise RuntimeError("disk on fire")

    held = writer.submit(first)
    assert running.wait(10)
    together = [writer.submit(log("a")), writer.submit(broken), writer.submit(log("c"))]
    release.set()
    assert held.result(10) == 1
    for future in together:
        with pytest.raises(RuntimeError, match="disk on fire"):
            future.result(10)
    assert details(own_database) == ["first"]  # nothing of the failed transaction
    # The writer carries on, and the chain still verifies.
    assert writer.submit(log("after")).result(10) == 2
    with own_database.session() as s:
        assert verify_chain(s, secret=SECRET).ok


def test_coroutines_await_the_writer_without_blocking_their_loop(own_database: Database) -> None:
    session = own_database.new_session()

    async def main() -> tuple[list[int], int]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0)

        running = asyncio.create_task(ticker())
        seqs = await asyncio.gather(*[batch.run_async(session, log(f"co-{i}")) for i in range(10)])
        running.cancel()
        return list(seqs), ticks

    seqs, ticks = asyncio.run(main())
    session.close()
    assert sorted(seqs) == list(range(1, 11)) and ticks > 0
    assert sorted(details(own_database)) == sorted(f"co-{i}" for i in range(10))


def test_a_coroutine_gets_the_transactions_error(own_database: Database) -> None:
    session = own_database.new_session()

    def broken(own: Session) -> int:
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        asyncio.run(batch.run_async(session, broken))
    session.close()
    assert details(own_database) == []


def test_the_writer_rereads_what_another_process_wrote(own_database: Database) -> None:
    """Two writers on one database stand for two app processes: each one's remembered head
    is stale once the other appended, so it reads the head again instead of forking the chain."""
    first, second = batch.LogWriter(own_database.bind), batch.LogWriter(own_database.bind)
    assert first.submit(log("1")).result(10) == 1
    assert second.submit(log("2")).result(10) == 2
    assert first.submit(log("3")).result(10) == 3
    with own_database.session() as s:
        assert verify_chain(s, secret=SECRET).ok


def test_a_writer_for_the_tests_connection_nests_in_its_transaction(session: Session) -> None:
    """Tests bind every session to one connection in a transaction that is rolled back: the
    writer uses that connection (a savepoint), so its entries are seen and then discarded."""
    bind = session.get_bind()
    assert not isinstance(bind, Engine)
    seq = batch.run(session, log("inside"))
    assert session.scalar(select(AuditEntry.detail).where(AuditEntry.seq == seq)) == "inside"
