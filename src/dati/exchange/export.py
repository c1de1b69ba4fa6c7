"""Turn Arrow batches into CSV, JSON and Parquet bytes, a chunk at a time, for streaming.

CSV leaves the platform for spreadsheets, where a cell starting with =, +, - or @ is run
as a formula (CSV injection); such text cells are prefixed with an apostrophe, the OWASP
advice, so the spreadsheet shows the text instead of executing it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_PATTERN = r"^[=+\-@\t\r]"


def neutralise(value: str) -> str:
    """A text cell a spreadsheet would run as a formula, made inert."""
    return "'" + value if value.startswith(FORMULA_START) else value


def neutralise_batch(batch: pa.RecordBatch) -> pa.RecordBatch:
    """The same for every text column of a batch (numbers stay numbers: -5 is not a formula)."""
    columns = []
    for column in batch.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            risky = pc.fill_null(pc.match_substring_regex(column, _FORMULA_PATTERN), False)
            if pc.any(risky).as_py():
                column = pc.if_else(risky, pc.binary_join_element_wise("'", column, ""), column)
        columns.append(column)
    return pa.RecordBatch.from_arrays(columns, schema=batch.schema)


class _Sink(io.RawIOBase):
    """Collects what a writer produced so far, to hand it out chunk by chunk."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def csv_chunks(
    schema: pa.Schema, batches: Iterable[pa.RecordBatch], *, bom: bool = False
) -> Iterator[bytes]:
    """RFC 4180 CSV with a header, neutralised against formula injection."""
    sink = _Sink()
    if bom:
        sink.write(b"\xef\xbb\xbf")
    writer = pacsv.CSVWriter(sink, schema, write_options=pacsv.WriteOptions(quoting_style="needed"))
    if schema.names:
        yield sink.take()
    for batch in batches:
        writer.write_batch(neutralise_batch(batch))
        chunk = sink.take()
        if chunk:
            yield chunk
    writer.close()
    tail = sink.take()
    if tail:
        yield tail


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(type(value).__name__)


def json_value(value: Any) -> Any:
    return (
        _json_default(value)
        if isinstance(value, datetime | date | time | Decimal | bytes)
        else value
    )


def json_rows_chunks(
    batches: Iterable[pa.RecordBatch], *, prefix: str, suffix: str
) -> Iterator[bytes]:
    """``prefix`` + a JSON array of row objects + ``suffix``, built batch by batch."""
    yield prefix.encode()
    first = True
    for batch in batches:
        rows = batch.to_pylist()
        if not rows:
            continue
        text = ",".join(json.dumps(r, ensure_ascii=False, default=_json_default) for r in rows)
        yield (text if first else "," + text).encode()
        first = False
    yield suffix.encode()


def parquet_chunks(schema: pa.Schema, batches: Iterable[pa.RecordBatch]) -> Iterator[bytes]:
    sink = _Sink()
    writer = pq.ParquetWriter(sink, schema, compression="zstd")
    for batch in batches:
        writer.write_batch(batch)
        chunk = sink.take()
        if chunk:
            yield chunk
    writer.close()
    yield sink.take()


class QuarantineWriter:
    """Rows refused at publishing, as a CSV the publisher can download, fix and upload again."""

    def __init__(self, path: Any, columns: list[str]):
        self.path = path
        self.count = 0
        self._fh = open(path, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed in close()
        self._writer = csv.writer(self._fh)
        self._writer.writerow(["row", "problems", *columns, "raw_text"])
        self._width = len(columns)

    def write(
        self, row: int, problems: list[str], values: list[str | None] | None, raw_text: str = ""
    ) -> None:
        cells = list(values) if values is not None else [None] * self._width
        self._writer.writerow(
            [row, "; ".join(problems)]
            + [neutralise(v) if v else "" for v in cells]
            + [neutralise(raw_text)]
        )
        self.count += 1

    def close(self) -> None:
        self._fh.close()
