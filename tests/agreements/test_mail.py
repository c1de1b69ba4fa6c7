"""E-mail follows in-app notifications only when SMTP is configured, and never twice."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from dati.auth import service as auth_service
from dati.auth.actor import Actor, Role
from dati.auth.models import User
from dati.auth.schemas import TokenCreate
from dati.catalog.models import Resource
from dati.config import Settings
from dati.db.database import Database
from dati.exchange.agreements import mail
from dati.web.app import create_app
from tests.agreements.conftest import People, request_data


class FakeSMTP:
    sent: list[EmailMessage] = []
    logins: list[tuple[str, str]] = []

    def __init__(self, host: str, port: int, timeout: float = 0) -> None:
        self.host, self.port = host, port

    def ehlo(self) -> None: ...

    def has_extn(self, name: str) -> bool:
        return False

    def login(self, user: str, password: str) -> None:
        FakeSMTP.logins.append((user, password))

    def send_message(self, message: EmailMessage) -> None:
        FakeSMTP.sent.append(message)

    def quit(self) -> None: ...


@pytest.fixture
def fake_smtp(monkeypatch: pytest.MonkeyPatch) -> type[FakeSMTP]:
    FakeSMTP.sent, FakeSMTP.logins = [], []
    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    return FakeSMTP


def _submit(client: TestClient, session: Session, people: People, population: Resource) -> Any:
    _token, secret = auth_service.issue_token_for(
        session=session,
        actor=Actor.system("t"),
        username="vsaa-api",
        data=TokenCreate(name="t", role=Role.RECIPIENT, org="VSAA"),
    )
    session.execute(
        update(User).where(User.username == "pmlp-steward").values(email="steward@pmlp.example.lv")
    )
    session.commit()
    body = request_data(population).model_dump(mode="json")
    return client.post(
        "/api/v1/access-requests", json=body, headers={"Authorization": f"Bearer {secret}"}
    )


def test_notifications_are_mailed_when_smtp_is_configured(
    settings: Settings,
    db: Database,
    session: Session,
    population: Resource,
    people: People,
    fake_smtp: type[FakeSMTP],
) -> None:
    app = create_app(
        settings.model_copy(
            update={
                "smtp_url": "smtp://dati:s%C4%93kla@mail.example.lv:587?from=dati@vdaa.example.lv"
            }
        ),
        database=db,
    )
    with TestClient(app) as client:
        response = _submit(client, session, people, population)
    assert response.status_code == 201, response.text
    (message,) = fake_smtp.sent
    assert message["To"] == "steward@pmlp.example.lv" and message["From"] == "dati@vdaa.example.lv"
    assert (
        response.json()["number"] in message["Subject"]
        and "/access-requests/" in message.get_content()
    )
    assert fake_smtp.logins == [("dati", "sēkla")]
    assert mail.send_pending(db, "smtp://mail.example.lv", "http://x") == 0  # already mailed


def test_without_smtp_nothing_is_mailed(
    client: TestClient,
    session: Session,
    population: Resource,
    people: People,
    fake_smtp: type[FakeSMTP],
) -> None:
    assert _submit(client, session, people, population).status_code == 201
    assert fake_smtp.sent == []


def test_a_bad_smtp_url_is_explained() -> None:
    with pytest.raises(ValueError, match="smtp://"):
        mail.parse_smtp_url("http://mail.example.lv")
