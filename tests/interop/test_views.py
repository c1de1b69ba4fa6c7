"""The Latvian harvesting pages, used the way a steward would."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from dati.auth.actor import Role
from dati.interop import harvest_fetch
from tests.conftest import MakeUser, csrf_from

SOURCES = Path(__file__).resolve().parent / "data" / "sources"
Login = Callable[[str], TestClient]


@pytest.fixture
def steward(make_user: MakeUser, login: Login) -> TestClient:
    make_user("vzd-parvaldniece", (Role.STEWARD, "VZD"))
    return login("vzd-parvaldniece")


def test_the_page_is_in_latvian_and_labels_every_control(steward: TestClient) -> None:
    page = steward.get("/harvest")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Ievākšana</h1>" in html and "Augšupielādēt failu" in html
    assert 'href="/harvest"' in html  # the menu entry
    for control in re.findall(r'<(?:input|select)[^>]*id="([^"]+)"', html):
        assert f'for="{control}"' in html, control
    assert "<caption>" in html and 'scope="col"' in html


def test_uploading_a_file_shows_the_report_with_each_problem(steward: TestClient) -> None:
    page = steward.get("/harvest")
    response = steward.post(
        "/harvest/upload",
        data={"org": "VZD", "csrf_token": csrf_from(page.text)},
        files={"file": ("katalogs.ttl", (SOURCES / "real-world.ttl").read_bytes(), "text/turtle")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    report = steward.get(response.headers["location"])
    assert "Ievākšanas pārskats" in report.text
    assert "Pabeigta ar kļūdām" in report.text
    assert "Ievadiet nosaukumu latviešu valodā." in report.text
    assert "izveidotas 3" in report.text  # the flash message
    assert "katalogs.ttl" in steward.get("/harvest").text  # listed among the latest runs


def test_a_private_address_is_refused_beside_the_field_and_nothing_runs(
    steward: TestClient,
) -> None:
    page = steward.get("/harvest")
    response = steward.post(
        "/harvest/url",
        data={"url": "http://127.0.0.1:5432/", "org": "VZD", "csrf_token": csrf_from(page.text)},
    )
    assert response.status_code == 422
    assert 'id="once-e-url"' in response.text and "Privātā tīkla adrese." in response.text
    assert 'value="http://127.0.0.1:5432/"' in response.text  # the input is kept
    assert "Ievākšanu vēl nav." in response.text


def test_another_institution_cannot_be_chosen(steward: TestClient) -> None:
    page = steward.get("/harvest")
    assert '<option value="CSP"' not in page.text
    response = steward.post(
        "/harvest/upload",
        data={"org": "CSP", "csrf_token": csrf_from(page.text)},
        files={"file": ("g.jsonld", (SOURCES / "geoportal.jsonld").read_bytes(), "")},
    )
    assert response.status_code == 403


def test_a_scheduled_source_is_added_run_and_edited(
    steward: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        harvest_fetch,
        "TRANSPORT",
        httpx.MockTransport(
            lambda r: httpx.Response(200, content=(SOURCES / "geoportal.jsonld").read_bytes())
        ),
    )
    monkeypatch.setattr(harvest_fetch, "resolve_host", lambda host, port: ["195.244.150.10"])
    token = csrf_from(steward.get("/harvest").text)
    created = steward.post(
        "/harvest/sources",
        data={
            "title": "Ģeoportāls",
            "url": "https://geo.example.lv/catalog.jsonld",
            "org": "VZD",
            "interval_hours": "12",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    listing = steward.get("/harvest").text
    source_url = re.search(r'href="(/harvest/sources/\d+)"', listing)
    assert source_url and "Ģeoportāls" in listing
    run = steward.post(
        f"{source_url.group(1)}/run", data={"csrf_token": token}, follow_redirects=False
    )
    assert run.status_code == 303
    assert "Pabeigta" in steward.get(run.headers["location"]).text
    edited = steward.post(
        source_url.group(1),
        data={
            "title": "",
            "url": "https://geo.example.lv/x",
            "interval_hours": "12",
            "csrf_token": token,
        },
    )
    assert edited.status_code == 422 and "Ievadiet nosaukumu." in edited.text


def test_anonymous_visitors_are_sent_to_log_in_and_recipients_are_refused(
    client: TestClient, make_user: MakeUser, login: Login
) -> None:
    response = client.get("/harvest", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    make_user("sanemejs", (Role.RECIPIENT, "VZD"))
    assert login("sanemejs").get("/harvest").status_code == 403


def test_the_api_harvests_an_upload_and_reports_in_json(
    client: TestClient, make_user: MakeUser, login: Login
) -> None:
    make_user("vzd-api", (Role.STEWARD, "VZD"))
    login("vzd-api")
    token = csrf_from(client.get("/harvest").text)
    response = client.post(
        "/api/v1/harvest/runs",
        data={"org": "VZD"},
        files={
            "file": ("g.jsonld", (SOURCES / "geoportal.jsonld").read_bytes(), "application/ld+json")
        },
        headers={"x-csrf-token": token},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["created"], body["org"]["short_name"]) == ("ok", 1, "VZD")
    run = client.get(f"/api/v1/harvest/runs/{body['id']}")
    assert run.status_code == 200 and run.json()["origin"] == "g.jsonld"


def test_the_sources_api_creates_changes_runs_and_removes_a_source(
    client: TestClient, make_user: MakeUser, login: Login, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        harvest_fetch,
        "TRANSPORT",
        httpx.MockTransport(
            lambda r: httpx.Response(200, content=(SOURCES / "geoportal.jsonld").read_bytes())
        ),
    )
    monkeypatch.setattr(harvest_fetch, "resolve_host", lambda host, port: ["195.244.150.10"])
    make_user("vzd-avoti", (Role.STEWARD, "VZD"))
    login("vzd-avoti")
    headers = {"x-csrf-token": csrf_from(client.get("/harvest").text)}
    created = client.post(
        "/api/v1/harvest/sources",
        json={"title": "Ģeoportāls", "url": "https://geo.example.lv/c.jsonld", "org": "VZD"},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    source = created.json()
    assert source["enabled"] is True and source["interval_hours"] == 24
    changed = client.patch(
        f"/api/v1/harvest/sources/{source['id']}", json={"interval_hours": 6}, headers=headers
    )
    assert changed.status_code == 200 and changed.json()["interval_hours"] == 6
    refused = client.patch(
        f"/api/v1/harvest/sources/{source['id']}", json={"url": "ftp://x"}, headers=headers
    )
    assert refused.status_code == 422 and "url" in refused.json()["errors"]
    run = client.post(f"/api/v1/harvest/sources/{source['id']}/run", headers=headers)
    assert run.status_code == 200 and run.json()["created"] == 1
    assert [s["id"] for s in client.get("/api/v1/harvest/sources").json()] == [source["id"]]
    gone = client.delete(f"/api/v1/harvest/sources/{source['id']}", headers=headers)
    assert gone.status_code == 204
    assert client.get(f"/api/v1/harvest/sources/{source['id']}").status_code == 404
    assert client.get(f"/api/v1/harvest/runs/{run.json()['id']}").json()["source_id"] is None
