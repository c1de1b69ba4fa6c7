"""From an opened source to a Parquet file ready to become a version, in bounded memory.

Batches stream through validation into a temporary Arrow file; DuckDB, capped at
``storage.MEMORY_LIMIT`` and spilling to disk, then checks unique keys across the whole
file (and the current version, for append and upsert) and writes the sorted version file.
A replacing version is sorted and written by DuckDB from the validated stream itself,
while the file is still being read; the staged file serves when something must be reported.
Nothing here touches the database: ``service.publish_version`` decides and records.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset
import pyarrow.parquet as pq

from dati.errors import Invalid
from dati.exchange.export import QuarantineWriter
from dati.exchange.fields import ROW, CompiledSchema
from dati.exchange.readers import Source, cell_text
from dati.exchange.storage import (
    ROW_GROUP_ROWS,
    STAGED,
    DatasetStore,
    Duplicate,
    combined_sql,
    find_duplicates,
    ident,
    surplus_rows_sql,
    write_version,
)
from dati.exchange.validation import CellError, ValidationReport, Validator
from dati.i18n import gettext as _

MODES = ("replace", "append", "upsert")


@dataclass
class IngestOutcome:
    file: Path
    report: ValidationReport
    duplicates: list[Duplicate] = field(default_factory=list)
    quarantine: Path | None = None
    quarantined: int = 0


def ingest(
    source: Source,
    schema: CompiledSchema,
    store: DatasetStore,
    *,
    mode: str = "replace",
    current: Path | None = None,
    quarantine: bool = False,
) -> IngestOutcome:
    """Validate ``source`` and build the next version's file; refuse bad data unless quarantining."""
    if mode not in MODES:
        raise Invalid(_("Unknown publishing mode {mode}.", mode=mode), errors={"mode": mode})
    if mode == "upsert" and not schema.primary_key:
        message = _("Upsert needs a primary key in the table schema.")
        raise Invalid(message, errors={"mode": message})
    validator = Validator(schema, source)
    staged = store.temp_path(".staged.arrow")
    final = store.temp_path(".parquet")
    bad_file = store.temp_path(".csv") if quarantine else None
    bad = QuarantineWriter(bad_file, source.columns) if bad_file else None
    try:
        with store.duckdb() as conn:
            staging = _Staging(source, validator, staged, bad)
            written = False
            if mode == "replace" and schema.primary_key:
                written = staging.write_sorted(conn, schema, final)
            else:
                staging.run()
            report = validator.report
            if report.rows_read == 0 and report.rows_invalid == 0:
                raise _refusal(_("The file has a header but no data rows."), report)
            conn.register(STAGED, pyarrow.dataset.dataset(staged, format="ipc"))
            rows_sql = combined_sql(schema, mode, current)
            if written and report.ok and _clean(conn, schema, rows_sql, final):
                return IngestOutcome(file=final, report=report, quarantine=bad_file)
            if written:
                final.unlink()  # something to report or set aside: the careful path below
            # A file already in strictly ascending key order cannot repeat its key and needs no sort.
            presorted = staging.ascending and mode == "replace"
            # A replacing version is written sorted by key, so repeats of the primary key end up
            # side by side: when nothing else is wrong, look for them in the written file
            # rather than in a pass of their own.
            deferred = mode == "replace" and bool(schema.primary_key) and not presorted
            deferred = deferred and report.ok and not written
            duplicates, surplus = find_duplicates(
                conn, schema, rows_sql, skip_primary_key=presorted or deferred
            )
            _report_duplicates(report, duplicates, surplus)
            _refuse_unless_quarantined(report, bad)
            write_version(
                conn, schema, rows_sql, final, drop_duplicates=bool(surplus), presorted=presorted
            )
            if deferred and _repeats_neighbour(final, schema.primary_key):
                final.unlink()
                repeated, extra = find_duplicates(conn, schema, rows_sql, keys=[schema.primary_key])
                duplicates += repeated
                surplus += extra
                _report_duplicates(report, repeated, extra)
                _refuse_unless_quarantined(report, bad)
                write_version(conn, schema, rows_sql, final, drop_duplicates=True)
            if bad is not None and surplus:
                _quarantine_duplicates(conn, schema, rows_sql, bad, validator.positions)
        if pq.ParquetFile(final).metadata.num_rows == 0:
            raise _refusal(_("No valid rows are left to publish."), report)
        return IngestOutcome(
            file=final,
            report=report,
            duplicates=duplicates,
            quarantine=bad_file,
            quarantined=bad.count if bad else 0,
        )
    except BaseException:
        for path in (final, bad_file):
            if path is not None:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
        raise
    finally:
        if bad is not None:
            bad.close()
        with contextlib.suppress(FileNotFoundError):
            staged.unlink()


def _clean(
    conn: duckdb.DuckDBPyConnection, schema: CompiledSchema, rows_sql: str, final: Path
) -> bool:
    """Whether a version written while reading holds valid rows only, none repeating a key."""
    if not pq.ParquetFile(final).metadata.num_rows:
        return False
    if _repeats_neighbour(final, schema.primary_key):
        return False
    return not find_duplicates(conn, schema, rows_sql, skip_primary_key=True)[1]


class _Staging:
    """Validates the source's batches into the staged file, which the careful path (and append
    and upsert) query; a replacing version can be sorted and written from the same stream."""

    def __init__(
        self, source: Source, validator: Validator, staged: Path, bad: QuarantineWriter | None
    ):
        self.source, self.validator, self.staged, self.bad = source, validator, staged, bad
        key = validator.schema.primary_key
        # Whether a one-column primary key strictly ascends (such a file needs no sort).
        self.ascending = len(key) == 1
        self._last: object = None
        self.error: BaseException | None = None

    def run(self) -> None:
        for _batch in self._batches():
            pass

    def write_sorted(
        self, conn: duckdb.DuckDBPyConnection, schema: CompiledSchema, final: Path
    ) -> bool:
        """Write the version sorted by key while the rows are read and validated (the engine
        sorts on one core while Arrow parses on the other). A file whose first rows are in
        key order is written as it comes (``_write_in_order``); False (the rows staged) when
        it turns out not to be in order after all, or has no valid rows."""
        batches = self._batches()
        first = next(batches, None)
        if first is None:
            return False
        if self.ascending and first.num_rows > 1:
            return self._write_in_order(first, batches, schema, final)
        # The engine pulls batches on its own threads: validate in this request's context
        # (its language, for messages), and hand back the reader's own errors unchanged.
        context = contextvars.copy_context()

        def pulled() -> Iterator[pa.RecordBatch]:
            yield first
            while (batch := context.run(next, batches, None)) is not None:
                yield batch

        incoming = pa.RecordBatchReader.from_batches(first.schema, pulled())
        conn.register("incoming", incoming)
        # One engine thread: it pulls (and so validates) batches and sorts them while Arrow's
        # threads parse ahead; a second engine thread only contends for the stream and the
        # cores (measured: ~0.3 s slower per million rows on two cores).
        conn.execute("SET threads = 1")
        try:
            write_version(conn, schema, _incoming_sql(schema), final, drop_duplicates=False)
        except duckdb.Error:
            if self.error is not None:
                raise self.error from None
            raise
        finally:
            conn.execute("RESET threads")
            conn.unregister("incoming")
        return True

    def _write_in_order(
        self,
        first: pa.RecordBatch,
        batches: Iterator[pa.RecordBatch],
        schema: CompiledSchema,
        final: Path,
    ) -> bool:
        """Rows already in key order are written as they come by Arrow's Parquet writer on a
        thread of its own, so encoding one row group overlaps validating the next (validation
        holds the interpreter; the writer does not); False when the rows turn out not to be in
        order after all (the caller sorts the staged rows)."""
        names = schema.names
        groups: queue.Queue[pa.Table | None] = queue.Queue(maxsize=4)
        failed: list[BaseException] = []

        def write() -> None:
            try:
                with pq.ParquetWriter(final, schema.arrow_schema(), compression="snappy") as out:
                    while (group := groups.get()) is not None:
                        out.write_table(group, row_group_size=ROW_GROUP_ROWS)
            except BaseException as exc:  # noqa: BLE001 - handed to the reading thread
                failed.append(exc)
                while groups.get() is not None:  # let the reader finish its puts
                    pass

        writer = threading.Thread(target=write, name="dati-version-writer", daemon=True)
        writer.start()
        held: list[pa.RecordBatch] = []
        count = 0
        try:
            for batch in itertools.chain([first], batches):
                held.append(batch.select(names))
                count += batch.num_rows
                if count >= ROW_GROUP_ROWS:  # whole row groups, as the engine writes them
                    table = pa.Table.from_batches(held)
                    whole = count - count % ROW_GROUP_ROWS
                    groups.put(table.slice(0, whole))
                    held = table.slice(whole).to_batches()
                    count -= whole
            if held:
                groups.put(pa.Table.from_batches(held))
        finally:
            groups.put(None)
            writer.join()
        if failed:
            raise failed[0]
        if not self.ascending:
            final.unlink()
            return False
        return True

    def _batches(self) -> Iterator[pa.RecordBatch]:
        try:
            yield from self._stage()
        except BaseException as exc:
            self.error = exc
            raise

    def _stage(self) -> Iterator[pa.RecordBatch]:
        source, validator, bad = self.source, self.validator, self.bad
        report = validator.report
        key = validator.schema.primary_key
        # Arrow's own format, the cheapest to write: the staged file lives for seconds, and is
        # read only when something must be reported (or for append and upsert).
        with (
            pa.OSFile(str(self.staged), "wb") as sink,
            pa.ipc.new_file(sink, validator.out_schema) as writer,
        ):
            for batch in source.batches():
                result = validator.validate(batch)
                if result.valid.num_rows:
                    writer.write_batch(result.valid)
                    if self.ascending:
                        self.ascending, self._last = _still_ascending(
                            result.valid.column(key[0]), self._last
                        )
                if bad is not None:
                    for row, values, errors in result.invalid_rows:
                        bad.write(row, [f"{e.column}: {e.message}" for e in errors], values)
                _take_rejected(source, report, bad)
                if result.valid.num_rows:
                    yield result.valid
            _take_rejected(source, report, bad)
        # Arrow keeps freed blocks for reuse; give them back before the engine sorts.
        pa.default_memory_pool().release_unused()


def _incoming_sql(schema: CompiledSchema) -> str:
    names = ", ".join(ident(n) for n in (*schema.names, ROW))
    return f"SELECT {names} FROM incoming"  # noqa: S608


def _refuse_unless_quarantined(report: ValidationReport, bad: QuarantineWriter | None) -> None:
    if not report.ok and bad is None:
        raise _refusal(
            _(
                "Nothing was published: {bad} of {total} rows have errors. Fix them, or publish with quarantine to set the bad rows aside.",
                bad=report.rows_invalid,
                total=report.rows_read,
            ),
            report,
        )


def _repeats_neighbour(path: Path, key: tuple[str, ...]) -> bool:
    """Whether two neighbouring rows of a file sorted by ``key`` share it (batch by batch)."""
    last: tuple[object, ...] | None = None
    for batch in pq.ParquetFile(path).iter_batches(batch_size=65536, columns=list(key)):
        if not batch.num_rows:
            continue
        first = tuple(batch.column(i)[0].as_py() for i in range(len(key)))
        if first == last:
            return True
        if batch.num_rows > 1:
            same = None
            for i in range(len(key)):
                column = batch.column(i)
                equal = pc.equal(column.slice(0, batch.num_rows - 1), column.slice(1))
                same = equal if same is None else pc.and_(same, equal)
            if pc.any(same).as_py():
                return True
        last = tuple(batch.column(i)[batch.num_rows - 1].as_py() for i in range(len(key)))
    return False


def _still_ascending(keys: pa.Array, last: object) -> tuple[bool, object]:
    if keys.null_count or (last is not None and not keys[0].as_py() > last):
        return False, None
    if len(keys) > 1 and not pc.all(pc.less(keys.slice(0, len(keys) - 1), keys.slice(1))).as_py():
        return False, None
    return True, keys[len(keys) - 1].as_py()


def _take_rejected(source: Source, report: ValidationReport, bad: QuarantineWriter | None) -> None:
    for rejected in source.drain_rejected():
        report.rows_read += 1
        report.rows_invalid += 1
        report.add(CellError(rejected.row, "", rejected.text[:200], rejected.message))
        if bad is not None:
            bad.write(rejected.row, [rejected.message], None, rejected.text)


def _report_duplicates(report: ValidationReport, duplicates: list[Duplicate], surplus: int) -> None:
    for duplicate in duplicates:
        first, *others = duplicate.rows
        for row in others:
            if first == 0:
                message = _(
                    "The key {value} is already published; use upsert to replace it.",
                    value=duplicate.value,
                )
            else:
                message = _(
                    "The key {value} repeats row {first}.", value=duplicate.value, first=first
                )
            report.add(CellError(row, ", ".join(duplicate.key), duplicate.value, message))
    report.rows_invalid += surplus
    report.rows_valid -= min(surplus, report.rows_valid)


def _quarantine_duplicates(
    conn: duckdb.DuckDBPyConnection,
    schema: CompiledSchema,
    rows_sql: str,
    bad: QuarantineWriter,
    positions: list[int],
) -> None:
    """Write rows that repeat a key into the quarantine file, in the file's column order."""
    result = conn.execute(surplus_rows_sql(schema, rows_sql))
    row_at = len(schema.fields)
    width = max(positions) + 1
    while chunk := result.fetchmany(10000):
        for record in chunk:
            values: list[str | None] = [None] * width
            for field_index, position in enumerate(positions):
                values[position] = cell_text(record[field_index])
            bad.write(int(record[row_at] or 0), [_("Repeats the key of an earlier row.")], values)


def _refusal(message: str, report: ValidationReport) -> Invalid:
    errors = {"file": message}
    for sample in report.samples[:20]:
        where = _("row {row}", row=sample.row) + (f", {sample.column}" if sample.column else "")
        errors.setdefault(
            where,
            f"{sample.message} ({sample.value!r})" if sample.value is not None else sample.message,
        )
    return Invalid(message, errors=errors, report=report.as_dict())
