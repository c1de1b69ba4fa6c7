"""Group commit for data-access logging: the requests of one app process that log at the same
moment share one transaction (one head lock, one head update, one commit), instead of queueing
on the database's write lock one by one.

Leader and followers, no background thread: the first request to arrive runs the transaction
for every request queued by then, in its own thread; the others wait for its commit and get
their own result (or error). Then leadership passes to the next waiting request, if any. A lone
request simply runs its own transaction. Each request still returns only after the commit that
logged it, and app processes on other nodes still serialise on the chain-head lock.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from dati.audit.chain import write_transaction

Work = Callable[[Session], Any]


@dataclass
class _Job:
    work: Work
    wake: threading.Event = field(default_factory=threading.Event)
    finished: bool = False
    promoted: bool = False
    result: Any = None
    error: BaseException | None = None

    def outcome(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.result


# When the previous batch was shared, the next leader waits this long for more requests: under
# load a millisecond buys far fewer transactions; a lone request never waits.
COMMIT_DELAY = 0.001


class GroupCommit:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: list[_Job] = []
        self._busy = False
        self._last_size = 1

    def run(self, session: Session, work: Work) -> Any:
        """``work(own)`` inside a write transaction shared with concurrent callers; its result."""
        job = _Job(work)
        with self._lock:
            self._queue.append(job)
            leading = not self._busy
            self._busy = True
        if not leading:
            job.wake.wait()
            if not job.promoted:
                return job.outcome()
        if self._last_size > 1:
            time.sleep(COMMIT_DELAY)
        with self._lock:
            batch, self._queue = self._queue, []
            self._last_size = len(batch)
        try:
            self._execute(session, batch)
        finally:
            with self._lock:
                if self._queue:
                    successor = self._queue[0]
                    successor.promoted = True
                    successor.wake.set()
                else:
                    self._busy = False
        return job.outcome()

    @staticmethod
    def _execute(session: Session, batch: list[_Job]) -> None:
        try:
            with write_transaction(session) as own:
                for job in batch:
                    job.result = job.work(own)
        except BaseException as exc:  # the transaction failed: nobody in it was logged
            for job in batch:
                job.error = job.error or exc
        for job in batch:
            job.finished = True
            job.wake.set()


_committers: weakref.WeakKeyDictionary[Engine | Connection, GroupCommit] = (
    weakref.WeakKeyDictionary()
)
_committers_lock = threading.Lock()


def run(session: Session, work: Work) -> Any:
    """Run ``work`` in the group-commit transaction of the session's database."""
    bind = session.get_bind()
    with _committers_lock:
        committer = _committers.get(bind)
        if committer is None:
            committer = _committers[bind] = GroupCommit()
    return committer.run(session, work)
