"""Every route of access requests, agreements, keys, notifications and the audit log, called by
every role: who succeeds and who is refused. Each call runs in a savepoint rolled back after it,
so one role's change never decides another's outcome.

Roles: anonymous, a citizen, VSAA's API consumer (recipient), VSAA's signatory, PMLP's steward
and signatory (PMLP provides the data), an auditor, a steward of an unrelated institution (VZD)
and the platform administrator.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from dati.auth import service as auth_service
from dati.auth.actor import Actor, Role
from dati.auth.schemas import TokenCreate
from dati.catalog.models import Resource
from dati.config import Settings
from dati.exchange import service as exchange_service
from dati.exchange.agreements.services import agreements, changes
from dati.exchange.service import SourceSpec
from tests.agreements.conftest import SECRET, MakeAgreement, MakeRequest, People, request_data
from tests.conftest import MakeUser, csrf_from

ANON, CITIZEN, RECIPIENT, VSAA_SIGN = "anonymous", "citizen", "recipient", "vsaa-signatory"
PMLP_STEW, PMLP_SIGN, AUDITOR, OUTSIDER, ADMIN = (
    "pmlp-steward", "pmlp-signatory", "auditor", "outsider", "admin",
)  # fmt: skip
ROLES = (ANON, CITIZEN, RECIPIENT, VSAA_SIGN, PMLP_STEW, PMLP_SIGN, AUDITOR, OUTSIDER, ADMIN)
EVERYONE = set(ROLES)
LOGGED_IN = EVERYONE - {ANON}
PARTY = {RECIPIENT, VSAA_SIGN, PMLP_STEW, PMLP_SIGN, AUDITOR, ADMIN}
LOG_READERS = {VSAA_SIGN, PMLP_STEW, PMLP_SIGN, AUDITOR, OUTSIDER, ADMIN}
TIMES = {RECIPIENT, VSAA_SIGN, PMLP_STEW, PMLP_SIGN, AUDITOR, OUTSIDER, ADMIN}
PROVIDER_STEWARD = {PMLP_STEW, ADMIN}
PROVIDER_MANAGERS = {PMLP_STEW, PMLP_SIGN, ADMIN}
PMLP_SIGNATORY = {PMLP_SIGN, ADMIN}
SIGNATORIES = {PMLP_SIGN, VSAA_SIGN, ADMIN}
REQUESTER = {RECIPIENT, ADMIN}


@dataclass(frozen=True)
class Case:
    method: str
    url: str  # {request}, {active}, {pending}, {suspended} are filled in
    allowed: set[str]
    json: Any = None
    form: dict[str, Any] | None = None
    upload: bool = False


def reason() -> dict[str, str]:
    return {"reason": "Pārbaudes iemesls"}


CASES = [
    # access requests: API
    Case("GET", "/api/v1/access-requests", LOGGED_IN),
    Case("POST", "/api/v1/access-requests", REQUESTER, json="new-request"),
    Case("GET", "/api/v1/access-requests/{request}", PARTY),
    Case("POST", "/api/v1/access-requests/{request}/approval", PROVIDER_STEWARD, json={}),
    Case("POST", "/api/v1/access-requests/{request}/rejection", PROVIDER_STEWARD, json=reason()),
    Case("POST", "/api/v1/access-requests/{request}/withdrawal", REQUESTER),
    # access requests: pages
    Case("GET", "/access-requests", LOGGED_IN),
    Case("GET", "/access-requests/new", LOGGED_IN),
    Case("POST", "/access-requests/new", REQUESTER, form={"new-request": True}),
    Case("GET", "/access-requests/{request}", PARTY),
    Case("POST", "/access-requests/{request}/approve", PROVIDER_STEWARD, form={}),
    Case("POST", "/access-requests/{request}/reject", PROVIDER_STEWARD, form=reason()),
    Case("POST", "/access-requests/{request}/withdraw", REQUESTER, form={}),
    # keys, notifications, verification
    Case("GET", "/api/v1/agreements/keys/PMLP", EVERYONE),
    Case("POST", "/api/v1/agreements/keys/LU", {ADMIN}),
    Case("POST", "/api/v1/agreements/keys/PMLP/rotation", PMLP_SIGNATORY),
    Case("GET", "/agreements/keys", EVERYONE),
    Case("POST", "/agreements/keys/LU/create", {ADMIN}, form={}),
    Case("POST", "/agreements/keys/PMLP/rotate", PMLP_SIGNATORY, form={}),
    Case("GET", "/api/v1/agreements/notifications", LOGGED_IN),
    Case("POST", "/api/v1/agreements/notifications/read", LOGGED_IN),
    Case("GET", "/agreements/notifications", LOGGED_IN),
    Case("POST", "/agreements/notifications/read", LOGGED_IN, form={}),
    Case("POST", "/api/v1/agreements/verification", EVERYONE, json="signed-export"),
    Case("GET", "/agreements/verify", EVERYONE),
    Case("POST", "/agreements/verify", EVERYONE, upload=True),
    # agreements: API
    Case("GET", "/api/v1/agreements", LOGGED_IN),
    Case("GET", "/api/v1/agreements/{active}", PARTY),
    Case("GET", "/api/v1/agreements/{active}/versions/1", PARTY),
    Case("GET", "/api/v1/agreements/{active}/versions/1/document", PARTY),
    Case("GET", "/api/v1/agreements/{active}/versions/1/signed", PARTY),
    Case("GET", "/api/v1/agreements/{active}/versions/1/pdf", PARTY),
    Case("POST", "/api/v1/agreements/{pending}/versions/1/signatures", {PMLP_SIGN}, json="sha"),
    Case("POST", "/api/v1/agreements/{active}/amendments", PROVIDER_STEWARD, json={}),
    Case("POST", "/api/v1/agreements/{active}/suspension", PROVIDER_MANAGERS, json=reason()),
    Case("POST", "/api/v1/agreements/{suspended}/resumption", PROVIDER_MANAGERS),
    Case("POST", "/api/v1/agreements/{active}/revocation", SIGNATORIES, json=reason()),
    # agreements: pages
    Case("GET", "/agreements", LOGGED_IN),
    Case("GET", "/agreements/{active}", PARTY),
    Case("GET", "/agreements/{active}/v/1", PARTY),
    Case("POST", "/agreements/{pending}/v/1/sign", {PMLP_SIGN}, form={"sha": True}),
    Case("GET", "/agreements/{active}/amend", PROVIDER_STEWARD),
    Case("POST", "/agreements/{active}/amend", PROVIDER_STEWARD, form={}),
    Case("POST", "/agreements/{active}/suspend", PROVIDER_MANAGERS, form=reason()),
    Case("POST", "/agreements/{suspended}/resume", PROVIDER_MANAGERS, form={}),
    Case("POST", "/agreements/{active}/revoke", SIGNATORIES, form=reason()),
    # audit log
    Case("GET", "/api/v1/audit/entries", LOG_READERS),
    Case("GET", "/api/v1/audit/entries.csv", LOG_READERS),
    Case("GET", "/api/v1/audit/verification", {AUDITOR, ADMIN}),
    Case("GET", "/api/v1/audit/checkpoints", LOG_READERS),
    Case("POST", "/api/v1/audit/checkpoints", {ADMIN}),
    Case("GET", "/api/v1/audit/keys", EVERYONE),
    Case("GET", "/api/v1/audit/access-times", TIMES),
    Case("GET", "/api/v1/audit/me/accesses", {CITIZEN, ADMIN}),
    Case("GET", "/audit", EVERYONE),  # a redirect to /audit/log
    Case("GET", "/audit/log", LOG_READERS),
    Case("GET", "/audit/log.csv", LOG_READERS),
    Case("GET", "/audit/integrity", LOG_READERS),
    Case("POST", "/audit/integrity", {AUDITOR, ADMIN}, form={}),
    Case("GET", "/audit/access-times", TIMES),
    Case("GET", "/me/accesses", {CITIZEN, ADMIN}),
    # the data API and the dataset page, under the gateway: the owner's staff, and VSAA's API
    # consumer under its agreement (which pseudonymises the key, so no lookups by it)
    Case("GET", "/api/v1/data/{resource}", {RECIPIENT, PMLP_STEW, PMLP_SIGN}),
    Case("GET", "/api/v1/data/{resource}?format=csv", {RECIPIENT, PMLP_STEW, PMLP_SIGN}),
    Case("GET", "/api/v1/data/{resource}?format=parquet", {RECIPIENT, PMLP_STEW, PMLP_SIGN}),
    Case("GET", "/api/v1/data/{resource}/rows/150385-11116", {PMLP_STEW, PMLP_SIGN}),
    Case("GET", "/api/v1/data/{resource}/versions", {RECIPIENT, PMLP_STEW, PMLP_SIGN}),
    Case("GET", "/data/{resource}", {RECIPIENT, PMLP_STEW, PMLP_SIGN}),
]


@pytest.fixture
def world(
    session: Session,
    population: Resource,
    people: People,
    make_user: MakeUser,
    make_request: MakeRequest,
    make_agreement: MakeAgreement,
    settings: Settings,
    tmp_path: Path,
) -> dict[str, Any]:
    make_user("admin-x", (Role.ADMIN, None))
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "personal_code,first_name,last_name,birth_date,municipality,address,children\n"
        "150385-11116,Kristaps,Demo,1985-03-15,LV-RIX,Rīga,2\n",
        encoding="utf-8",
    )
    exchange_service.publish_version(
        session=session,
        actor=Actor.system("t"),
        name=population.name,
        source=SourceSpec(path=csv_file, name="people.csv"),
        store=exchange_service.store_for(settings),
    )
    active = make_agreement()
    pending = make_agreement(signed_by="none")
    suspended = make_agreement()
    changes.suspend_agreement(
        session=session,
        actor=people.pmlp_steward,
        number=suspended.number,
        reason="Pārbaude",
        secret=SECRET,
    )
    request = make_request()
    grants = {
        RECIPIENT: ("vsaa-api", Role.RECIPIENT, "VSAA"),
        VSAA_SIGN: ("vsaa-sign", Role.SIGNATORY, "VSAA"),
        PMLP_STEW: ("pmlp-steward", Role.STEWARD, "PMLP"),
        PMLP_SIGN: ("pmlp-sign", Role.SIGNATORY, "PMLP"),
        AUDITOR: ("auditor-x", Role.AUDITOR, "VKONTROLE"),
        OUTSIDER: ("vzd-steward", Role.STEWARD, "VZD"),
        ADMIN: ("admin-x", Role.ADMIN, None),
    }
    tokens = {}
    for role, (username, grant, org) in grants.items():
        _row, secret = auth_service.issue_token_for(
            session=session,
            actor=Actor.system("t"),
            username=username,
            data=TokenCreate(name="t", role=grant, org=org),
        )
        tokens[role] = secret
    exported = agreements.export_signed(session=session, actor=people.auditor, number=active.number)
    session.commit()
    return {
        "ids": {
            "resource": population.name,
            "request": request.number,
            "active": active.number,
            "pending": pending.number,
            "suspended": suspended.number,
        },
        "sha": pending.document_sha256,
        "tokens": tokens,
        "export": exported,
        "new_request": request_data(population, org="VSAA").model_dump(mode="json"),
    }


def _body(case: Case, world: dict[str, Any]) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if case.json == "new-request":
        kwargs["json"] = world["new_request"]
    elif case.json == "signed-export":
        kwargs["json"] = world["export"]
    elif case.json == "sha":
        kwargs["json"] = {"document_sha256": world["sha"]}
    elif case.json is not None:
        kwargs["json"] = case.json
    if case.form is not None:
        form = dict(case.form)
        if form.pop("new-request", False):
            form = dict(world["new_request"])
        if form.pop("sha", False):
            form["document_sha256"] = world["sha"]
        kwargs["data"] = form
    if case.upload:
        kwargs["files"] = {
            "file": ("a.signed.json", json.dumps(world["export"]).encode(), "application/json")
        }
    return kwargs


def _citizen_client(app: FastAPI) -> tuple[TestClient, str]:
    client = TestClient(app, raise_server_exceptions=False)
    token = csrf_from(client.get("/login").text)
    client.post("/login/citizen", data={"personal_code": "150385-11116", "csrf_token": token})
    return client, csrf_from(client.get("/").text)


def _succeeded(response: Any) -> bool:
    if response.status_code >= 400:
        return False
    return not response.headers.get("location", "").startswith("/login")


def test_every_route_by_every_role(
    app: FastAPI, client: TestClient, connection: Connection, world: dict[str, Any]
) -> None:
    citizen, citizen_csrf = _citizen_client(app)
    wrong: list[str] = []
    server_errors: list[str] = []
    for case in CASES:
        url = case.url.format(**world["ids"])
        for role in ROLES:
            kwargs = _body(case, world)
            caller: Callable[..., Any]
            if role == CITIZEN:
                caller = citizen.request
                if case.method == "POST":
                    kwargs["headers"] = {"X-CSRF-Token": citizen_csrf}
            else:
                caller = client.request
                client.cookies.clear()
                if role != ANON:
                    kwargs["headers"] = {"Authorization": f"Bearer {world['tokens'][role]}"}
                elif case.method == "POST" and not url.startswith("/api/"):
                    # An anonymous browser has a session cookie and the form's token.
                    kwargs["headers"] = {"X-CSRF-Token": csrf_from(client.get("/login").text)}
            savepoint = connection.begin_nested()
            try:
                response = caller(case.method, url, follow_redirects=False, **kwargs)
            finally:
                savepoint.rollback()
            if response.status_code >= 500:
                server_errors.append(f"{case.method} {case.url} as {role}: {response.status_code}")
            elif _succeeded(response) != (role in case.allowed):
                expected = "allowed" if role in case.allowed else "refused"
                wrong.append(
                    f"{case.method} {case.url} as {role}: expected {expected}, got {response.status_code} {response.text[:120]!r}"
                )
    assert not server_errors, "\n".join(server_errors)
    assert not wrong, "\n".join(wrong)


# The features whose every route the matrix must hold (a new route without a case fails here).
OWN_PREFIXES = (
    "/api/v1/access-requests", "/api/v1/agreements", "/api/v1/audit", "/access-requests",
    "/agreements", "/audit", "/me/accesses",
)  # fmt: skip


def test_the_matrix_has_every_route(app: FastAPI) -> None:
    import re

    from starlette.routing import Route

    sample = {"request": "PP-1", "active": "EV-1", "pending": "EV-2", "suspended": "EV-3"}
    sample["resource"] = "r"
    called = {(c.method, c.url.format(**sample).split("?")[0]) for c in CASES}
    missing = []
    for route in app.routes:
        if not isinstance(route, Route) or not route.path.startswith(OWN_PREFIXES):
            continue
        pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", route.path) + "$")
        for method in sorted((route.methods or set()) - {"HEAD"}):
            if not any(m == method and pattern.match(url) for m, url in called):
                missing.append(f"{method} {route.path}")
    assert not missing, "routes without a case in the matrix: " + ", ".join(missing)
