"""Key lookups answered before FastAPI's routing: the same answers as the documented route, and
the per-process cache of a resource's current version (db.hot)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dati.exchange import lookup_route, service
from tests.exchange.conftest import PEOPLE_CSV

URL = "/api/v1/data/iedzivotaji/rows"


@pytest.fixture
def people(session, make_resource, publish):  # type: ignore[no-untyped-def]
    make_resource()
    publish("iedzivotaji", PEOPLE_CSV)
    session.commit()


@pytest.fixture
def taken(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """The paths the middleware answered itself."""
    seen: list[str] = []
    real = lookup_route._lookup_target

    def spy(scope: dict[str, Any]):  # type: ignore[no-untyped-def]
        target = real(scope)
        if target is not None:
            seen.append(scope["path"])
        return target

    monkeypatch.setattr(lookup_route, "_lookup_target", spy)
    return seen


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/2", 200),
        ("/2?fields=id,novads", 200),
        ("/99", 404),
        ("/abc", 422),
        ("/1,2", 422),
        ("/2?version=1", 200),
        ("/2?version=7", 404),
        ("/2?fields=nav", 422),
    ],
)
def test_answers_equal_the_routes(
    client: TestClient, people, taken: list[str], path: str, status: int
) -> None:
    fast = client.get(URL + path)
    # An unknown parameter sends the request on to FastAPI's route, which ignores it.
    routed = client.get(URL + path + ("&" if "?" in path else "?") + "via=router")
    assert taken == [URL + path.split("?")[0]]
    assert fast.status_code == routed.status_code == status
    assert fast.headers["content-type"] == routed.headers["content-type"]
    body, other = fast.json(), routed.json()
    if status >= 400:  # problem details name the request
        assert body["type"] == other["type"] and body["detail"] == other["detail"]
        assert body["instance"] == URL + path.split("?")[0]
    else:
        assert body == other


def test_conditional_lookup_and_what_is_left_to_fastapi(
    client: TestClient, people, taken: list[str]
) -> None:
    first = client.get(f"{URL}/1")
    assert (
        client.get(f"{URL}/1", headers={"if-none-match": first.headers["etag"]}).status_code == 304
    )
    assert client.get(f"{URL}/1?version=x").status_code == 422  # FastAPI explains it
    assert client.get(f"{URL}/1?fields=id&fields=novads").status_code == 200
    assert client.post(f"{URL}/1").status_code == 405
    assert taken == [f"{URL}/1", f"{URL}/1"]
    assert "x-request-id" in first.headers and first.headers["cache-control"] == "no-cache"


def test_a_new_version_is_served_at_once(client: TestClient, session, people, publish) -> None:
    assert client.get(f"{URL}/2").json()["vārds"] == "Līga"
    publish("iedzivotaji", PEOPLE_CSV.replace("Līga", "Laila"))
    session.commit()
    assert client.get(f"{URL}/2").json()["vārds"] == "Laila"
    assert client.get(f"{URL}/2?version=1").json()["vārds"] == "Līga"


def test_a_failed_request_leaves_the_cached_version_usable(client: TestClient, people) -> None:
    assert client.get(f"{URL}/1").status_code == 200  # caches the current version
    assert client.get(f"{URL}/99").status_code == 404  # the request's session rolls back
    assert client.get(f"{URL}/abc").status_code == 422
    assert client.get(f"{URL}/3").json()["vārds"] == "Ēriks"


def test_a_change_made_elsewhere_is_seen_within_the_ttl(
    client: TestClient, session, people, monkeypatch
) -> None:
    assert client.get(f"{URL}/1").status_code == 200
    # Another process's change: no ORM event here tells this process's cache.
    session.connection().exec_driver_sql(
        "UPDATE catalog_resource SET access_rights = 'restricted' WHERE name = 'iedzivotaji'"
    )
    session.commit()
    assert client.get(f"{URL}/1").status_code == 200  # still the cached, open resource
    later = time.monotonic() + max(service.CURRENT_TTL, 2.0) + 0.1
    monkeypatch.setattr(time, "monotonic", lambda: later)
    refused = client.get(f"{URL}/1")
    assert refused.status_code == 401, refused.text
