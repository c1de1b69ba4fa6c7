"""Migrations: an empty database upgrades to all heads, matches the models, and downgrades to base."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from dati.db import migrate
from dati.db.all_models import metadata
from dati.db.database import make_engine
from tests.conftest import fresh_database_url


def test_upgrade_matches_models_and_downgrade_is_clean(tmp_path: Path) -> None:
    url = fresh_database_url(tmp_path, "migrations")
    migrate.upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": False}), metadata
        )
    assert diff == [], f"models and migrations differ: {diff}"
    assert "organisation" in inspect(engine).get_table_names()
    migrate.downgrade(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(url)  # and up again
    engine.dispose()
