"""The audit log's own migrations keep a written log intact, up and down."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text, update
from sqlalchemy.exc import IntegrityError

from dati.audit import chain
from dati.audit.models import AuditEntry, AuditSubject
from dati.audit.verify import verify_chain
from dati.db import migrate
from dati.db.database import Database
from tests.audit.conftest import SECRET
from tests.conftest import fresh_database_url


def _unique_hash(database: Database) -> bool:
    uniques = inspect(database.bind).get_unique_constraints("audit_entry")
    return any(u["column_names"] == ["hash"] for u in uniques)


def _subjects_have_rowid(database: Database) -> bool:
    if database.dialect != "sqlite":
        return True  # PostgreSQL has no tables without rowid (heaps): nothing changes there
    with database.session() as session:
        sql = session.scalar(
            text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'audit_subject'")
        )
    return "WITHOUT ROWID" not in str(sql)


def test_a_written_log_survives_the_cheaper_append_schema_and_back(tmp_path: Path) -> None:
    url = fresh_database_url(tmp_path, "audit_migrations")
    migrate.upgrade(url, target="audit@audit_0001")
    database = Database(url)
    with database.session() as session:
        for i in range(4):
            event = chain.Event(action="data.read", detail=str(i), subjects=("150385-11116",))
            chain.append(session, event, secret=SECRET)
    assert _unique_hash(database) and _subjects_have_rowid(database)

    migrate.upgrade(url)
    assert not _unique_hash(database)
    assert database.dialect != "sqlite" or not _subjects_have_rowid(database)
    with database.session() as session:
        report = verify_chain(session, secret=SECRET)
        assert report.ok and report.entries == 4
        assert len(session.scalars(select(AuditSubject)).all()) == 4
        # Appending still works on the rebuilt tables.
        chain.append(
            session, chain.Event(action="data.read", subjects=("010101-10006",)), secret=SECRET
        )
    with database.session() as session:
        assert verify_chain(session, secret=SECRET).ok

    migrate.downgrade(url, target="audit@audit_0001")
    assert _unique_hash(database) and _subjects_have_rowid(database)
    with database.session() as session:
        report = verify_chain(session, secret=SECRET)
        assert report.ok and report.entries == 5
        assert len(session.scalars(select(AuditSubject)).all()) == 5
    with pytest.raises(IntegrityError), database.session() as session:
        first = session.scalars(select(AuditEntry.hash).where(AuditEntry.seq == 1)).one()
        session.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(hash=first))
    database.dispose()
