"""`dati readiness install | rounds | export` against a fresh database."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dati.auth.actor import Actor
from dati.cli import app
from dati.db.database import Database
from dati.readiness.schemas import RoundCreate
from dati.readiness.services import answers as answers_service
from dati.readiness.services import rounds as rounds_service
from tests.readiness.conftest import COMPLETE

runner = CliRunner()


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    from tests.conftest import fresh_database_url

    url = fresh_database_url(tmp_path, "readiness_cli")
    monkeypatch.setenv("DATI_DATABASE_URL", url)
    monkeypatch.setenv("DATI_DATA_DIR", str(tmp_path / "data"))
    return url


def test_install_list_and_export(cli_env: str, tmp_path: Path) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    first = runner.invoke(app, ["readiness", "install"])
    assert (
        first.exit_code == 0
        and "version 1 loaded" in first.output
        and "17 recommendations" in first.output
    )
    again = runner.invoke(app, ["readiness", "install"])
    assert "already present; 0 recommendations" in again.output
    imported = tmp_path / "orgs.csv"
    imported.write_text("short_name,name_lv,kind\nTESTA,Testa iestāde,agency\n", encoding="utf-8")
    assert runner.invoke(app, ["org", "import", str(imported)]).exit_code == 0
    db = Database(os.environ["DATI_DATABASE_URL"])
    system = Actor.system("tests")
    with db.session() as session:
        rnd = rounds_service.create_round(
            session=session,
            actor=system,
            data=RoundCreate(
                title_lv="CLI kārta",
                opens_on=date(2026, 1, 1),
                deadline=date(2026, 2, 1),
                institutions=["TESTA"],
            ),
        )
        answers_service.submit_assessment(
            session=session,
            actor=system,
            assessment_id=rnd.assessments[0].id,
            answers={**COMPLETE, "language_tools": "@SUM(A1)"},
        )
        round_id = rnd.id
    db.dispose()
    listed = runner.invoke(app, ["readiness", "rounds"])
    assert listed.exit_code == 0 and "CLI kārta" in listed.output
    out = tmp_path / "answers.csv"
    exported = runner.invoke(app, ["readiness", "export", str(round_id), "--output", str(out)])
    assert exported.exit_code == 0, exported.output
    text = out.read_text(encoding="utf-8-sig")
    assert "TESTA" in text and "'@SUM(A1)" in text
    missing = runner.invoke(app, ["readiness", "export", "999"])
    assert missing.exit_code == 1
