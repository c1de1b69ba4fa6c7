"""Engine and session factory for the metadata database (SQLite by default, PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin, so that
    # SAVEPOINTs work (the tests run inside a rolled-back outer transaction).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # WAL checkpoint every ~40 MB, not 4 MB: pages each audit append rewrites are copied 10x less.
    cursor.execute("PRAGMA wal_autocheckpoint=10000")
    cursor.close()


# SQLite: a transaction that read first cannot write once another connection has committed
# since its read ("database is locked" at once, whatever the busy timeout). Work that reads and
# then writes (a login, a form) sets this so its transaction takes the write lock up front and
# waits its turn instead.
begin_immediately: ContextVar[bool] = ContextVar("dati_begin_immediately", default=False)


def _sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if begin_immediately.get() else "BEGIN")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


class Database:
    """Owns the engine and hands out sessions. Tests bind it to one connection in a transaction."""

    def __init__(self, url: str | None = None, *, bind: Engine | Connection | None = None):
        if bind is None:
            if url is None:
                raise ValueError("Database needs a URL or a bind")
            bind = make_engine(url)
        self.bind = bind
        # create_savepoint lets code under test commit while the test's outer transaction
        # stays open and is rolled back afterwards.
        if isinstance(bind, Connection):
            self._factory = sessionmaker(
                bind=bind, expire_on_commit=False, join_transaction_mode="create_savepoint"
            )
        else:
            self._factory = sessionmaker(bind=bind, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.bind.dialect.name

    def new_session(self) -> Session:
        return self._factory()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on any exception."""
        session = self._factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def is_usable(self) -> bool:
        try:
            with self._factory() as session:
                session.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    def dispose(self) -> None:
        if isinstance(self.bind, Engine):
            self.bind.dispose()
