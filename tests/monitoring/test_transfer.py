"""CSV import (all or nothing, row-level errors) and export (formula-safe, re-importable)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dati.auth.actor import Actor, Role
from dati.errors import Forbidden, Invalid, NotAuthenticated, PayloadTooLarge
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


def _row_errors(exc: pytest.ExceptionInfo[Invalid]) -> dict[str, str]:
    return {re.sub(r"\D", "", key): message for key, message in exc.value.errors.items()}


def test_broken_rows_are_named_with_what_to_fix(
    session: Session, make_user: MakeUser, indicators: LoadResult
) -> None:
    em = make_user("em-steward", (Role.STEWARD, "EM"))
    text = HEADER + (
        "cloud,2025,40,5,,2025-12-31,Eurostat,\n"  # 2: a decimal comma outside quotes
        "ai,2025,21\n"  # 3: too few cells
        ",2025,21,,2025-12-31,x,\n"  # 4: no indicator code
        "big_data,2025,10,,2025-12-31,x,\n"  # 5: fine
        "big_data,2025,11,,2025-12-31,x,\n"  # 6: the same year again
        'sme_basic_digital_intensity,2025,"50,,2025-12-31,x,\n'  # 7: a quote left open...
        "unicorns,2025,1,,2025-12-31,x,\n"  # ...swallows this line into row 7
    )
    with pytest.raises(Invalid) as exc:
        transfer.import_values(session=session, actor=em, csv_text=text)
    errors = _row_errors(exc)
    assert set(errors) == {"2", "3", "4", "6", "7"}
    assert "rindā: 8, galvenē: 7" in errors["2"] and '"40,5"' in errors["2"]
    assert "rindā: 3, galvenē: 7" in errors["3"]
    assert "rādītāja kodu" in errors["4"]
    assert "5. rindā" in errors["6"] and "2025" in errors["6"]
    assert "pēdiņas nav aizvērtas" in errors["7"]
    assert _count(session) == 0


def test_a_file_saved_with_semicolons_is_read(
    session: Session, make_user: MakeUser, indicators: LoadResult
) -> None:
    """Spreadsheets with Latvian settings separate cells with semicolons (the comma is the
    decimal mark)."""
    em = make_user("em-steward", (Role.STEWARD, "EM"))
    text = HEADER.replace(",", ";") + "cloud;2025;40,5;;2025-12-31;CSP; dati, 2025\n"
    assert transfer.import_values(session=session, actor=em, csv_text=text.encode()) == 1
    history = service.list_history(session=session, actor=em, code="cloud")
    assert history[0].value == 40.5 and history[0].comment == "dati, 2025"


def test_a_file_not_in_utf8_or_too_large_is_refused_beside_the_file_field(
    session: Session, system: Actor, indicators: LoadResult
) -> None:
    latin = (HEADER + "cloud,2025,40,,2025-12-31,Centrālā statistikas pārvalde,\n").encode("cp1257")
    with pytest.raises(Invalid) as exc:
        transfer.import_values(session=session, actor=system, csv_text=latin)
    assert "UTF-8" in exc.value.errors["file"]
    huge = HEADER.encode() + b"x" * transfer.MAX_BYTES
    with pytest.raises(PayloadTooLarge) as too_large:
        transfer.import_values(session=session, actor=system, csv_text=huge)
    assert "2 MB" in too_large.value.errors["file"]
    assert _count(session) == 0


def test_the_permission_is_checked_before_the_file_is_read(
    session: Session, indicators: LoadResult
) -> None:
    with pytest.raises(NotAuthenticated):
        transfer.import_values(session=session, actor=Actor.anonymous(), csv_text=b"\xff\xfe")


def test_control_characters_are_refused(
    session: Session, system: Actor, indicators: LoadResult
) -> None:
    """NUL cannot be stored in PostgreSQL text; no control character belongs in a value."""
    text = HEADER + 'cloud,2025,40,,2025-12-31,"CSP\x00",\n'
    with pytest.raises(Invalid) as exc:
        transfer.import_values(session=session, actor=system, csv_text=text)
    assert "vadības rakstzīmes" in _row_errors(exc)["2"]
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
