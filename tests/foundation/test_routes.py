"""Every route, called anonymously with placeholder parameters, answers a deliberate status:
never a server error, and never a successful write without login unless listed here."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from dati.config import Settings
from dati.db.database import Database
from dati.web.app import create_app
from dati.web.routes import all_routes

# Writes an anonymous visitor may make on purpose (logging in, public read actions sent as POST).
ANONYMOUS_WRITES = {
    ("POST", "/login"),
    ("POST", "/login/citizen"),
    ("POST", "/logout"),
}


def _routes() -> list[tuple[str, str]]:
    app = create_app(Settings(secret_key="x" * 32), database=Database("sqlite://"))
    return [(r.method, r.path) for r in all_routes(app)]


ROUTES = _routes()


def test_the_route_walk_finds_the_routes() -> None:
    assert ("GET", "/api/v1/organisations/{short_name}") in ROUTES and ("POST", "/login") in ROUTES


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_anonymous_call_is_answered_deliberately(
    client: TestClient, app: FastAPI, method: str, path: str
) -> None:
    url = re.sub(r"\{[^}]+\}", "1", path)
    response = client.request(
        method, url, follow_redirects=False, headers={"accept": "application/json"}
    )
    assert response.status_code < 500, response.text
    if method != "GET" and (method, path) not in ANONYMOUS_WRITES:
        assert response.status_code >= 300, f"anonymous {method} {path} succeeded"
