"""Every error class renders the same RFC 9457 shape in the API and a page in HTML."""

from __future__ import annotations

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from dati.errors import ERROR_CLASSES, DatiError


@pytest.fixture
def error_client(app: FastAPI) -> TestClient:
    router = APIRouter()

    @router.get("/api/v1/raise/{name}")
    def raise_api(name: str) -> None:
        raise _by_name(name)("It went wrong.", errors={"field": "message"})

    @router.get("/html/raise/{name}")
    def raise_html(name: str) -> None:
        raise _by_name(name)("It went wrong.")

    @router.get("/api/v1/boom")
    def boom() -> None:
        raise RuntimeError("secret internal detail")

    app.include_router(router)
    return TestClient(app, raise_server_exceptions=False)


def _by_name(name: str) -> type[DatiError]:
    return next(c for c in ERROR_CLASSES if c.__name__ == name)


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda c: c.__name__)
def test_problem_shape(error_client: TestClient, cls: type[DatiError]) -> None:
    r = error_client.get(f"/api/v1/raise/{cls.__name__}")
    assert r.status_code == cls.status
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert set(body) >= {"type", "title", "status", "detail", "instance"}
    assert body["status"] == cls.status and body["type"].endswith(cls.type)
    assert body["errors"] == {"field": "message"}


@pytest.mark.parametrize(
    "cls", [c for c in ERROR_CLASSES if c.status != 401], ids=lambda c: c.__name__
)
def test_html_error_page(error_client: TestClient, cls: type[DatiError]) -> None:
    r = error_client.get(f"/html/raise/{cls.__name__}", headers={"accept": "text/html"})
    assert r.status_code == cls.status and "text/html" in r.headers["content-type"]
    assert "It went wrong." in r.text


def test_unexpected_error_hides_internals(error_client: TestClient) -> None:
    r = error_client.get("/api/v1/boom")
    assert r.status_code == 500
    assert "secret internal detail" not in r.text
    assert r.json()["reference"]


def test_malformed_json_is_a_422_problem(client: TestClient) -> None:
    r = client.post(
        "/api/v1/organisations", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code in (401, 422)
    assert r.headers["content-type"] == "application/problem+json"


def test_unknown_api_path_is_a_404_problem(client: TestClient) -> None:
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404 and r.json()["status"] == 404


def test_unknown_page_is_an_html_404(client: TestClient) -> None:
    r = client.get("/nothing-here", headers={"accept": "text/html"})
    assert r.status_code == 404 and "Nav atrasts" in r.text
