"""Read a dataset from a file or a database table as a stream of Arrow record batches.

Every reader keeps memory bounded: CSV is parsed by Arrow's streaming reader, XLSX by
openpyxl's read-only mode, NDJSON and database rows in fixed-size batches. Text formats
hand over string columns; validation converts them to the Table Schema's types.
"""

from __future__ import annotations

import bisect
import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from dati.errors import Invalid
from dati.exchange.csvstream import csv_batches
from dati.exchange.encoding import Dialect, detect_dialect, sample_text
from dati.i18n import gettext as _

MAX_COLUMNS = 1000
BATCH_ROWS = 65536
JSON_ARRAY_MAX_BYTES = 256 << 20
FORMATS = ("csv", "xlsx", "json", "ndjson", "parquet")

Progress = Callable[[int, int], None]  # (done, total) in bytes or rows


@dataclass
class RejectedRow:
    """A row the reader could not split into the header's columns."""

    row: int
    text: str
    message: str


@dataclass
class Source:
    """An opened dataset: its columns and a one-shot stream of batches.

    ``row`` numbers follow what the user sees: in CSV and XLSX the header is row 1,
    in JSON and database tables the first record is row 1.
    """

    name: str
    format: str
    columns: list[str]
    _batches: Iterator[pa.RecordBatch]
    first_row: int = 2
    # Rows the reader skipped: ``rejected`` waits to be drained by the consumer after each
    # batch (so memory stays bounded); ``skipped`` keeps only their numbers.
    rejected: list[RejectedRow] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)

    def batches(self) -> Iterator[pa.RecordBatch]:
        return self._batches

    def row_number(self, index: int) -> int:
        """The user-visible row number of the ``index``-th row yielded (0-based)."""
        number = index + self.first_row
        skipped = self.skipped
        if not skipped:
            return number
        # Rejected rows occupy numbers too: shift past every one at or before the answer.
        while True:
            shifted = index + self.first_row + bisect.bisect_right(skipped, number)
            if shifted == number:
                return number
            number = shifted

    def reject(self, row: int, text: str, message: str) -> None:
        bisect.insort(self.skipped, row)
        self.rejected.append(RejectedRow(row, text[:1000], message))

    def drain_rejected(self) -> list[RejectedRow]:
        rows, self.rejected = self.rejected, []
        return rows


def _invalid(message: str) -> Invalid:
    return Invalid(message, errors={"file": message})


def check_header(columns: list[str]) -> list[str]:
    """Column names must exist, be unique and be few enough to be a table rather than an accident."""
    if len(columns) > MAX_COLUMNS:
        raise _invalid(
            _(
                "The file has {count} columns; at most {limit} are supported. Is it a table?",
                count=len(columns),
                limit=MAX_COLUMNS,
            )
        )
    names = [c.strip() for c in columns]
    if not names or all(not n for n in names):
        raise _invalid(_("The first row must name the columns, but it is empty."))
    for position, name in enumerate(names, start=1):
        if not name:
            raise _invalid(_("Column {position} has no name in the header row.", position=position))
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise _invalid(_("The header names the column {name} twice.", name=name))
        seen.add(name)
    return names


def open_csv(
    path: Path,
    *,
    delimiter: str | None = None,
    encoding: str | None = None,
    progress: Progress | None = None,
) -> Source:
    dialect = detect_dialect(path, delimiter=delimiter, encoding=encoding)
    header = _csv_header(path, dialect)
    source = Source(name=path.name, format="csv", columns=header, _batches=iter(()))
    source._batches = csv_batches(path, header, dialect, source.reject, progress)
    return source


def _csv_header(path: Path, dialect: Dialect) -> list[str]:
    text = sample_text(path, dialect.encoding).lstrip("\ufeff")
    if not text.strip():
        raise _invalid(_("The file is empty."))
    first = next(
        csv.reader(io.StringIO(text), delimiter=dialect.delimiter, quotechar=dialect.quotechar)
    )
    return check_header(first)


def cell_text(value: Any) -> str | None:
    """A spreadsheet, JSON or database value as the text a CSV export would hold."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.time() == time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bytes):
        return value.hex()
    text = str(value)
    return text if text != "" else None


def _string_batches(
    columns: list[str], rows: Iterator[list[str | None]], size: int = BATCH_ROWS
) -> Iterator[pa.RecordBatch]:
    schema = pa.schema([(c, pa.string()) for c in columns])
    buffer: list[list[str | None]] = []
    for row in rows:
        buffer.append(row)
        if len(buffer) >= size:
            yield pa.RecordBatch.from_arrays(
                [pa.array(col, pa.string()) for col in zip(*buffer, strict=True)], schema=schema
            )
            buffer = []
    if buffer:
        yield pa.RecordBatch.from_arrays(
            [pa.array(col, pa.string()) for col in zip(*buffer, strict=True)], schema=schema
        )


def open_xlsx(path: Path, *, progress: Progress | None = None) -> Source:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise _invalid(_("This is not an Excel (.xlsx) workbook.")) from None
    sheet = workbook.worksheets[0]
    total = sheet.max_row or 0
    rows = sheet.iter_rows(values_only=True)
    header_row: tuple[Any, ...] = ()
    for header_row in rows:
        if any(v not in (None, "") for v in header_row):
            break
    else:
        workbook.close()
        raise _invalid(_("The file is empty."))
    raw = [cell_text(v) or "" for v in header_row]
    while raw and not raw[-1]:
        raw.pop()
    columns = check_header(raw)
    source = Source(name=path.name, format="xlsx", columns=columns, _batches=iter(()))
    width = len(columns)

    def cells() -> Iterator[list[str | None]]:
        try:
            for number, values in enumerate(rows, start=2):
                texts = [cell_text(v) for v in values]
                if all(t is None for t in texts):
                    continue
                if any(t is not None for t in texts[width:]):
                    source.reject(
                        number,
                        ";".join(t or "" for t in texts),
                        _("Row has values beyond the last named column."),
                    )
                    continue
                texts = (texts + [None] * width)[:width]
                if progress and number % 10000 == 0:
                    progress(number, total)
                yield texts
        finally:
            workbook.close()

    source._batches = _string_batches(columns, cells())
    return source


def open_json(path: Path, *, progress: Progress | None = None) -> Source:
    """A JSON array of objects (read whole, so limited in size) or NDJSON (streamed)."""
    with path.open("rb") as fh:
        head = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise _invalid(_("The file is empty."))
    if head.startswith(b"["):
        if path.stat().st_size > JSON_ARRAY_MAX_BYTES:
            raise _invalid(
                _(
                    "A JSON array this large cannot be streamed; save it as NDJSON (one object per line)."
                )
            )
        try:
            records = json.loads(path.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise _invalid(
                _("The file is not valid JSON: {reason}", reason=str(exc)[:200])
            ) from None
        return _records_source(path.name, "json", iter(enumerate(records, start=1)), progress)
    return _records_source(path.name, "ndjson", _ndjson_records(path), progress)


def _ndjson_records(path: Path) -> Iterator[tuple[int, Any]]:
    with path.open(encoding="utf-8-sig", errors="strict") as fh:
        try:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    yield number, json.loads(line)
                except json.JSONDecodeError:
                    yield number, line
        except UnicodeDecodeError:
            raise _invalid(_("The file is not UTF-8 text, as JSON must be.")) from None


def _records_source(
    name: str, fmt: str, records: Iterator[tuple[int, Any]], progress: Progress | None
) -> Source:
    head: list[tuple[int, Any]] = []
    for item in records:
        head.append(item)
        if len(head) >= 1000:
            break
    columns: list[str] = []
    for _number, record in head:
        if isinstance(record, dict):
            columns.extend(k for k in record if k not in columns)
    if not head:
        raise _invalid(_("The file has no records."))
    if not columns:
        raise _invalid(_("The file holds no JSON objects; each record must be an object."))
    columns = check_header(columns)
    known = set(columns)
    source = Source(name=name, format=fmt, columns=columns, _batches=iter(()), first_row=1)

    def rows() -> Iterator[list[str | None]]:
        for number, record in _chain(head, records):
            if not isinstance(record, dict):
                source.reject(number, str(record), _("The record is not a JSON object."))
                continue
            extra = [k for k in record if k not in known]
            if extra:
                source.reject(
                    number,
                    json.dumps(record, ensure_ascii=False),
                    _("The record has fields not in the header: {names}", names=", ".join(extra)),
                )
                continue
            if progress and number % 10000 == 0:
                progress(number, 0)
            yield [cell_text(record.get(c)) for c in columns]

    source._batches = _string_batches(columns, rows())
    return source


def _chain(
    head: list[tuple[int, Any]], rest: Iterator[tuple[int, Any]]
) -> Iterator[tuple[int, Any]]:
    yield from head
    yield from rest


def open_parquet(path: Path, *, progress: Progress | None = None) -> Source:
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError):
        raise _invalid(_("This is not a Parquet file.")) from None
    columns = check_header(list(parquet.schema_arrow.names))
    total = parquet.metadata.num_rows

    def batches() -> Iterator[pa.RecordBatch]:
        done = 0
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
            done += batch.num_rows
            if progress:
                progress(done, total)
            yield batch

    return Source(
        name=path.name, format="parquet", columns=columns, _batches=batches(), first_row=1
    )


def open_file(
    path: Path,
    *,
    format: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    progress: Progress | None = None,
) -> Source:
    """Open ``path`` by its format (from the name when not given)."""
    fmt = (format or _format_from_name(path.name)).lower()
    if not path.is_file():
        raise _invalid(_("There is no file at {path}.", path=str(path)))
    if path.stat().st_size == 0:
        raise _invalid(_("The file is empty."))
    if fmt == "csv":
        return open_csv(path, delimiter=delimiter, encoding=encoding, progress=progress)
    if fmt == "xlsx":
        return open_xlsx(path, progress=progress)
    if fmt in ("json", "ndjson"):
        return open_json(path, progress=progress)
    if fmt == "parquet":
        return open_parquet(path, progress=progress)
    raise _invalid(
        _("Unsupported file type {format}; use CSV, XLSX, JSON, NDJSON or Parquet.", format=fmt)
    )


def _format_from_name(name: str) -> str:
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return {"txt": "csv", "tsv": "csv", "jsonl": "ndjson", "pq": "parquet"}.get(suffix, suffix)
