"""Bulk import from the spreadsheet template: row-level errors, valid rows in, nothing half-written."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dati.auth.actor import Actor, Role
from dati.catalog import spreadsheet
from dati.catalog.models import Distribution, Resource
from tests.conftest import MakeUser, csrf_from

HEADER = "title_lv,owner,access_rights,themes,temporal_start,temporal_end,access_url,format,name\n"


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_valid_rows_are_imported_and_bad_rows_reported(session: Session, system: Actor) -> None:
    csv = HEADER + (
        "Adrešu reģistrs,VZD,public,REGI;GOVE,2020-01-01,,https://data.gov.lv/a,CSV,\n"
        ",VZD,public,,,,,,\n"
        "Kadastrs,VZD,public,KOSMOSS,,,,,\n"
        "Periods,VZD,public,,2024-01-01,2023-01-01,,,\n"
        "Ar sliktu saiti,VZD,public,,,,nav-adrese,CSV,\n"
        "Transportlīdzekļi,CSDD,restricted,TRAN,,,,,\n"
    )
    before = (count(session, Resource), count(session, Distribution))
    report = spreadsheet.import_resources(
        session=session, actor=system, filename="r.csv", content=csv.encode()
    )
    assert report.created == ["adresu-registrs", "transportlidzekli"]
    errors = {(e.row, e.field) for e in report.errors}
    assert errors == {(3, "title_lv"), (4, "themes"), (5, "temporal_end"), (6, "access_url")}
    # the row whose distribution failed left no resource behind
    assert (count(session, Resource), count(session, Distribution)) == (
        before[0] + 2,
        before[1] + 1,
    )
    assert (
        session.scalars(select(Resource).where(Resource.name == "ar-sliktu-saiti")).first() is None
    )


def test_the_template_round_trips_and_updates_existing_rows(
    session: Session, system: Actor
) -> None:
    book = load_workbook(io.BytesIO(spreadsheet.template_xlsx()))
    sheet = book["Resursi"]
    assert sheet.cell(1, 2).value == "Nosaukums (LV)"
    out = io.BytesIO()
    book.save(out)
    first = spreadsheet.import_resources(
        session=session, actor=system, filename="t.xlsx", content=out.getvalue()
    )
    assert first.created == ["valsts-adresu-registrs"] and not first.errors
    sheet.cell(2, 1).value = "valsts-adresu-registrs"
    sheet.cell(2, 3).value = "State Address Register (updated)"
    out = io.BytesIO()
    book.save(out)
    second = spreadsheet.import_resources(
        session=session, actor=system, filename="t.xlsx", content=out.getvalue()
    )
    assert second.updated == ["valsts-adresu-registrs"] and not second.errors
    resource = session.scalars(
        select(Resource).where(Resource.name == "valsts-adresu-registrs")
    ).one()
    assert resource.title_en == "State Address Register (updated)"


def test_stewards_import_only_for_their_institution(session: Session, make_user: MakeUser) -> None:
    steward = make_user("anna", (Role.STEWARD, "VZD"))
    csv = HEADER + "Adreses,VZD,public,,,,,,\nUzņēmumi,UR,public,,,,,,\n"
    report = spreadsheet.import_resources(
        session=session, actor=steward, filename="r.csv", content=csv.encode()
    )
    assert report.created == ["adreses"]
    assert [(e.row, e.field) for e in report.errors] == [(3, "row")]


def test_a_file_without_the_template_header_is_refused(session: Session, system: Actor) -> None:
    book = Workbook()
    book.active.append(["Nosaukums", "Kaut kas"])  # type: ignore[union-attr]
    out = io.BytesIO()
    book.save(out)
    import pytest

    from dati.errors import Invalid

    with pytest.raises(Invalid) as exc:
        spreadsheet.import_resources(
            session=session, actor=system, filename="x.xlsx", content=out.getvalue()
        )
    assert "file" in exc.value.errors


def test_import_page(client: TestClient, login, make_user: MakeUser) -> None:  # type: ignore[no-untyped-def]
    make_user("anna", (Role.STEWARD, "VZD"))
    login("anna")
    page = client.get("/catalog/import")
    assert "template.xlsx" in page.text
    csv = HEADER + "Adreses,VZD,public,,,,,,\n,VZD,public,,,,,,\n"
    r = client.post(
        "/catalog/import",
        data={"csrf_token": csrf_from(page.text)},
        files={"file": ("r.csv", csv.encode(), "text/csv")},
    )
    assert r.status_code == 200
    assert "Izveidoti: 1" in r.text and "Ievadiet nosaukumu latviešu valodā." in r.text
