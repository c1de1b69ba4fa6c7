"""Every monitoring route, called by every role: who succeeds and who is refused. Each call runs
in a savepoint rolled back after it, so one role's change never decides another's outcome.

Roles: anonymous (a citizen reading the public dashboard), a logged-in citizen, an auditor, a
data steward of EM (the lead institution for the cloud indicator), a steward of an institution
responsible for no indicator (VZD) and the platform administrator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from dati.auth import service as auth_service
from dati.auth.actor import Actor, Role
from dati.auth.schemas import TokenCreate
from dati.monitoring import service
from dati.monitoring.schemas import LoadResult
from dati.web.routes import all_routes
from tests.conftest import MakeUser, csrf_from

ANON, CITIZEN, AUDITOR, EM_STEWARD, VZD_STEWARD, ADMIN = (
    "anonymous", "citizen", "auditor", "em-steward", "vzd-steward", "admin",
)  # fmt: skip
ROLES = (ANON, CITIZEN, AUDITOR, EM_STEWARD, VZD_STEWARD, ADMIN)
EVERYONE = set(ROLES)
STEWARDS = {EM_STEWARD, VZD_STEWARD, ADMIN}  # may open the import page
RESPONSIBLE = {EM_STEWARD, ADMIN}  # may record values for the cloud indicator

CSV = "indicator_code,year,value,measured_on,source\ncloud,2025,40.5,2025-12-31,Eurostat\n"
VALUE = {"year": 2025, "value": 40.5, "measured_on": "2025-12-31", "source": "Eurostat"}


@dataclass(frozen=True)
class Case:
    method: str
    url: str
    allowed: set[str]
    json: Any = None
    form: dict[str, Any] | None = None
    upload: bool = False
    roles: tuple[str, ...] = ROLES  # who calls it (the PDF takes a second: once is enough)


CASES = [
    # pages: public reads
    Case("GET", "/monitoring", EVERYONE),
    Case("GET", "/monitoring/indicators/cloud", EVERYONE),
    Case("GET", "/monitoring/champion", EVERYONE),
    Case("GET", "/monitoring/champion/VZD", EVERYONE),
    Case("GET", "/monitoring/report", EVERYONE),
    Case("GET", "/monitoring/report.pdf?year=2025", EVERYONE, roles=(ANON,)),
    Case("GET", "/monitoring/values.csv", EVERYONE),
    Case("GET", "/monitoring/indicators.csv", EVERYONE),
    # pages: entry, import, refresh
    Case("POST", "/monitoring/indicators/cloud/values", RESPONSIBLE, form=VALUE),
    Case("GET", "/monitoring/import", STEWARDS),
    Case("POST", "/monitoring/import", RESPONSIBLE, upload=True),
    Case("POST", "/monitoring/refresh", {ADMIN}, form={}),
    # API: public reads
    Case("GET", "/api/v1/monitoring/indicators", EVERYONE),
    Case("GET", "/api/v1/monitoring/indicators/cloud", EVERYONE),
    Case("GET", "/api/v1/monitoring/indicators/cloud/values", EVERYONE),
    Case("GET", "/api/v1/monitoring/values.csv", EVERYONE),
    Case("GET", "/api/v1/monitoring/indicators.csv", EVERYONE),
    Case("GET", "/api/v1/monitoring/champion", EVERYONE),
    Case("GET", "/api/v1/monitoring/champion/VZD", EVERYONE),
    Case("GET", "/api/v1/monitoring/report", EVERYONE),
    # API: writes
    Case("POST", "/api/v1/monitoring/indicators/cloud/values", RESPONSIBLE, json=VALUE),
    Case("POST", "/api/v1/monitoring/values/import", RESPONSIBLE, upload=True),
    Case("POST", "/api/v1/monitoring/definitions", {ADMIN}),
    Case("POST", "/api/v1/monitoring/refresh?year=2025", {ADMIN}),
]


def test_every_monitoring_route_is_in_the_matrix(app: FastAPI) -> None:
    """A new route without a row here fails, so nobody adds one without deciding who may call it."""
    routes = {(r.method, r.path) for r in all_routes(app) if "/monitoring" in r.path}
    listed = {
        (c.method, c.url.split("?")[0].replace("/cloud", "/{code}").replace("/VZD", "/{org}"))
        for c in CASES
    }
    assert routes == listed


@pytest.fixture
def tokens(session: Session, make_user: MakeUser, indicators: LoadResult) -> dict[str, str]:
    grants = {
        AUDITOR: (Role.AUDITOR, "VKONTROLE"),
        EM_STEWARD: (Role.STEWARD, "EM"),
        VZD_STEWARD: (Role.STEWARD, "VZD"),
        ADMIN: (Role.ADMIN, None),
    }
    secrets = {}
    for role, (grant, org) in grants.items():
        actor = make_user(f"{role}-x", (grant, org))
        _row, secret = auth_service.create_token(
            session=session, actor=actor, data=TokenCreate(name="t", role=grant, org=org)
        )
        secrets[role] = secret
    service.refresh(session=session, actor=Actor.system("t"), year=2025)
    session.commit()
    return secrets


def _citizen_client(app: FastAPI) -> tuple[TestClient, str]:
    client = TestClient(app, raise_server_exceptions=False)
    token = csrf_from(client.get("/login").text)
    client.post("/login/citizen", data={"personal_code": "150385-11116", "csrf_token": token})
    return client, csrf_from(client.get("/").text)


def _body(case: Case) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if case.json is not None:
        kwargs["json"] = case.json
    if case.form is not None:
        kwargs["data"] = dict(case.form)
    if case.upload:
        kwargs["files"] = {"file": ("v.csv", CSV.encode(), "text/csv")}
    return kwargs


def _succeeded(response: Any) -> bool:
    if response.status_code >= 400:
        return False
    return not response.headers.get("location", "").startswith("/login")


def test_every_route_by_every_role(
    app: FastAPI, client: TestClient, connection: Connection, tokens: dict[str, str]
) -> None:
    citizen, citizen_csrf = _citizen_client(app)
    wrong: list[str] = []
    server_errors: list[str] = []
    for case in CASES:
        for role in case.roles:
            kwargs = _body(case)
            caller = client.request
            if role == CITIZEN:
                caller = citizen.request
                if case.method == "POST":
                    kwargs["headers"] = {"X-CSRF-Token": citizen_csrf}
            else:
                client.cookies.clear()
                if role != ANON:
                    kwargs["headers"] = {"Authorization": f"Bearer {tokens[role]}"}
                elif case.method == "POST" and not case.url.startswith("/api/"):
                    # An anonymous browser has a session cookie and the form's token.
                    kwargs["headers"] = {"X-CSRF-Token": csrf_from(client.get("/login").text)}
            savepoint = connection.begin_nested()
            try:
                response = caller(case.method, case.url, follow_redirects=False, **kwargs)
            finally:
                savepoint.rollback()
            if response.status_code >= 500:
                server_errors.append(f"{case.method} {case.url} as {role}: {response.status_code}")
            elif _succeeded(response) != (role in case.allowed):
                expected = "allowed" if role in case.allowed else "refused"
                wrong.append(
                    f"{case.method} {case.url} as {role}: expected {expected}, "
                    f"got {response.status_code} {response.text[:120]!r}"
                )
    assert not server_errors, "\n".join(server_errors)
    assert not wrong, "\n".join(wrong)
