"""The data API over HTTP: filters, pages, formats, lookups, conditional requests, errors."""

from __future__ import annotations

import io

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from dati.auth.actor import Role
from dati.catalog.models import AccessRights
from tests.conftest import MakeUser
from tests.exchange.conftest import PEOPLE_CSV

URL = "/api/v1/data/iedzivotaji"


def bearer(session, username: str, role: Role) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """An Authorization header with a fresh API token of ``username`` acting as ``role`` at VZD."""
    from dati.auth import service as auth_service
    from dati.auth.actor import Actor
    from dati.auth.schemas import TokenCreate

    _token, secret = auth_service.issue_token_for(
        session=session,
        actor=Actor.system("tests"),
        username=username,
        data=TokenCreate(name="t", role=role, org="VZD"),
    )
    session.commit()
    return {"authorization": f"Bearer {secret}"}


@pytest.fixture
def people(session, make_resource, publish):  # type: ignore[no-untyped-def]
    make_resource()
    publish("iedzivotaji", PEOPLE_CSV + '4,=HYPERLINK("http://x"),,Rīga\n5,-Dace,,Cēsis\n')
    session.commit()


def test_rows_with_fields_filters_sort_and_count(client: TestClient, people) -> None:
    r = client.get(
        URL,
        params={"fields": "id,vārds", "novads__in": "Rīga,Cēsis", "sort": "-id", "count": "true"},
    )
    assert r.status_code == 200
    body = r.json()
    assert [row["id"] for row in body["rows"]] == [5, 4, 2, 1]
    assert body["fields"] == ["id", "vārds"] and body["total"] == 4 and body["version"] == 1
    ranged = client.get(URL, params={"id__gte": "2", "id__lt": "4"}).json()
    assert [row["vārds"] for row in ranged.get("rows", [])] == ["Līga", "Ēriks"], ranged
    found = client.get(URL, params={"vārds__contains": "ĒRI"}).json()
    assert [x["id"] for x in found["rows"]] == [3], found


def test_cursor_pages_walk_every_row_once(client: TestClient, people) -> None:
    seen, cursor = [], None
    while True:
        params = {"limit": "2", "sort": "novads"} | ({"cursor": cursor} if cursor else {})
        body = client.get(URL, params=params).json()
        seen += [row["id"] for row in body["rows"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == [1, 2, 3, 4, 5] and len(seen) == 5


def test_key_lookup_and_missing_key(client: TestClient, people) -> None:
    assert client.get(f"{URL}/rows/2").json()["vārds"] == "Līga"
    missing = client.get(f"{URL}/rows/99")
    assert (
        missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    )
    assert client.get(f"{URL}/rows/abc").status_code == 422


def test_csv_export_neutralises_formulas(client: TestClient, people) -> None:
    r = client.get(URL, params={"format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = r.text.splitlines()
    assert lines[0] == '"id","vārds","dzimšanas_datums","novads"'
    assert '4,"\'=HYPERLINK(""http://x"")",,"Rīga"' in lines
    assert '5,"\'-Dace",,"Cēsis"' in lines


def test_parquet_export(client: TestClient, people) -> None:
    r = client.get(URL, params={"format": "parquet", "novads": "Rīga"})
    table = pq.read_table(io.BytesIO(r.content))
    assert table.column("id").to_pylist() == [1, 4]


def test_conditional_requests_answer_304(client: TestClient, people) -> None:
    first = client.get(URL)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert client.get(URL, headers={"if-none-match": etag}).status_code == 304
    assert client.get(URL, headers={"if-modified-since": modified}).status_code == 304
    assert client.get(URL + "?id=1", headers={"if-none-match": etag}).status_code == 200


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"nav": "1"}, "nav"),
        ({"id__like": "1"}, "id__like"),
        ({"id": "x"}, "id"),
        ({"sort": "nav"}, "sort"),
        ({"cursor": "bad"}, "cursor"),
    ],
)
def test_bad_parameters_are_rfc9457_problems(client: TestClient, people, params, field) -> None:
    r = client.get(URL, params=params)
    assert r.status_code == 422
    problem = r.json()
    assert problem["type"].endswith("/invalid") and field in problem["errors"]


def test_restricted_data_is_refused_to_others_with_a_reason(
    client: TestClient, session, make_resource, publish, make_user: MakeUser
) -> None:
    make_resource(name="slepens", access=AccessRights.RESTRICTED)
    publish("slepens", PEOPLE_CSV)
    session.commit()
    anonymous = client.get("/api/v1/data/slepens")
    assert anonymous.status_code == 401 and "slepens" in anonymous.json()["detail"]
    make_user("vzd-recipient", (Role.RECIPIENT, "VZD"))
    auth = bearer(session, "vzd-recipient", Role.RECIPIENT)
    r = client.get("/api/v1/data/slepens", headers=auth)
    assert r.status_code == 200 and len(r.json()["rows"]) == 3


def test_publish_over_the_api_and_roll_back(
    client: TestClient, session, make_resource, make_user: MakeUser, login
) -> None:
    make_resource()
    session.commit()
    make_user("liga", (Role.PUBLISHER, "VZD"))
    auth = bearer(session, "liga", Role.PUBLISHER)
    files = {"file": ("dati.csv", PEOPLE_CSV.encode("cp1257"), "text/csv")}
    r = client.post(f"{URL}/versions", files=files, headers=auth)
    assert r.status_code == 201, r.text
    assert r.json()["version"]["rows"] == 3
    bad = client.post(
        f"{URL}/versions", files={"file": ("x.csv", b"id,v\n1,2\n", "text/csv")}, headers=auth
    )
    assert bad.status_code == 422 and "trūkst tabulas shēmā prasīto kolonnu" in bad.json()["detail"]
    client.post(f"{URL}/versions", files=files, data={"mode": "upsert"}, headers=auth)
    back = client.post(f"{URL}/versions/1/rollback", headers=auth)
    assert back.status_code == 201 and back.json()["number"] == 3
    assert [v["number"] for v in client.get(f"{URL}/versions").json()] == [3, 2, 1]
    assert client.post(f"{URL}/versions", files=files).status_code == 401
