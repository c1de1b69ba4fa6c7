"""Group commit for data-access logging: one writer thread per database runs the log writes
of every request of this app process in shared transactions (one head lock, one head update,
one commit per batch), instead of each request queueing on the database's write lock.

A request submits its work and waits for the future it gets back: ``run`` blocks its thread,
``run_async`` awaits it without blocking the event loop (no thread-pool hop; the writer wakes
each loop once per batch). The writer takes everything queued, runs it in one transaction and
resolves every future after the commit, so each request still returns only after the commit
that logged it. An error fails every job of that transaction (nothing of it was written). App
processes on other nodes still serialise on the chain-head lock.

The writer keeps one connection while it has work and exits after ``IDLE_SECONDS`` without
any. It also remembers the head it last committed (``chain.Known``): while nobody else has
moved the head since, the values it wrote under the lock are still current and need not be
read again.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import os
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from dati.audit import chain

Work = Callable[[Session], Any]

IDLE_SECONDS = 2.0
# When the previous batch was shared, the writer waits this long for more requests: under
# load a fraction of a millisecond buys far fewer transactions; a lone request never waits.
COMMIT_DELAY = 0.0005


@dataclass
class _Job:
    work: Work
    # The submitter's context (language, settings): the work runs as if in its own thread.
    context: contextvars.Context
    future: Future[Any] | None = None  # a thread waits on this ...
    waiter: asyncio.Future[Any] | None = None  # ... or a coroutine on this, in its loop
    loop: asyncio.AbstractEventLoop | None = None

    def taken(self) -> bool:
        """False for a caller that gave up waiting (a cancelled request): it is not logged and
        returns no rows. A thread's job can no longer be cancelled once taken; a coroutine
        cancelled later was logged and returns nothing, which is safe too."""
        if self.future is not None:
            return self.future.set_running_or_notify_cancel()
        assert self.waiter is not None
        return not self.waiter.cancelled()


def _settle(jobs: list[tuple[asyncio.Future[Any], Any, BaseException | None]]) -> None:
    """In a coroutine's event loop: hand each its result (one call per loop and batch)."""
    for waiter, result, error in jobs:
        if waiter.done():
            continue
        if error is not None:
            waiter.set_exception(error)
        else:
            waiter.set_result(result)


class LogWriter:
    """The writer thread of one database (an engine, or the tests' connection)."""

    def __init__(self, bind: Engine | Connection) -> None:
        # Weak, so that a writer kept in the registry never keeps its database alive.
        self._bind = weakref.ref(bind)
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._queue: list[_Job] = []
        self._thread: threading.Thread | None = None
        self._known = chain.Known()

    def submit(self, work: Work) -> Future[Any]:
        """Queue ``work`` for a waiting thread."""
        future: Future[Any] = Future()
        self._queue_job(_Job(work, contextvars.copy_context(), future=future))
        return future

    def submit_async(self, work: Work) -> asyncio.Future[Any]:
        """Queue ``work`` for a coroutine of the running event loop."""
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        self._queue_job(_Job(work, contextvars.copy_context(), waiter=waiter, loop=loop))
        return waiter

    def _queue_job(self, job: _Job) -> None:
        with self._lock:
            self._queue.append(job)
            if self._thread is None:
                self._start()
            elif len(self._queue) == 1:
                self._wake.notify()

    def _start(self) -> None:
        self._thread = threading.Thread(target=self._serve, name="dati-audit-writer", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        connection: Connection | None = None
        last_size = 1
        try:
            while True:
                with self._lock:
                    if not self._queue:
                        self._wake.wait(IDLE_SECONDS)
                    if not self._queue:
                        self._thread = None
                        return
                if last_size > 1:
                    time.sleep(COMMIT_DELAY)
                with self._lock:
                    jobs, self._queue = self._queue, []
                jobs = [job for job in jobs if job.taken()]
                last_size = len(jobs)
                if jobs:
                    connection = self._execute(connection, jobs)
        finally:
            bind = self._bind()
            if connection is not None and connection is not bind:
                connection.close()
            with self._lock:  # ended by a bug: the next submission starts a new writer
                if self._thread is threading.current_thread():
                    self._thread = None
                    if self._queue:
                        self._start()

    def _execute(self, connection: Connection | None, jobs: list[_Job]) -> Connection | None:
        """One transaction for ``jobs``; returns the connection to keep for the next batch."""
        bind = self._bind()
        if bind is None:  # the database is gone: nobody can be logged
            _resolve(jobs, [], RuntimeError("the audit log's database was closed"))
            return None
        if connection is None:
            connection = bind if isinstance(bind, Connection) else bind.connect()
        results = []
        try:
            with chain.write_transaction(connection, known=self._known, database=bind) as own:
                for job in jobs:
                    results.append(job.context.run(job.work, own))
        except BaseException as exc:  # noqa: BLE001 - the transaction failed: nobody in it
            # was logged, and each caller gets the error (the writer itself carries on)
            _resolve(jobs, [], exc)
            if connection is not bind:  # perhaps broken: the next batch takes a new one
                connection.close()
                connection = None
            return connection
        _resolve(jobs, results, None)
        return connection


def _resolve(jobs: list[_Job], results: list[Any], error: BaseException | None) -> None:
    """Wake every caller of a finished batch: threads one by one, coroutines with one call
    into each event loop."""
    settle: dict[asyncio.AbstractEventLoop, list[Any]] = {}
    for i, job in enumerate(jobs):
        result = None if error is not None else results[i]
        if job.future is not None:
            if error is not None:
                job.future.set_exception(error)
            else:
                job.future.set_result(result)
        elif job.loop is not None:
            settle.setdefault(job.loop, []).append((job.waiter, result, error))
    for loop, waiting in settle.items():
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
            loop.call_soon_threadsafe(_settle, waiting)


_writers: weakref.WeakKeyDictionary[Engine | Connection, LogWriter] = weakref.WeakKeyDictionary()
_writers_lock = threading.Lock()
# A forked worker (gunicorn --preload) has none of its parent's threads: it starts its own.
os.register_at_fork(after_in_child=_writers.clear)


def writer(session: Session) -> LogWriter:
    """The log writer of the session's database."""
    bind = session.get_bind()
    found = _writers.get(bind)
    if found is None:
        with _writers_lock:
            found = _writers.get(bind)
            if found is None:
                found = _writers[bind] = LogWriter(bind)
    return found


def run(session: Session, work: Work) -> Any:
    """Run ``work(own)`` in a shared write transaction of the session's database; its result,
    after the commit (or the transaction's error)."""
    return writer(session).submit(work).result()


async def run_async(session: Session, work: Work) -> Any:
    """``run`` for a coroutine: the event loop keeps serving others while the writer works."""
    return await writer(session).submit_async(work)
