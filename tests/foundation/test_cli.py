"""The command-line contract: init, demo, user create, token create, org import."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dati.cli import app

runner = CliRunner()


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from tests.conftest import fresh_database_url

    url = fresh_database_url(tmp_path, "cli")
    monkeypatch.setenv("DATI_DATABASE_URL", url)
    monkeypatch.setenv("DATI_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def test_init_user_token_and_org_import(cli_env: Path) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    imported = cli_env / "orgs.csv"
    imported.write_text("short_name,name_lv,kind\nTESTA,Testa iestāde,agency\n", encoding="utf-8")
    r = runner.invoke(app, ["org", "import", str(imported)])
    assert r.exit_code == 0 and "1 created" in r.output
    r = runner.invoke(app, ["user", "create", "etl-bot", "--role", "publisher@TESTA"])
    assert r.exit_code == 0 and "password:" in r.output
    r = runner.invoke(app, ["token", "create", "etl-bot", "--role", "publisher@TESTA"])
    assert r.exit_code == 0 and r.output.strip().startswith("dati_")


def test_demo_is_repeatable(cli_env: Path) -> None:
    first = runner.invoke(app, ["demo"])
    assert first.exit_code == 0, first.output
    assert "dati-demo-2026" in first.output
    second = runner.invoke(app, ["demo"])
    assert second.exit_code == 0, second.output


def test_bad_setting_stops_with_its_name(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATI_DEFAULT_LANGUAGE", "xx")
    r = runner.invoke(app, ["init"])
    assert r.exit_code == 2 and "DATI_DEFAULT_LANGUAGE" in r.output


def test_user_create_reports_unknown_role_org(cli_env: Path) -> None:
    runner.invoke(app, ["init"])
    r = runner.invoke(app, ["user", "create", "someone", "--role", "steward@NOPE"])
    assert r.exit_code == 1 and "NOPE" in r.output
