"""Arrow's CSV reader, fast in the common case and exact in the others.

The fast read assumes what almost every file is: UTF-8 (when its first block is) and
without ragged rows, and parses on a thread of its own, a few blocks ahead of the consumer
(Arrow's streaming reader parses in the thread that asks for the next batch, so without it
parsing, validating and sorting would take turns on one core). Arrow checks UTF-8 in every
value, so a file that breaks the assumption makes the read fail, never silently change text.
Then the file is read again in the slower, exact way — on one thread, where a ragged row
has a row number to report, and in the encoding the whole file turns out to have — and
the rows already handed out are skipped, so the consumer sees one continuous stream.
"""

from __future__ import annotations

import contextlib
import contextvars
import queue
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from dati.errors import Invalid
from dati.exchange.encoding import Dialect, detect_encoding
from dati.i18n import gettext as _

# Small blocks bound memory: while DuckDB sorts straight from the stream it holds on to dozens
# of batches (~45 MB of Arrow memory at 1 MB blocks, ~360 MB at 8 MB); parsing is no slower.
BLOCK = 1 << 20
READ_AHEAD = 4  # parsed batches waiting for the consumer

Progress = Callable[[int, int], None]  # (done, total) in bytes
Reject = Callable[[int, str, str], None]  # (row number, row text, message)


def _unreadable(exc: pa.ArrowInvalid) -> Invalid:
    message = _("The file could not be read as CSV: {reason}", reason=str(exc)[:300])
    return Invalid(message, errors={"file": message})


def csv_batches(
    path: Path,
    header: list[str],
    dialect: Dialect,
    reject: Reject,
    progress: Progress | None = None,
) -> Iterator[pa.RecordBatch]:
    """The data rows of ``path`` as string batches; rows of the wrong width go to ``reject``."""
    encoding = dialect.encoding
    unchecked = dialect.assumed  # UTF-8 seen in the first block only
    threaded = True
    handed_out = 0  # rows yielded so far: a new attempt skips them
    recorded: set[int] = set()  # rows already passed to ``reject``
    total = path.stat().st_size
    shown = 0
    while True:
        attempt = _Attempt(path, header, dialect, encoding, threaded, reject, recorded)
        skip = handed_out
        try:
            for batch, done in attempt.read():
                if progress and done > shown:  # a new attempt re-reads what was shown
                    shown = done
                    progress(done, total)
                if skip >= batch.num_rows:
                    skip -= batch.num_rows
                    continue
                if skip:
                    batch, skip = batch.slice(skip), 0
                handed_out += batch.num_rows
                yield batch
            return
        except pa.ArrowInvalid as exc:
            failure = exc
        if attempt.ragged:
            threaded = False  # read again on one thread, which knows row numbers
        elif unchecked:
            unchecked = False
            # Raises the clear message for a file that mixes encodings. A file that is wholly
            # in a legacy encoding has no UTF-8 letters (see detect_encoding), so the rows
            # already handed out were ASCII, which reads the same in that encoding.
            found = detect_encoding(path)
            if found.startswith("utf-8"):
                raise _unreadable(failure) from None
            encoding = found
        else:
            raise _unreadable(failure) from None


class _Attempt:
    def __init__(
        self,
        path: Path,
        header: list[str],
        dialect: Dialect,
        encoding: str,
        threaded: bool,
        reject: Reject,
        recorded: set[int],
    ):
        self.path, self.header, self.dialect = path, header, dialect
        self.encoding, self.threaded = encoding, threaded
        self.reject, self.recorded = reject, recorded
        self.ragged = False

    def on_invalid_row(self, row: Any) -> str:
        if row.number is None or row.number < 0:
            self.ragged = True
            return "error"
        if row.number not in self.recorded:
            self.recorded.add(row.number)
            self.reject(
                row.number,
                row.text,
                _(
                    "Row has {actual} values but the header has {expected} columns.",
                    actual=row.actual_columns,
                    expected=row.expected_columns,
                ),
            )
        return "skip"

    def read(self) -> Iterator[tuple[pa.RecordBatch, int]]:
        """Batches with how many bytes of the file were read by then."""
        # Arrow's own file (not a Python one), so reading ahead needs no interpreter lock.
        raw = pa.OSFile(str(self.path), "rb")
        try:
            reader = pacsv.open_csv(
                raw,
                read_options=pacsv.ReadOptions(
                    column_names=self.header,
                    skip_rows=1,
                    block_size=BLOCK,
                    use_threads=self.threaded,
                    encoding="utf8" if self.encoding.startswith("utf-8") else self.encoding,
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=self.dialect.delimiter,
                    quote_char=self.dialect.quotechar,
                    newlines_in_values=True,
                    invalid_row_handler=self.on_invalid_row,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(self.header, pa.string()),
                    null_values=[""],
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=True,
                ),
            )
            try:
                if self.threaded:
                    yield from _read_ahead(reader, raw)
                else:
                    for batch in reader:
                        yield batch, raw.tell()
            finally:
                reader.close()  # stops reading ahead before the file closes
        finally:
            raw.close()


_END = object()


def _read_ahead(reader: Any, raw: Any) -> Iterator[tuple[pa.RecordBatch, int]]:
    """Parse on a thread of its own (Arrow needs no interpreter lock to parse), a few batches
    ahead of the consumer, which validates and sorts meanwhile."""
    ready: queue.Queue[Any] = queue.Queue(maxsize=READ_AHEAD)
    stop = threading.Event()

    def parse() -> None:
        try:
            for batch in reader:
                if stop.is_set():
                    return
                ready.put((batch, raw.tell()))
            ready.put(_END)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            ready.put(exc)

    context = contextvars.copy_context()  # the request's language, should Arrow call back
    parser = threading.Thread(
        target=context.run, args=(parse,), name="dati-csv-parser", daemon=True
    )
    parser.start()
    try:
        while (item := ready.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while parser.is_alive():  # unblock a parser waiting for room
            with contextlib.suppress(queue.Empty):
                ready.get_nowait()
            parser.join(0.01)
