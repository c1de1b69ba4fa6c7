"""CSV import and export of actual values, and export of the indicator definitions.

Import checks every row first (indicator known, not computed by the platform, the importer
responsible for it, valid values, as many cells as the header, no year given twice) and imports
nothing if any row is wrong, naming each bad row. Files saved by a Latvian spreadsheet, which
separates cells with semicolons, are read too. Export neutralises cells a spreadsheet would run
as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dati.auth.actor import Actor
from dati.auth.permissions import allowed, require
from dati.errors import Conflict, Invalid, PayloadTooLarge
from dati.i18n import gettext as _
from dati.monitoring import live, service
from dati.monitoring.models import ActualValue, Indicator
from dati.monitoring.permissions import IMPORT_ACTUALS, RECORD_ACTUAL, VIEW_MONITORING
from dati.monitoring.progress import current_values
from dati.monitoring.schemas import ActualValueCreate, actual_from_fields

VALUE_COLUMNS = (
    "indicator_code",
    "year",
    "value",
    "value_text",
    "measured_on",
    "source",
    "comment",
)
EXPORT_EXTRA = ("computed", "recorded_at")
REQUIRED = {"indicator_code", "year", "measured_on", "source"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_ROWS = 5000
MAX_BYTES = 2 * 2**20  # 5000 rows of a few hundred characters
# A quotation mark left open swallows the line breaks after it into these cells.
ONE_LINE_COLUMNS = ("indicator_code", "year", "value", "measured_on")


def decode_upload(raw: bytes) -> str:
    """An uploaded file's text; anything but UTF-8 is refused with advice, beside the field."""
    if len(raw) > MAX_BYTES:
        message = _("The file is larger than {mb} MB.", mb=MAX_BYTES // 2**20)
        raise PayloadTooLarge(message, errors={"file": message})
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        message = _(
            "The file is not UTF-8 text. Save the spreadsheet as 'CSV UTF-8' and try again."
        )
        raise Invalid(message, errors={"file": message}) from None


def safe_cell(value: object) -> str:
    """Text that a spreadsheet would evaluate (=, +, -, @, tab, CR) gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _unescape(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


def _number_text(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _write(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()


def export_values(*, session: Session, actor: Actor) -> str:
    """The value in force for every indicator and year, in the import format (plus two
    read-only columns), so a file can be exported, corrected and imported again."""
    require(actor, VIEW_MONITORING)
    indicators = session.scalars(select(Indicator).order_by(Indicator.position))
    values = list(session.scalars(select(ActualValue).order_by(ActualValue.id)))
    rows = []
    for indicator in indicators:
        mine = current_values(v for v in values if v.indicator_id == indicator.id)
        for year in sorted(mine):
            v = mine[year]
            rows.append(
                (
                    indicator.code,
                    year,
                    _number_text(v.value),
                    v.value_text,
                    v.measured_on.isoformat(),
                    v.source,
                    v.comment,
                    "yes" if v.computed else "no",
                    v.recorded_at.isoformat(timespec="seconds"),
                )
            )
    return _write(VALUE_COLUMNS + EXPORT_EXTRA, rows)


def export_indicators(*, session: Session, actor: Actor) -> str:
    """Every indicator definition with its printed reference values, one row per cell."""
    require(actor, VIEW_MONITORING)
    stmt = (
        select(Indicator).options(selectinload(Indicator.references)).order_by(Indicator.position)
    )
    header = (
        "indicator_code", "framework", "group", "name_lv", "name_en", "unit", "responsible",
        "computed", "kind", "year", "value", "value_text", "cell_unit", "note",
    )  # fmt: skip
    rows = [
        (
            i.code,
            i.framework.value,
            i.group_code,
            i.name_lv,
            i.name_en,
            i.unit,
            i.responsible,
            "yes" if live.is_computed(i.code) else "no",
            r.kind.value,
            r.year,
            _number_text(r.value),
            r.value_text,
            r.unit,
            r.note,
        )  # fmt: skip
        for i in session.scalars(stmt)
        for r in i.references
    ]
    return _write(header, rows)


def import_values(*, session: Session, actor: Actor, csv_text: str | bytes) -> int:
    """Record every row of a CSV (columns: VALUE_COLUMNS) or, if any row is wrong, none.
    Takes the text, or an uploaded file's bytes (decoded only after the permission check).
    Returns how many values were recorded."""
    require(actor, IMPORT_ACTUALS)
    if isinstance(csv_text, bytes):
        csv_text = decode_upload(csv_text)
    text = csv_text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    header = [name.strip() for name in next(reader, [])]
    missing = REQUIRED - set(header)
    if missing:
        raise Invalid(
            _("The CSV lacks the column(s): {columns}.", columns=", ".join(sorted(missing)))
        )
    accepted: list[tuple[Indicator, ActualValueCreate]] = []
    errors: dict[str, str] = {}
    first_row_of: dict[tuple[str, int], int] = {}
    for row_no, cells in enumerate(reader, start=2):
        if row_no - 1 > MAX_ROWS:
            raise Invalid(_("A file may hold at most {count} rows.", count=MAX_ROWS))
        if not any(c.strip() for c in cells):
            continue
        where = _("row {number}", number=row_no)
        try:
            indicator, data = _check_row(session, actor, _row_cells(header, cells))
        except (Invalid, Conflict) as exc:
            errors[where] = "; ".join(exc.errors.values()) or exc.detail
            continue
        first = first_row_of.setdefault((indicator.code, data.year), row_no)
        if first != row_no:
            errors[where] = _(
                "Row {row} already gives a value for {code} in {year}; give each year once.",
                row=first,
                code=indicator.code,
                year=data.year,
            )
            continue
        accepted.append((indicator, data))
    if errors:
        raise Invalid(_("Some rows are invalid; nothing was imported."), errors=errors)
    if not accepted:
        raise Invalid(_("The file holds no values."))
    for indicator, data in accepted:
        service.record_imported(session, actor, indicator, data)
    return len(accepted)


def _delimiter(text: str) -> str:
    """A comma, or the semicolon a spreadsheet with Latvian settings separates cells with."""
    first_line = text.split("\n", 1)[0]
    return ";" if first_line.count(";") > first_line.count(",") else ","


def _row_cells(header: list[str], cells: list[str]) -> dict[str, str]:
    """The row's cells by column name; a row that does not fit the header is refused."""
    named = {name: (cell or "").strip() for name, cell in zip(header, cells, strict=False)}
    if any("\n" in named.get(column, "") for column in ONE_LINE_COLUMNS):
        raise Invalid(
            _(
                "A quotation mark opened in this row is not closed, so the row runs on into the next lines."
            )
        )
    if len(cells) > len(header):
        raise Invalid(
            _(
                'The row has {cells} cells but the header has {columns}. Put a decimal comma inside quotation marks ("40,5") or use a point (40.5).',
                cells=len(cells),
                columns=len(header),
            )
        )
    if len(cells) < len(header):
        raise Invalid(
            _(
                "The row has {cells} cells but the header has {columns}.",
                cells=len(cells),
                columns=len(header),
            )
        )
    return {k: _unescape(v) for k, v in named.items() if k in VALUE_COLUMNS}


def _check_row(
    session: Session, actor: Actor, cells: dict[str, str]
) -> tuple[Indicator, ActualValueCreate]:
    code = cells.get("indicator_code", "")
    if not code:
        raise Invalid(_("Enter the indicator code."))
    indicator = service.find_indicator(session, code)
    if indicator is None:
        raise Invalid(_("There is no indicator {code}.", code=code))
    if live.is_computed(code):
        raise Conflict(
            _(
                "The platform computes this indicator from its own data; it cannot be entered by hand."
            )
        )
    if not allowed(actor, RECORD_ACTUAL, indicator):
        raise Invalid(
            _(
                "Only the responsible institution ({org}) records values for {code}.",
                org=indicator.responsible,
                code=code,
            )
        )
    data = actual_from_fields({k: v for k, v in cells.items() if k != "indicator_code"})
    problems = service.validation_errors(indicator, data)
    if problems:
        raise Invalid("; ".join(problems.values()))
    return indicator, data
