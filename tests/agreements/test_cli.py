"""`dati agreement verify|export|expire|send-emails` and `dati key create|rotate|list`."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from dati import clock
from dati.auth import service as auth_service
from dati.auth.actor import Actor, Role
from dati.auth.schemas import UserCreate
from dati.catalog import service as catalog_service
from dati.catalog.models import AccessRights
from dati.catalog.schemas import ResourceCreate
from dati.cli import app
from dati.config import load_settings
from dati.db import migrate
from dati.db.database import Database
from dati.exchange.agreements import document
from dati.exchange.agreements.services import agreements, keys, requests
from dati.orgs import factories as orgs_factories
from tests.agreements.conftest import (
    POPULATION_SCHEMA,
    RIGA_ONLY,
    MakeAgreement,
    People,
    request_data,
)

runner = CliRunner()
SYSTEM = Actor.system("tests")


def test_verify_a_file_offline(
    tmp_path: Path, session: Session, make_agreement: MakeAgreement, people: People
) -> None:
    agreement = make_agreement()
    exported = agreements.export_signed(
        session=session, actor=people.auditor, number=agreement.number
    )
    good = tmp_path / "good.signed.json"
    good.write_text(document.export_text(exported), encoding="utf-8")
    result = runner.invoke(app, ["agreement", "verify", str(good)])
    assert result.exit_code == 0 and "VALID" in result.output and "PMLP" in result.output
    published = tmp_path / "keys.json"
    published.write_text(
        json.dumps([{"org": o, "fingerprint": f} for f, o in keys.published_keys(session).items()])
    )
    assert (
        runner.invoke(app, ["agreement", "verify", str(good), "--keys", str(published)]).exit_code
        == 0
    )
    exported["document"]["purpose"] = "Kaut kas cits"
    bad = tmp_path / "bad.signed.json"
    bad.write_text(json.dumps(exported), encoding="utf-8")
    refused = runner.invoke(app, ["agreement", "verify", str(bad)])
    assert refused.exit_code == 1 and "NOT VALID" in refused.output
    (tmp_path / "junk.json").write_text("{not json", encoding="utf-8")
    assert runner.invoke(app, ["agreement", "verify", str(tmp_path / "junk.json")]).exit_code == 2


@pytest.fixture
def data_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Database, str]:
    """A data directory with organisations, PMLP's population resource and an agreement."""
    from tests.conftest import fresh_database_url

    url = fresh_database_url(tmp_path, "agreements_cli")
    monkeypatch.setenv("DATI_DATABASE_URL", url)
    monkeypatch.setenv("DATI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATI_SECRET_KEY", raising=False)
    migrate.upgrade(url)
    secret = load_settings().effective_secret_key
    database = Database(url)
    with database.session() as session:
        orgs_factories.load_demo(session, SYSTEM)
        resource = catalog_service.create_resource(
            session=session,
            actor=SYSTEM,
            data=ResourceCreate(
                name="iedzivotaji",
                title_lv="Iedzīvotāji",
                owner="PMLP",
                access_rights=AccessRights.NON_PUBLIC,
                personal_data=True,
            ),
        )
        catalog_service.set_table_schema(
            session=session, actor=SYSTEM, name=resource.name, schema=POPULATION_SCHEMA
        )
        created = auth_service.create_user(
            session=session,
            actor=SYSTEM,
            data=UserCreate(username="vsaa-api", display_name="API", password="x" * 12),
        )
        auth_service.grant_role(
            session=session, actor=SYSTEM, username="vsaa-api", role=Role.RECIPIENT, org="VSAA"
        )
        session.refresh(created)
        user = auth_service.actor_for_user(created)
        request = requests.submit_request(
            session=session,
            actor=user,
            data=request_data(resource, valid_until=clock.today() + timedelta(days=2)),
            secret=secret,
        )
        requests.approve_request(
            session=session, actor=SYSTEM, number=request.number, terms=RIGA_ONLY, secret=secret
        )
    return database, secret


def test_keys_export_and_expiry(
    data_env: tuple[Database, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database, secret = data_env
    assert "signing key" in runner.invoke(app, ["key", "create", "PMLP"]).output
    assert runner.invoke(app, ["key", "create", "PMLP"]).exit_code == 1  # already has one
    assert runner.invoke(app, ["key", "create", "VSAA"]).exit_code == 0
    assert runner.invoke(app, ["key", "rotate", "VSAA"]).exit_code == 0
    listed = json.loads(runner.invoke(app, ["key", "list", "VSAA", "--json"]).output)
    assert len(listed) == 2 and listed[0]["retired_at"] is None and listed[1]["retired_at"]
    with database.session() as session:
        (agreement,) = agreements.list_agreements(session=session, actor=SYSTEM)
        for _party in ("provider", "recipient"):
            agreement = agreements.sign_agreement(
                session=session,
                actor=SYSTEM,
                number=agreement.number,
                version=1,
                document_sha256=agreement.document_sha256,
                secret=secret,
            )
        number = agreement.number
    out = tmp_path / "export.signed.json"
    assert runner.invoke(app, ["agreement", "export", number, "--out", str(out)]).exit_code == 0
    assert runner.invoke(app, ["agreement", "verify", str(out)]).exit_code == 0
    assert runner.invoke(app, ["agreement", "export", "EV-1999-00001"]).exit_code == 1
    assert "0 expired" in runner.invoke(app, ["agreement", "expire"]).output
    later = clock.now() + timedelta(days=5)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert f"1 expired: {number} v1" in runner.invoke(app, ["agreement", "expire"]).output
    assert runner.invoke(app, ["agreement", "send-emails"]).exit_code == 2  # no SMTP configured
