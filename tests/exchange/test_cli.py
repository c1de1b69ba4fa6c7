"""`dati publish`: a file or a database table into a resource, with clear failures."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dati.auth.actor import Actor
from dati.catalog import service as catalog_service
from dati.catalog.models import AccessRights
from dati.catalog.schemas import ResourceCreate
from dati.cli import app
from dati.db import migrate
from dati.db.database import Database
from dati.orgs import factories as orgs_factories
from tests.exchange.conftest import PEOPLE_CSV, PEOPLE_SCHEMA

runner = CliRunner()


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from tests.conftest import fresh_database_url

    url = fresh_database_url(tmp_path, "exchange_cli")
    monkeypatch.setenv("DATI_DATABASE_URL", url)
    monkeypatch.setenv("DATI_DATA_DIR", str(tmp_path / "data"))
    migrate.upgrade(url)
    database = Database(url)
    with database.session() as session:
        actor = Actor.system("tests")
        orgs_factories.load_demo(session, actor)
        catalog_service.create_resource(
            session=session,
            actor=actor,
            data=ResourceCreate(
                name="iedzivotaji",
                title_lv="Iedzīvotāji",
                owner="VZD",
                access_rights=AccessRights.PUBLIC,
            ),
        )
        catalog_service.set_table_schema(
            session=session, actor=actor, name="iedzivotaji", schema=PEOPLE_SCHEMA
        )
    database.dispose()
    return tmp_path


def test_publish_a_file_then_a_database_table(cli_env: Path) -> None:
    csv_file = cli_env / "people.csv"
    csv_file.write_bytes(PEOPLE_CSV.replace(",", ";").encode("cp1257"))
    r = runner.invoke(app, ["publish", "iedzivotaji", str(csv_file)])
    assert r.exit_code == 0, r.output
    assert "version 1 published, 3 rows" in r.output
    db = cli_env / "source.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute(
            'CREATE TABLE people (id INTEGER, "vārds" TEXT, "dzimšanas_datums" TEXT, novads TEXT)'
        )
        conn.execute("INSERT INTO people VALUES (4, 'Dace', '2001-02-03', 'Rīga')")
    r = runner.invoke(
        app, ["publish", "iedzivotaji", f"sqlite:///{db}", "--table", "people", "--mode", "append"]
    )
    assert r.exit_code == 0, r.output
    assert "version 2 published, 4 rows" in r.output


def test_bad_file_fails_with_the_report_and_exit_code_1(cli_env: Path) -> None:
    bad = cli_env / "bad.csv"
    bad.write_text(PEOPLE_CSV + "x,Juris,,Rīga\n", encoding="utf-8")
    r = runner.invoke(app, ["publish", "iedzivotaji", str(bad)])
    assert r.exit_code == 1
    assert "1 of 4 rows" in r.output and "row 5, id: Not a whole number. ('x')" in r.output
    r = runner.invoke(app, ["publish", "iedzivotaji", str(bad), "--quarantine"])
    assert r.exit_code == 0 and "1 rows were refused" in r.output
