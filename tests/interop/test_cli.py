"""`dati harvest SOURCE --org SHORTNAME` and `dati harvest run-due`."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from dati.cli import app
from dati.interop import harvest_fetch

runner = CliRunner()
SOURCES = Path(__file__).resolve().parent / "data" / "sources"


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from tests.conftest import fresh_database_url

    monkeypatch.setenv("DATI_DATABASE_URL", fresh_database_url(tmp_path, "cli_harvest"))
    monkeypatch.setenv("DATI_DATA_DIR", str(tmp_path / "data"))
    assert runner.invoke(app, ["init"]).exit_code == 0
    orgs = tmp_path / "orgs.csv"
    orgs.write_text("short_name,name_lv,kind\nTESTA,Testa iestāde,agency\n", encoding="utf-8")
    assert runner.invoke(app, ["org", "import", str(orgs)]).exit_code == 0
    return tmp_path


def test_harvesting_a_file_twice_reports_created_then_unchanged(cli_env: Path) -> None:
    source = str(SOURCES / "geoportal.jsonld")
    first = runner.invoke(app, ["harvest", source, "--org", "TESTA"])
    assert first.exit_code == 0, first.output
    assert "│       1 │" in first.output  # one created
    second = runner.invoke(app, ["harvest", source, "--org", "TESTA"])
    assert second.exit_code == 0
    rows = [line for line in second.output.splitlines() if line.startswith("│")]
    assert rows[-1].split("│")[1:5] == ["       0 ", "       0 ", "         1 ", "      0 "]


def test_a_partly_bad_file_exits_3_and_prints_each_problem(cli_env: Path) -> None:
    result = runner.invoke(app, ["harvest", str(SOURCES / "real-world.ttl"), "--org", "TESTA"])
    assert result.exit_code == 3
    assert "title_lv" in result.output and "contact_email" in result.output


def test_unknown_institution_or_file_fails_clearly(cli_env: Path) -> None:
    result = runner.invoke(app, ["harvest", str(SOURCES / "geoportal.jsonld"), "--org", "NAV"])
    assert result.exit_code == 1 and "NAV" in result.output
    result = runner.invoke(app, ["harvest", str(cli_env / "nav.ttl"), "--org", "TESTA"])
    assert result.exit_code == 1 and "nav.ttl" in result.output


def test_a_url_on_the_operators_network_may_be_harvested_from_the_command_line(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        harvest_fetch,
        "TRANSPORT",
        httpx.MockTransport(
            lambda r: httpx.Response(200, content=(SOURCES / "geoportal.jsonld").read_bytes())
        ),
    )
    result = runner.invoke(
        app, ["harvest", "http://127.0.0.1:8000/catalog.jsonld", "--org", "TESTA"]
    )
    assert result.exit_code == 0, result.output


def test_run_due_with_nothing_due_succeeds(cli_env: Path) -> None:
    result = runner.invoke(app, ["harvest", "run-due"])
    assert result.exit_code == 0 and "0 source(s)" in result.output


def test_run_due_harvests_each_due_source_and_a_broken_one_does_not_stop_the_rest(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from dati.auth.actor import Actor
    from dati.db.database import Database
    from dati.interop import sources
    from dati.interop.schemas import HarvestSourceCreate

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "salauzts.example.lv":
            raise RuntimeError("a fault nobody foresaw")
        return httpx.Response(200, content=(SOURCES / "geoportal.jsonld").read_bytes())

    monkeypatch.setattr(harvest_fetch, "TRANSPORT", httpx.MockTransport(handler))
    monkeypatch.setattr(harvest_fetch, "resolve_host", lambda host, port: ["195.244.150.10"])
    database = Database(os.environ["DATI_DATABASE_URL"])
    with database.session() as session:
        for title, url in (
            ("Salauzts", "https://salauzts.example.lv/catalog.jsonld"),
            ("Ģeoportāls", "https://geo.example.lv/catalog.jsonld"),
        ):
            sources.create_source(
                session=session,
                actor=Actor.system("tests"),
                data=HarvestSourceCreate(title=title, url=url, org="TESTA"),
            )
    database.dispose()

    data_dir = str(cli_env / "data")
    result = runner.invoke(app, ["harvest", "run-due", "--data-dir", data_dir])
    assert result.exit_code == 1, result.output
    assert "2 source(s) harvested" in result.output
    assert "https://geo.example.lv/catalog.jsonld" in result.output
    assert "│       1 │" in result.output  # the good source created its dataset
    again = runner.invoke(app, ["harvest", "run-due", "--data-dir", data_dir])
    assert again.exit_code == 0 and "0 source(s) harvested" in again.output
