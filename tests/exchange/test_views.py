"""The dataset page: preview, versions, upload with a validation report, rollback, refused rows."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from dati.auth.actor import Role
from dati.catalog.models import AccessRights
from tests.conftest import MakeUser, csrf_from
from tests.exchange.conftest import PEOPLE_CSV


@pytest.fixture
def publisher(session, make_resource, make_user: MakeUser, login):  # type: ignore[no-untyped-def]
    """Resource 'iedzivotaji' without data, and the client logged in as its publisher."""
    make_resource()
    session.commit()
    make_user("liga", (Role.PUBLISHER, "VZD"))
    return login("liga")


def upload(client: TestClient, content: bytes, **fields: str):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/data/iedzivotaji").text)
    return client.post(
        "/data/iedzivotaji/upload",
        data={"csrf_token": token, **fields},
        files={"file": ("dati.csv", content, "text/csv")},
        follow_redirects=False,
    )


def test_publisher_uploads_sees_versions_and_rolls_back(client: TestClient, publisher) -> None:
    page = client.get("/data/iedzivotaji")
    assert "Dati vēl nav publicēti." in page.text and 'type="file"' in page.text
    r = upload(client, PEOPLE_CSV.encode())
    assert r.status_code == 303
    page = client.get("/data/iedzivotaji")
    assert "Publicēta 1. versija: 3 rindas." in page.text
    assert (
        "<caption>Pašreizējās versijas pirmās rindas</caption>" in page.text
        and "Ēriks" in page.text
    )
    upload(client, PEOPLE_CSV.encode(), mode="upsert")
    token = csrf_from(client.get("/data/iedzivotaji").text)
    r = client.post(
        "/data/iedzivotaji/versions/1/rollback", data={"csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303
    assert "1. versija atkal tiek izmantota kā 3. versija." in client.get("/data/iedzivotaji").text


def test_bad_upload_rerenders_with_the_report(client: TestClient, publisher) -> None:
    r = upload(client, (PEOPLE_CSV + "x,Juris,1990-02-31,Rīga\n").encode(), quarantine="")
    assert r.status_code == 422
    assert "Pārbaudes pārskats: kļūdainās rindas" in r.text
    assert "5. rinda, id" in r.text and "Nav vesels skaitlis." in r.text
    assert "5. rinda, dzimšanas_datums" in r.text


def test_quarantine_upload_offers_the_refused_rows(client: TestClient, publisher) -> None:
    upload(client, (PEOPLE_CSV + "x,Juris,,Rīga\n").encode(), quarantine="1")
    page = client.get("/data/iedzivotaji")
    assert "1 rindas tika noraidītas" in page.text
    assert 'href="/data/iedzivotaji/versions/1/refused.csv"' in page.text
    refused = client.get("/data/iedzivotaji/versions/1/refused.csv")
    assert refused.status_code == 200 and "x,Juris" in refused.text


def test_restricted_dataset_page_needs_a_login_and_an_agreement(
    client: TestClient, session, make_resource, publish
) -> None:
    make_resource(name="slepens", access=AccessRights.RESTRICTED)
    publish("slepens", PEOPLE_CSV)
    session.commit()
    page = client.get("/data/slepens", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    public = client.get("/data/slepens/versions/1/refused.csv")
    assert public.status_code == 404


def test_data_list_shows_only_readable_datasets(
    client: TestClient, session, make_resource, publish
) -> None:
    make_resource()
    publish("iedzivotaji", PEOPLE_CSV)
    make_resource(name="slepens", access=AccessRights.RESTRICTED)
    publish("slepens", PEOPLE_CSV)
    session.commit()
    page = client.get("/data")
    assert 'href="/data/iedzivotaji"' in page.text and "slepens" not in page.text
