"""Organisations: reference data, import, permissions."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dati.auth.actor import Actor, Role
from dati.errors import Forbidden, Invalid
from dati.orgs import service
from dati.orgs.models import OrgKind
from tests.conftest import MakeUser


def test_reference_organisations_are_loaded(session: Session) -> None:
    anyone = Actor.anonymous()
    assert (
        len(service.list_organisations(session=session, actor=anyone, kind=OrgKind.MINISTRY)) == 15
    )  # 14 + VK
    assert (
        len(service.list_organisations(session=session, actor=anyone, kind=OrgKind.MUNICIPALITY))
        == 43
    )
    vzd = service.get_organisation(session=session, actor=anyone, short_name="vzd")
    assert vzd.parent is not None and vzd.parent.short_name == "TM"
    assert (
        service.get_organisation(session=session, actor=anyone, short_name="ĀM").name_en
        == "Ministry of Foreign Affairs"
    )


def test_import_refuses_the_whole_file_when_a_row_is_bad(session: Session, system: Actor) -> None:
    csv_text = "short_name,name_lv,kind\nNEW1,Jauna iestāde,agency\nNEW2,,agency\n"
    with pytest.raises(Invalid) as exc:
        service.import_organisations(session=session, actor=system, csv_text=csv_text)
    assert "row 3" in exc.value.errors
    assert service.find_by_short_name(session, "NEW1") is None


def test_import_creates_and_updates(session: Session, system: Actor) -> None:
    csv_text = "\ufeffshort_name,name_lv,name_en,kind,parent_short_name\nNEW1,Jauna iestāde,New agency,agency,VARAM\nVZD,Valsts zemes dienests,State Land Service,agency,TM\n"
    assert service.import_organisations(session=session, actor=system, csv_text=csv_text) == (1, 1)
    new = service.find_by_short_name(session, "NEW1")
    assert new is not None and new.parent is not None and new.parent.short_name == "VARAM"


def test_only_admins_import(session: Session, make_user: MakeUser) -> None:
    steward = make_user("anna", (Role.STEWARD, "VZD"))
    with pytest.raises(Forbidden):
        service.import_organisations(
            session=session, actor=steward, csv_text="short_name,name_lv,kind\n"
        )


def test_import_over_http_rejects_non_utf8(client: TestClient, make_user: MakeUser) -> None:
    from dati.auth import service as auth_service
    from dati.auth.schemas import TokenCreate

    admin = make_user("root", (Role.ADMIN, None))
    _, secret = auth_service.create_token(
        session=client.app.state.database.new_session(),
        actor=admin,
        data=TokenCreate(name="t", role=Role.ADMIN),
    )
    r = client.post(
        "/api/v1/organisations/import",
        headers={"authorization": f"Bearer {secret}"},
        files={
            "file": (
                "orgs.csv",
                "short_name,name_lv,kind\nX,Rīga,agency\n".encode("cp1257"),
                "text/csv",
            )
        },
    )
    assert r.status_code == 422 and "UTF-8" in r.json()["detail"]


def test_organisation_pages(client: TestClient) -> None:
    page = client.get("/organisations?kind=municipality")
    assert (
        page.status_code == 200 and "Rīga" in page.text and "Valsts zemes dienests" not in page.text
    )
    detail = client.get("/organisations/VZD")
    assert "Tieslietu ministrija" in detail.text
    assert client.get("/organisations/NOPE").status_code == 404
