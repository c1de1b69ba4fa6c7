"""Catalogue pages: browse and search, resource page, steward forms with messages beside fields."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dati.auth.actor import Role
from dati.catalog import service
from dati.catalog.models import Resource
from tests.catalog.conftest import MakeResource
from tests.conftest import MakeUser, csrf_from

TWENTY_COLUMNS = (
    "Personas kods;Vārds;Uzvārds;Dzimšanas datums;Dzimums;Pilsonība;Deklarētā adrese;Novads;"
    "Pagasts;Pasta indekss;Tālrunis;E-pasts;Ģimenes stāvoklis;Bērnu skaits;Izglītība;"
    "Nodarbinātība;Ienākumi;Reģistrēts;Mainīts;Statuss\n"
    "010190-10010;Anna;Ozola;1990-01-01;S;LV;Rīga, Brīvības iela 1;Rīga;;LV-1010;20000000;"
    "a@b.lv;precējusies;2;augstākā;strādā;1200.50;2020-01-01;2024-05-01;aktīvs\n"
)


def test_browse_and_search_pages(
    client: TestClient, make_resource: MakeResource, session: Session
) -> None:
    make_resource("Uzņēmumu reģistrs", owner="UR", themes=["ECON"])
    make_resource("Valsts adrešu reģistrs", owner="VZD", themes=["REGI"])
    session.commit()
    page = client.get("/catalog")
    assert page.status_code == 200, page.text[-1500:]
    assert "Datu katalogs" in page.text
    found = client.get("/catalog", params={"q": "uznemumu registrs"})
    assert "Uzņēmumu reģistrs" in found.text and "Valsts adrešu reģistrs" not in found.text
    filtered = client.get("/catalog", params={"theme": "REGI"})
    assert "Valsts adrešu reģistrs" in filtered.text and "Uzņēmumu reģistrs" not in filtered.text


def test_resource_page_shows_fields_quality_and_history(
    client: TestClient, make_resource: MakeResource, session: Session, system
) -> None:
    resource = make_resource(
        "Fizisko personu reģistrs", owner="PMLP", description_lv="Iedzīvotāji."
    )
    service.set_table_schema(
        session=session,
        actor=system,
        name=resource.name,
        schema={
            "fields": [
                {
                    "name": "personas_kods",
                    "title": "Personas kods",
                    "classification": "personal_identifier",
                }
            ],
            "primaryKey": ["personas_kods"],
        },
    )
    session.commit()
    page = client.get(f"/catalog/{resource.name}")
    assert page.status_code == 200
    assert "personas_kods" in page.text and "Personas identifikators" in page.text
    assert "MQA" in page.text and "Labot vispirms" in page.text
    assert "Izmaiņu vēsture" in page.text
    assert client.get("/catalog/nav-tada-resursa").status_code == 404


def test_steward_creates_a_resource_with_twenty_fields_from_a_csv_header(
    client: TestClient, login, make_user: MakeUser, session: Session
) -> None:
    make_user("janis", (Role.STEWARD, "PMLP"))
    login("janis")
    form = client.get("/catalog/new")
    assert form.status_code == 200
    r = client.post(
        "/catalog/new",
        data={
            "csrf_token": csrf_from(form.text),
            "title_lv": "Iedzīvotāju anketas",
            "owner": "PMLP",
            "access_rights": "restricted",
            "themes": "SOCI",
        },
        files={"schema_file": ("anketas.csv", TWENTY_COLUMNS.encode("utf-8"), "text/csv")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/catalog/iedzivotaju-anketas/fields"
    resource = session.scalars(select(Resource).where(Resource.name == "iedzivotaju-anketas")).one()
    assert len(resource.fields) == 20
    by_name = {f.name: f for f in resource.fields}
    assert by_name["personas_kods"].classification.value == "personal_identifier"
    assert by_name["dzimsanas_datums"].type == "date" and by_name["ienakumi"].type == "number"
    assert resource.personal_data and resource.steward is not None
    fields_page = client.get(r.headers["location"])
    assert "Deklarētā adrese" in fields_page.text


def test_refused_forms_keep_input_and_name_the_field(
    client: TestClient, login, make_user: MakeUser, session: Session
) -> None:
    make_user("janis", (Role.STEWARD, "VZD"))
    login("janis")
    before = session.scalar(select(func.count()).select_from(Resource))
    token = csrf_from(client.get("/catalog/new").text)
    r = client.post(
        "/catalog/new",
        data={
            "csrf_token": token,
            "title_lv": "",
            "title_en": "Address register",
            "owner": "VZD",
            "access_rights": "public",
            "temporal_start": "2024-01-01",
            "temporal_end": "2023-01-01",
        },
    )
    assert r.status_code == 422
    assert "Ievadiet nosaukumu latviešu valodā." in r.text
    assert "Beigu datums ir pirms sākuma datuma." in r.text
    assert 'value="Address register"' in r.text
    assert session.scalar(select(func.count()).select_from(Resource)) == before


def test_field_editor_refuses_duplicate_names(
    client: TestClient, login, make_user: MakeUser, make_resource: MakeResource, session: Session
) -> None:
    make_user("janis", (Role.STEWARD, "VZD"))
    resource = make_resource("Adreses", owner="VZD")
    session.commit()
    login("janis")
    page = client.get(f"/catalog/{resource.name}/fields")
    data = {
        "csrf_token": csrf_from(page.text),
        "f0_name": "kods",
        "f0_type": "string",
        "f1_name": "kods",
        "f1_type": "integer",
        "primary_key": "",
        "fk0_fields": "",
        "fk0_resource": "",
        "fk0_ref_fields": "",
    }
    r = client.post(f"/catalog/{resource.name}/fields", data=data)
    assert r.status_code == 422 and "Lauka nosaukums “kods” ir izmantots divreiz." in r.text
    data |= {
        "f1_name": "nosaukums",
        "fk0_fields": "kods",
        "fk0_resource": "nav-tada",
        "fk0_ref_fields": "id",
    }
    r = client.post(f"/catalog/{resource.name}/fields", data=data)
    assert r.status_code == 422 and "nav-tada" in r.text
    session.expire_all()
    assert resource.fields == []
    data |= {"fk0_fields": "", "fk0_resource": "", "fk0_ref_fields": ""}
    r = client.post(f"/catalog/{resource.name}/fields", data=data, follow_redirects=False)
    assert r.status_code == 303
    session.expire_all()
    assert [f.name for f in resource.fields] == ["kods", "nosaukums"]


def test_steward_pages_need_a_login_and_the_right_institution(
    client: TestClient, login, make_user: MakeUser, make_resource: MakeResource, session: Session
) -> None:
    resource = make_resource(owner="UR")
    session.commit()
    r = client.get("/catalog/steward", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    make_user("peteris", (Role.STEWARD, "VZD"))
    login("peteris")
    assert client.get("/catalog/steward").status_code == 200
    page = client.get(f"/catalog/{resource.name}/edit")
    r = client.post(
        f"/catalog/{resource.name}/edit",
        data={"csrf_token": csrf_from(page.text), "title_lv": "Cits", "access_rights": "public"},
    )
    assert r.status_code == 403


def test_public_lists(client: TestClient) -> None:
    for url in ("/catalog/systems", "/catalog/glossary", "/catalog/quality"):
        assert client.get(url).status_code == 200, url
