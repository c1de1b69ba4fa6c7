"""The catalogue's JSON API: one service call per route, problem details on refusal."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dati.auth import service as auth_service
from dati.auth.actor import Actor, Role
from dati.auth.schemas import TokenCreate
from tests.catalog.conftest import MakeResource
from tests.conftest import MakeUser


@pytest.fixture
def bearer(client: TestClient, make_user: MakeUser, session: Session):  # type: ignore[no-untyped-def]
    def make(username: str, role: Role, org: str | None) -> dict[str, str]:
        actor = make_user(username, (role, org))
        _, secret = auth_service.create_token(
            session=session, actor=actor, data=TokenCreate(name="t", role=role, org=org)
        )
        session.commit()
        return {"authorization": f"Bearer {secret}"}

    return make


def test_create_read_update_and_history(client: TestClient, bearer) -> None:  # type: ignore[no-untyped-def]
    headers = bearer("anna", Role.STEWARD, "VZD")
    r = client.post(
        "/api/v1/catalog/resources",
        headers=headers,
        json={
            "title_lv": "Valsts adrešu reģistrs",
            "owner": "VZD",
            "access_rights": "public",
            "themes": ["REGI"],
            "keywords_lv": ["adrese"],
        },
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["name"] == "valsts-adresu-registrs" and body["steward"] == "anna"
    assert body["owner"]["short_name"] == "VZD" and body["quality_score"] == 85
    r = client.patch(
        "/api/v1/catalog/resources/valsts-adresu-registrs",
        headers=headers,
        json={"title_en": "State Address Register"},
    )
    assert r.status_code == 200 and r.json()["title_en"] == "State Address Register"
    history = client.get("/api/v1/catalog/resources/valsts-adresu-registrs/history").json()
    assert history[0]["field"] == "title_en" and history[0]["new_value"] == "State Address Register"
    assert history[0]["actor_name"] == "Anna" and history[-1]["action"] == "created"


def test_invalid_input_is_a_problem_naming_the_field(client: TestClient, bearer) -> None:  # type: ignore[no-untyped-def]
    headers = bearer("anna", Role.STEWARD, "VZD")
    r = client.post(
        "/api/v1/catalog/resources",
        headers=headers,
        json={"title_lv": "", "owner": "VZD", "access_rights": "public", "themes": ["XXX"]},
    )
    assert r.status_code == 422
    problem = r.json()
    assert r.headers["content-type"].startswith("application/problem+json")
    assert set(problem["errors"]) == {"title_lv", "themes"}
    assert client.get("/api/v1/catalog/resources?q=").json()["total"] == 0


def test_permissions(
    client: TestClient, bearer, make_resource: MakeResource, session: Session
) -> None:  # type: ignore[no-untyped-def]
    resource = make_resource(owner="UR")
    session.commit()
    anonymous = client.patch(f"/api/v1/catalog/resources/{resource.name}", json={"title_en": "x"})
    assert anonymous.status_code == 401
    other = bearer("peteris", Role.STEWARD, "VZD")
    r = client.patch(
        f"/api/v1/catalog/resources/{resource.name}", headers=other, json={"title_en": "x"}
    )
    assert r.status_code == 403
    publisher = bearer("liga", Role.PUBLISHER, "UR")
    schema = {"fields": [{"name": "kods", "type": "integer"}]}
    r = client.put(
        f"/api/v1/catalog/resources/{resource.name}/schema", headers=publisher, json=schema
    )
    assert r.status_code == 200 and r.json()["fields"][0]["classification"] == "open"


def test_schema_quality_search_and_facets(
    client: TestClient, make_resource: MakeResource, session: Session, system: Actor
) -> None:
    from dati.catalog import service

    resource = make_resource("Uzņēmumu reģistrs", owner="UR", themes=["ECON"], licence="CC0")
    service.set_table_schema(
        session=session,
        actor=system,
        name=resource.name,
        schema={
            "fields": [{"name": "registracijas_numurs", "type": "string"}],
            "primaryKey": "registracijas_numurs",
        },
    )
    session.commit()
    schema = client.get(f"/api/v1/catalog/resources/{resource.name}/schema").json()
    assert schema == {
        "fields": [{"name": "registracijas_numurs", "type": "string", "classification": "open"}],
        "primaryKey": ["registracijas_numurs"],
    }
    quality = client.get(f"/api/v1/catalog/resources/{resource.name}/quality").json()
    assert quality["max_score"] == 405 and len(quality["indicators"]) == 23 and quality["fix_first"]
    found = client.get(
        "/api/v1/catalog/resources", params={"q": "uznemumu registrs", "theme": "ECON"}
    ).json()
    assert (
        found["total"] == 1
        and found["items"][0]["name"] == resource.name
        and found["items"][0]["score"] > 0
    )
    assert {"value": "CC0", "label": "CC0", "count": 1} in found["facets"]["licence"]
    overview = client.get("/api/v1/catalog/quality").json()
    assert overview["national"]["resources"] == 1


def test_schema_draft_from_a_csv_header(client: TestClient) -> None:
    csv = b"Personas kods,Summa,Datums\n010190-10010,12.5,2024-01-02\n"
    r = client.post("/api/v1/catalog/schema-drafts", files={"file": ("x.csv", csv, "text/csv")})
    assert r.status_code == 200
    assert [(f["name"], f["type"], f["classification"]) for f in r.json()["fields"]] == [
        ("personas_kods", "string", "personal_identifier"),
        ("summa", "number", "open"),
        ("datums", "date", "open"),
    ]
    bad = client.post(
        "/api/v1/catalog/schema-drafts", files={"file": ("x.pdf", b"%PDF", "application/pdf")}
    )
    assert bad.status_code == 422 and "file" in bad.json()["errors"]


def test_systems_glossary_and_data_services(
    client: TestClient, bearer, make_resource: MakeResource, session: Session
) -> None:  # type: ignore[no-untyped-def]
    headers = bearer("anna", Role.STEWARD, "VZD")
    make_resource("Adreses", owner="VZD", name="adreses")
    session.commit()
    r = client.post(
        "/api/v1/catalog/systems",
        headers=headers,
        json={"title_lv": "VARIS", "owner": "VZD", "name": "varis"},
    )
    assert r.status_code == 201
    r = client.post(
        "/api/v1/catalog/data-services",
        headers=headers,
        json={
            "title_lv": "Adrešu API",
            "owner": "VZD",
            "system": "varis",
            "endpoint_url": "https://api.vzd.gov.lv/adreses",
            "access_rights": "public",
            "serves": ["adreses"],
        },
    )
    assert r.status_code == 201 and r.json()["serves"] == ["adreses"]
    assert client.get("/api/v1/catalog/systems/varis").json()["data_services"] == [r.json()["name"]]
    r = client.post(
        "/api/v1/catalog/glossary",
        headers=headers,
        json={"term_lv": "Adrese", "definition_lv": "Atrašanās vietas apraksts.", "owner": "VZD"},
    )
    assert r.status_code == 201 and r.json()["name"] == "adrese"
    assert (
        client.get("/api/v1/catalog/glossary", params={"q": "adreses"}).json()[0]["name"]
        == "adrese"
    )


def test_template_downloads(client: TestClient) -> None:
    xlsx = client.get("/api/v1/catalog/import/template.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    csv = client.get("/catalog/import/template.csv")
    assert csv.status_code == 200 and "title_lv" in csv.text
    assert client.get("/api/v1/catalog/import/template.pdf").status_code == 404


def test_openapi_documents_the_catalogue(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/v1/catalog/resources",
        "/api/v1/catalog/resources/{name}/schema",
        "/api/v1/catalog/resources/{name}/history",
        "/api/v1/catalog/import",
        "/api/v1/catalog/quality",
    ):
        assert path in paths


def test_schema_draft_from_an_xlsx_header_and_a_schema_file(client: TestClient) -> None:
    import io
    import json
    from datetime import date

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Kadastra numurs", "Platība", "Reģistrēts", "Aktīvs"])
    sheet.append(["01000010001", 1234.5, date(2020, 1, 2), "jā"])
    out = io.BytesIO()
    book.save(out)
    r = client.post(
        "/api/v1/catalog/schema-drafts",
        files={"file": ("k.xlsx", out.getvalue(), "application/octet-stream")},
    )
    assert [(f["name"], f["type"]) for f in r.json()["fields"]] == [
        ("kadastra_numurs", "string"),
        ("platiba", "number"),
        ("registrets", "date"),
        ("aktivs", "boolean"),
    ]
    schema = {"fields": [{"name": "a", "type": "integer"}], "primaryKey": ["a"]}
    r = client.post(
        "/api/v1/catalog/schema-drafts",
        files={"file": ("s.json", json.dumps(schema).encode(), "application/json")},
    )
    assert r.json() == schema
