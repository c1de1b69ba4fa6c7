"""`dati audit verify|checkpoint|public-keys` against a real data directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import delete, update
from typer.testing import CliRunner

from dati.audit import chain
from dati.audit.models import AuditEntry
from dati.cli import app
from dati.config import load_settings
from dati.db.database import Database

runner = CliRunner()


@pytest.fixture
def data_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    from tests.conftest import fresh_database_url

    url = fresh_database_url(tmp_path, "audit_cli")
    monkeypatch.setenv("DATI_DATABASE_URL", url)
    monkeypatch.setenv("DATI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATI_SECRET_KEY", raising=False)
    assert runner.invoke(app, ["init"]).exit_code == 0
    secret = load_settings().effective_secret_key  # the one `init` kept in the data dir
    database = Database(url)
    with database.session() as session:
        for i in range(5):
            chain.append(session, chain.Event(action="data.read", detail=str(i)), secret=secret)
    return database


def test_verify_passes_on_an_untouched_log(data_env: Database) -> None:
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "OK: 5 entries" in result.output


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (update(AuditEntry).where(AuditEntry.seq == 2).values(detail="x"), "[modified] "),
        (delete(AuditEntry).where(AuditEntry.seq == 3), "[missing] "),
    ],
    ids=["modified", "deleted"],
)
def test_verify_fails_and_says_where(data_env: Database, tamper: object, expected: str) -> None:
    with data_env.session() as session:
        session.execute(tamper)  # type: ignore[call-overload]
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert expected in result.output and "#" in result.output


def test_checkpoint_and_trusted_keys(data_env: Database, tmp_path: Path) -> None:
    with data_env.session() as session:
        chain.append(
            session, chain.Event(action="data.read"), secret=load_settings().effective_secret_key
        )
    assert "checkpoint signed at #6" in runner.invoke(app, ["audit", "checkpoint"]).output
    assert "nothing new" in runner.invoke(app, ["audit", "checkpoint"]).output
    keys = runner.invoke(app, ["audit", "public-keys"])
    published = json.loads(keys.output)
    assert len(published) == 1 and len(published[0]["fingerprint"]) == 64
    trusted = tmp_path / "trusted.json"
    trusted.write_text(keys.output, encoding="utf-8")
    assert runner.invoke(app, ["audit", "verify", "--trusted-keys", str(trusted)]).exit_code == 0
    trusted.write_text(json.dumps([{"fingerprint": "0" * 64}]), encoding="utf-8")
    refused = runner.invoke(app, ["audit", "verify", "--trusted-keys", str(trusted)])
    assert refused.exit_code == 1 and "[key]" in refused.output
