"""CSV import (all or nothing, row-level errors) and export (formula-safe, re-importable)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dati.auth.actor import Actor, Role
from dati.errors import Forbidden, Invalid, NotAuthenticated
from dati.monitoring import service, transfer
from dati.monitoring.models import ActualValue
from dati.monitoring.schemas import LoadResult
from tests.conftest import MakeUser
from tests.monitoring.conftest import PAST_YEAR, value

HEADER = "indicator_code,year,value,value_text,measured_on,source,comment\n"


def _count(session: Session) -> int:
    return session.scalar(select(func.count(ActualValue.id))) or 0


def test_a_good_file_is_imported_with_latvian_decimals(
    session: Session, make_user: MakeUser, indicators: LoadResult
) -> None:
    em = make_user("em-steward", (Role.STEWARD, "EM"))
    text = (
        "\ufeff"
        + HEADER
        + (
            'cloud,2025,"40,5",,2025-12-31,Eurostat,\n'
            "ai,2025,21.0,,2025-12-31,Eurostat,Pirmais novērtējums\n"
            "semiconductors,2025,,Memorands parakstīts,2025-11-01,EM,\n"
        )
    )
    assert transfer.import_values(session=session, actor=em, csv_text=text) == 3
    cloud = service.get_progress(session=session, actor=em, code="cloud", year=2025)
    assert cloud.focus.actual is not None and cloud.focus.actual.value == 40.5


def test_any_bad_row_refuses_the_whole_file_and_names_each_row(
    session: Session, make_user: MakeUser, indicators: LoadResult
) -> None:
    em = make_user("em-steward", (Role.STEWARD, "EM"))
    text = HEADER + (
        "cloud,2025,40.5,,2025-12-31,Eurostat,\n"  # fine
        "nope,2025,1,,2025-12-31,x,\n"  # unknown indicator
        "basic_digital_skills,2025,60,,2025-12-31,x,\n"  # IZM's indicator
        "institutions_data_steward_share,2025,60,,2025-12-31,x,\n"  # computed
        "ai,2025,daudz,,2025-12-31,x,\n"  # not a number
        "big_data,2025,10,,31.12.2025,x,\n"  # wrong date format
        "sme_basic_digital_intensity,2025,130,,2025-12-31,x,\n"  # over 100 %
    )
    with pytest.raises(Invalid) as exc:
        transfer.import_values(session=session, actor=em, csv_text=text)
    # Keys read "3. rinda" in Latvian and "row 3" in English.
    errors = {re.sub(r"\D", "", key): message for key, message in exc.value.errors.items()}
    assert set(errors) == {str(n) for n in range(3, 9)}  # "3. rinda" … "8. rinda"
    assert "nope" in errors["3"] and "IZM" in errors["4"]
    assert "100" in errors["8"]
    assert _count(session) == 0


def test_missing_columns_and_empty_files_are_refused(
    session: Session, system: Actor, indicators: LoadResult
) -> None:
    with pytest.raises(Invalid) as exc:
        transfer.import_values(
            session=session, actor=system, csv_text="indicator_code,value\ncloud,1\n"
        )
    assert "measured_on" in exc.value.detail and "source" in exc.value.detail
    with pytest.raises(Invalid):
        transfer.import_values(session=session, actor=system, csv_text=HEADER)


@pytest.mark.parametrize(
    ("grants", "error"), [((), NotAuthenticated), (((Role.PUBLISHER, "EM"),), Forbidden)]
)
def test_only_stewards_import(
    session: Session,
    make_user: MakeUser,
    indicators: LoadResult,
    grants: tuple,
    error: type[Exception],
) -> None:
    actor = make_user("someone", *grants) if grants else Actor.anonymous()
    with pytest.raises(error):
        transfer.import_values(
            session=session, actor=actor, csv_text=HEADER + "cloud,2025,1,,2025-12-31,x,\n"
        )


def test_export_neutralises_formulas_and_round_trips(
    session: Session, system: Actor, indicators: LoadResult
) -> None:
    service.record_actual(
        session=session, actor=system, code="cloud",
        data=value(PAST_YEAR, 40.5, comment='=HYPERLINK("http://evil","x")', source="@SUM(A1)"),
    )  # fmt: skip
    exported = transfer.export_values(session=session, actor=Actor.anonymous())
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert len(rows) == 1
    assert rows[0]["comment"].startswith("'=HYPERLINK") and rows[0]["source"] == "'@SUM(A1)"
    assert rows[0]["value"] == "40.5" and rows[0]["computed"] == "no"
    # Import the exported file again: the apostrophes come off and a correction is recorded.
    assert transfer.import_values(session=session, actor=system, csv_text=exported) == 1
    history = service.list_history(session=session, actor=system, code="cloud")
    assert (
        history[0].comment == '=HYPERLINK("http://evil","x")'
        and history[0].replaces_id == history[1].id
    )


def test_indicator_export_keeps_printed_cells(session: Session, indicators: LoadResult) -> None:
    exported = transfer.export_indicators(session=session, actor=Actor.anonymous())
    rows = list(csv.DictReader(io.StringIO(exported)))
    skills_2028 = [
        r for r in rows if r["indicator_code"] == "basic_digital_skills" and r["year"] == "2028"
    ]
    assert skills_2028[0]["value"] == "" and skills_2028[0]["value_text"] == "Vismaz 70%"
    assert any(r["cell_unit"] == "households" for r in rows)
    assert all(not r[k].startswith(("=", "+", "@")) for r in rows for k in r)


def test_safe_cell() -> None:
    assert [transfer.safe_cell(v) for v in ("=1+1", "+3", "-2", "@x", "\tx", "ok", None, 5)] == [
        "'=1+1", "'+3", "'-2", "'@x", "'\tx", "ok", "", "5",
    ]  # fmt: skip
