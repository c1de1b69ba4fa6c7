"""`dati monitoring ...` commands on a fresh data directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dati.cli import app

runner = CliRunner()


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from tests.conftest import fresh_database_url

    monkeypatch.setenv("DATI_DATABASE_URL", fresh_database_url(tmp_path, "monitoring_cli"))
    monkeypatch.setenv("DATI_DATA_DIR", str(tmp_path / "data"))
    assert runner.invoke(app, ["init"]).exit_code == 0
    return tmp_path


def test_refresh_load_import_export_report(cli_env: Path) -> None:
    r = runner.invoke(
        app, ["monitoring", "refresh", "--data-dir", str(cli_env / "data"), "--year", "2025"]
    )
    assert r.exit_code == 0, r.output
    assert "year 2025" in r.output and "not yet measured: virsis_metadata_described" in r.output
    r = runner.invoke(app, ["monitoring", "load"])
    assert r.exit_code == 0 and "0 created, 0 updated, 38 unchanged" in r.output

    values = cli_env / "values.csv"
    values.write_text(
        'indicator_code,year,value,measured_on,source\ncloud,2025,"40,5",2025-12-31,Eurostat\n',
        encoding="utf-8",
    )
    r = runner.invoke(app, ["monitoring", "import", str(values)])
    assert r.exit_code == 0 and "1 values imported" in r.output

    out = cli_env / "export.csv"
    assert runner.invoke(app, ["monitoring", "export", str(out)]).exit_code == 0
    assert "cloud,2025,40.5," in out.read_text(encoding="utf-8-sig")

    pdf = cli_env / "report.pdf"
    r = runner.invoke(app, ["monitoring", "report", str(pdf), "--year", "2025", "--lang", "en"])
    assert r.exit_code == 0, r.output
    assert pdf.read_bytes().startswith(b"%PDF") and b"/Lang (en)" in pdf.read_bytes()


def test_a_bad_import_reports_rows_and_fails(cli_env: Path) -> None:
    runner.invoke(app, ["monitoring", "load"])
    bad = cli_env / "bad.csv"
    bad.write_text(
        "indicator_code,year,value,measured_on,source\nnope,2025,1,2025-12-31,x\n", encoding="utf-8"
    )
    r = runner.invoke(app, ["monitoring", "import", str(bad)])
    assert r.exit_code == 1 and "nope" in r.output
    latin = cli_env / "latin.csv"
    latin.write_bytes("indicator_code\nā".encode("cp1257"))
    assert runner.invoke(app, ["monitoring", "import", str(latin)]).exit_code == 1


def test_report_refuses_an_unknown_language(cli_env: Path) -> None:
    r = runner.invoke(app, ["monitoring", "report", str(cli_env / "x.pdf"), "--lang", "de"])
    assert r.exit_code == 2
