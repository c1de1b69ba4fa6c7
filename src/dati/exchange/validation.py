"""Validate batches against a Table Schema: types, required values and enumerations.

Each column is converted with one vectorised Arrow cast; only a batch whose cast fails is
re-parsed value by value, to name the rows at fault. Unique keys span the whole file, so
they are checked later over the written Parquet (see ``storage``), not here.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from dati.catalog.tableschema import field_name
from dati.errors import Invalid
from dati.exchange.fields import CompiledSchema, FieldSpec
from dati.exchange.readers import Source
from dati.i18n import gettext as _

SAMPLE_LIMIT = 100
INT64 = (-(2**63), 2**63 - 1)
_INTEGER = re.compile(r"[+-]?\d+")


@dataclass(frozen=True)
class CellError:
    row: int
    column: str
    value: str | None
    message: str


@dataclass
class ValidationReport:
    """What was wrong with a file: counts, and the first rows at fault with column and value."""

    rows_read: int = 0
    rows_valid: int = 0
    rows_invalid: int = 0
    error_count: int = 0
    errors_by_column: Counter[str] = field(default_factory=Counter)
    samples: list[CellError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.rows_invalid == 0

    def add(self, error: CellError) -> None:
        self.error_count += 1
        self.errors_by_column[error.column] += 1
        if len(self.samples) < SAMPLE_LIMIT:
            self.samples.append(error)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows_read": self.rows_read,
            "rows_valid": self.rows_valid,
            "rows_invalid": self.rows_invalid,
            "error_count": self.error_count,
            "errors_by_column": dict(self.errors_by_column),
            "samples": [e.__dict__ for e in self.samples],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ValidationReport:
        return cls(
            rows_read=data.get("rows_read", 0),
            rows_valid=data.get("rows_valid", 0),
            rows_invalid=data.get("rows_invalid", 0),
            error_count=data.get("error_count", 0),
            errors_by_column=Counter(data.get("errors_by_column") or {}),
            samples=[CellError(**e) for e in data.get("samples") or []],
        )


def match_columns(schema: CompiledSchema, columns: list[str]) -> list[int]:
    """Position of each schema field among the file's columns; refuse missing or unknown columns."""
    folded: dict[str, int] = {}
    for i, c in enumerate(columns):
        # A header 'Dzimšanas datums' matches the field the catalogue named 'dzimsanas_datums'.
        folded.setdefault(c.strip().casefold(), i)
        folded.setdefault(field_name(c), i)
    missing = [f.name for f in schema.fields if f.name.casefold() not in folded]
    expected = {f.name.casefold() for f in schema.fields}
    unknown = [
        c for c in columns if c.strip().casefold() not in expected and field_name(c) not in expected
    ]
    if missing:
        hint = ""
        if len(columns) == 1 and any(d in columns[0] for d in ",;\t|"):
            hint = " " + _(
                "The whole header was read as one column: {header}. Is the delimiter right?",
                header=columns[0][:100],
            )
        message = _(
            "The file lacks the column(s) {missing} that the table schema requires.",
            missing=", ".join(missing),
        )
        raise Invalid(message + hint, errors={"file": message + hint})
    if unknown:
        message = _(
            "The file has column(s) {unknown} that the table schema does not describe.",
            unknown=", ".join(unknown[:20]),
        )
        raise Invalid(message, errors={"file": message})
    return [folded[f.name.casefold()] for f in schema.fields]


def _type_message(spec: FieldSpec) -> str:
    if spec.type == "integer":
        return _("Not a whole number.")
    if spec.type == "number":
        return _("Not a number.")
    if spec.type == "boolean":
        allowed = ", ".join(spec.true_values + spec.false_values)
        return _("Not a yes/no value (expected one of {values}).", values=allowed)
    if spec.type == "date":
        return _("Not a date in the format {format}.", format=spec.date_format or "YYYY-MM-DD")
    if spec.type == "datetime":
        return _("Not a date and time (YYYY-MM-DDTHH:MM:SS).")
    if spec.type == "time":
        return _("Not a time (HH:MM:SS).")
    return _("Not a year.")


def _parse_one(spec: FieldSpec, text: str) -> Any:
    """Parse one value; raise ValueError when it is not of the field's type."""
    value = text.strip()
    if spec.type == "integer" or spec.type == "year":
        if not _INTEGER.fullmatch(value):
            raise ValueError(value)
        number = int(value)
        if not INT64[0] <= number <= INT64[1] or (spec.type == "year" and len(value) != 4):
            raise ValueError(value)
        return number
    if spec.type == "number":
        if spec.group_char:
            value = value.replace(spec.group_char, "")
        # Latvian exports write decimal commas: '1,5' is 1.5 unless the schema says otherwise.
        value = value.replace(spec.decimal_char if spec.decimal_char != "." else ",", ".")
        if not value or value.lower().lstrip("+-") in ("nan", "inf", "infinity"):
            raise ValueError(text)
        return float(value)
    if spec.type == "boolean":
        if value in spec.true_values:
            return True
        if value in spec.false_values:
            return False
        raise ValueError(text)
    if spec.type == "date":
        if spec.date_format:
            return datetime.strptime(value, spec.date_format).date()
        return date.fromisoformat(value) if len(value) == 10 else _bad(text)
    if spec.type == "datetime":
        if spec.date_format:
            parsed = datetime.strptime(value, spec.date_format)
        else:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        # An explicit offset is kept as the same instant in UTC; naive times stay as written.
        return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed
    if spec.type == "time":
        return time.fromisoformat(value)
    return text


def _bad(text: str) -> Any:
    raise ValueError(text)


def _fast_cast(spec: FieldSpec, values: pa.Array) -> pa.Array:
    """One vectorised conversion; raises pa.ArrowInvalid when any value does not fit."""
    if spec.arrow_type == pa.string():
        return values
    if spec.type == "number":
        if spec.group_char:
            values = pc.replace_substring(values, spec.group_char, "")
        decimal = spec.decimal_char if spec.decimal_char != "." else ","
        values = pc.replace_substring(values, decimal, ".")
    if spec.type == "boolean":
        known = pc.is_in(values, pa.array(spec.true_values + spec.false_values))
        if not pc.all(pc.or_(known, pc.is_null(values))).as_py():
            raise pa.ArrowInvalid("not a boolean")
        is_true = pc.is_in(values, pa.array(spec.true_values))
        return pc.if_else(pc.is_null(values), pa.scalar(None, pa.bool_()), is_true)
    if spec.type in ("time", "year") or spec.date_format:
        raise pa.ArrowInvalid("parsed value by value")
    if (
        spec.type == "date"
        and not pc.all(pc.or_(pc.is_null(values), pc.equal(pc.utf8_length(values), 10))).as_py()
    ):
        raise pa.ArrowInvalid("date length")
    if (
        spec.type == "number"
        and pc.any(pc.match_substring_regex(values, r"(?i)^[+-]?(nan|inf)")).as_py()
    ):
        raise pa.ArrowInvalid("not finite")
    return pc.cast(values, spec.arrow_type)


def convert(spec: FieldSpec, values: pa.Array) -> tuple[pa.Array, list[int]]:
    """The column in the field's type, and the positions whose value is not of that type."""
    if values.type == spec.arrow_type:
        return values, []
    if not pa.types.is_string(values.type):
        values = pc.cast(values, pa.string())
    try:
        return _fast_cast(spec, values), []
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    parsed: list[Any] = []
    bad: list[int] = []
    for index, text in enumerate(values.to_pylist()):
        if text is None:
            parsed.append(None)
            continue
        try:
            parsed.append(_parse_one(spec, text))
        except ValueError:
            parsed.append(None)
            bad.append(index)
    return pa.array(parsed, spec.arrow_type), bad


def constraint_failures(
    spec: FieldSpec, typed: pa.Array, bad_type: set[int]
) -> list[tuple[int, str]]:
    """(position, message) for values that break a constraint (type failures excluded)."""
    checks: list[tuple[pa.Array, str]] = []
    if spec.required:
        checks.append((pc.is_null(typed), _("A value is required.")))
    if spec.enum is not None:
        allowed = pa.array(list(spec.enum)).cast(spec.arrow_type)
        shown = ", ".join(str(v) for v in spec.enum[:10])
        checks.append(
            (
                pc.and_(pc.invert(pc.is_in(typed, allowed)), pc.is_valid(typed)),
                _("Not one of the allowed values: {values}.", values=shown),
            )
        )
    if spec.minimum is not None:
        limit = pa.scalar(_parse_one(spec, str(spec.minimum)), spec.arrow_type)
        checks.append(
            (pc.less(typed, limit), _("Less than the minimum {limit}.", limit=spec.minimum))
        )
    if spec.maximum is not None:
        limit = pa.scalar(_parse_one(spec, str(spec.maximum)), spec.arrow_type)
        checks.append(
            (pc.greater(typed, limit), _("More than the maximum {limit}.", limit=spec.maximum))
        )
    if spec.arrow_type == pa.string():
        if spec.min_length is not None:
            checks.append(
                (
                    pc.less(pc.utf8_length(typed), spec.min_length),
                    _("Shorter than {limit} characters.", limit=spec.min_length),
                )
            )
        if spec.max_length is not None:
            checks.append(
                (
                    pc.greater(pc.utf8_length(typed), spec.max_length),
                    _("Longer than {limit} characters.", limit=spec.max_length),
                )
            )
        if spec.pattern is not None:
            matches = pc.match_substring_regex(typed, f"^(?:{spec.pattern})$")
            checks.append(
                (
                    pc.invert(matches),
                    _("Does not match the pattern {pattern}.", pattern=spec.pattern),
                )
            )
    failures: list[tuple[int, str]] = []
    for mask, message in checks:
        mask = pc.fill_null(mask, False)  # a missing value breaks only the 'required' check
        if not pc.any(mask).as_py():
            continue
        for index in pc.indices_nonzero(mask).to_pylist():
            if index not in bad_type:
                failures.append((index, message))
    return failures


@dataclass
class BatchResult:
    valid: pa.RecordBatch  # typed columns plus the source row number
    invalid_rows: list[tuple[int, list[str | None], list[CellError]]]  # (row, raw values, errors)


class Validator:
    """Validates the batches of one source against one schema, filling a report as it goes."""

    def __init__(self, schema: CompiledSchema, source: Source):
        self.schema = schema
        self.source = source
        self.positions = match_columns(schema, source.columns)
        self.report = ValidationReport()
        self.out_schema = schema.arrow_schema(with_row=True)
        self._seen = 0

    def validate(self, batch: pa.RecordBatch) -> BatchResult:
        count = batch.num_rows
        start = self._seen
        self._seen += count
        self.report.rows_read += count
        columns: list[pa.Array] = []
        errors: dict[int, list[tuple[str, str]]] = {}
        for spec, position in zip(self.schema.fields, self.positions, strict=True):
            raw = batch.column(position)
            typed, bad = convert(spec, raw)
            for index in bad:
                errors.setdefault(index, []).append((spec.name, _type_message(spec)))
            for index, message in constraint_failures(spec, typed, set(bad)):
                errors.setdefault(index, []).append((spec.name, message))
            columns.append(typed)
        rows = self._row_numbers(start, count)
        columns.append(rows)
        typed_batch = pa.RecordBatch.from_arrays(columns, schema=self.out_schema)
        invalid: list[tuple[int, list[str | None], list[CellError]]] = []
        if errors:
            keep = [True] * count
            for index in sorted(errors):
                keep[index] = False
                row = rows[index].as_py()
                raw_values = [
                    _text(batch.column(i)[index].as_py()) for i in range(batch.num_columns)
                ]
                cell_errors = []
                for column, message in errors[index]:
                    value = raw_values[self.positions[self.schema.names.index(column)]]
                    cell_errors.append(CellError(row, column, value, message))
                    self.report.add(cell_errors[-1])
                invalid.append((row, raw_values, cell_errors))
            typed_batch = typed_batch.filter(pa.array(keep))
            self.report.rows_invalid += len(invalid)
        self.report.rows_valid += typed_batch.num_rows
        return BatchResult(valid=typed_batch, invalid_rows=invalid)

    def _row_numbers(self, start: int, count: int) -> pa.Array:
        if not self.source.skipped:
            first = start + self.source.first_row
            ones = pa.repeat(pa.scalar(1, pa.int64()), count)
            return pc.add(pc.cumulative_sum(ones), first - 1)
        return pa.array([self.source.row_number(start + i) for i in range(count)], pa.int64())


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)
