"""Per-process caches of the few rows every data request reads (a resource, its current
version, a token's owner), kept for a moment and forgotten when this process changes them.

A ``HotCache`` keeps values for ``ttl`` seconds per database. When a session of this process
writes a row of one of its watched models, the cache is cleared at once and again when that
session commits (a request that read between the write and the commit may have cached the old
row), so a change made on this app node is seen by the next request; other processes and nodes
see it within ``ttl`` seconds (the rule of the agreements cache, ``exchange.agreements.context``).
Cached values must be plain data or detached objects: never instances of a request's session,
which its rollback would expire under the other requests using them.
"""

from __future__ import annotations

import itertools
import threading
import time
import weakref
from collections.abc import Hashable
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import ORMExecuteState, Session

V = TypeVar("V")

_FORGET = "dati.hot.forget"
_caches: list[HotCache[Any]] = []


class HotCache(Generic[V]):
    def __init__(self, *models: type, ttl: float, size: int = 4096):
        self.models = models
        self.tables = frozenset(getattr(m, "__table__").name for m in models)  # noqa: B009
        self.ttl = ttl
        self.size = size
        self._lock = threading.Lock()
        # Per database: tests bind each test to its own connection, and ids repeat.
        self._entries: weakref.WeakKeyDictionary[
            Engine | Connection, dict[Hashable, tuple[float, V]]
        ] = weakref.WeakKeyDictionary()
        _caches.append(self)

    def get(self, session: Session, key: Hashable) -> V | None:
        entries = self._entries.get(session.get_bind())
        hit = entries.get(key) if entries is not None else None
        if hit is None or time.monotonic() - hit[0] >= self.ttl:
            return None
        return hit[1]

    def put(self, session: Session, key: Hashable, value: V) -> None:
        with self._lock:
            entries = self._entries.setdefault(session.get_bind(), {})
            if len(entries) >= self.size:
                entries.clear()
            entries[key] = (time.monotonic(), value)

    def clear(self) -> None:
        with self._lock:
            for entries in self._entries.values():
                entries.clear()


def _written(session: Session, cache: HotCache[Any]) -> None:
    cache.clear()
    session.info.setdefault(_FORGET, set()).add(id(cache))


@event.listens_for(Session, "after_flush")
def _forget_flushed(session: Session, _context: Any) -> None:
    for cache in _caches:
        if any(
            isinstance(obj, cache.models)
            for obj in itertools.chain(session.new, session.dirty, session.deleted)
        ):
            _written(session, cache)


@event.listens_for(Session, "do_orm_execute")
def _forget_statement(state: ORMExecuteState) -> None:
    """Bulk UPDATE/DELETE/INSERT statements change rows the unit of work does not see."""
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(getattr(state.statement, "table", None), "name", None)
    for cache in _caches:
        if table in cache.tables:
            _written(state.session, cache)


@event.listens_for(Session, "after_commit")
def _forget_committed(session: Session) -> None:
    # A rolled-back write leaves its note until the next commit: one needless miss, no harm.
    changed = session.info.pop(_FORGET, None)
    if changed:
        for cache in _caches:
            if id(cache) in changed:
                cache.clear()
