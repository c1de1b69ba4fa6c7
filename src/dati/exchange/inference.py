"""Guess a Table Schema from a file's first rows, for a resource that has none yet.

The guess is a starting point the steward reviews in the catalogue: the narrowest type
every sampled value fits, 'required' where no sampled value is missing, a primary key
where an identifier-like column is unique, and 'personal_identifier' for personal codes.
"""

from __future__ import annotations

import re
from typing import Any

import pyarrow as pa

from dati.catalog.tableschema import FIELD_NAME, field_name, guess_classification
from dati.exchange.readers import Source
from dati.lv_codes import is_valid_personal_code

SAMPLE_ROWS = 20000
_PATTERNS = {
    "integer": re.compile(r"[+-]?\d{1,18}"),
    "number": re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?"),
    "number_comma": re.compile(r"[+-]?\d+(,\d+)?"),
    "date": re.compile(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"),
    "date_lv": re.compile(r"(0?[1-9]|[12]\d|3[01])\.(0?[1-9]|1[0-2])\.\d{4}"),
    "datetime": re.compile(
        r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"
    ),
}
_BOOLEANS = {"true", "false", "True", "False", "TRUE", "FALSE"}
_KEY_NAMES = re.compile(r"^(id|kods|code|nr|numurs|key)$|(_id|_kods|_code|_nr)$", re.I)
_ORDER = ("integer", "number", "number_comma", "boolean", "date", "date_lv", "datetime")


def _sample(source: Source) -> dict[str, list[str | None]]:
    columns: dict[str, list[str | None]] = {c: [] for c in source.columns}
    taken = 0
    for batch in source.batches():
        for name, column in zip(source.columns, batch.columns, strict=True):
            if not pa.types.is_string(column.type):
                column = column.cast(pa.string())
            columns[name].extend(column.to_pylist()[: SAMPLE_ROWS - taken])
        taken = min(SAMPLE_ROWS, taken + batch.num_rows)
        if taken >= SAMPLE_ROWS:
            break
    source.drain_rejected()
    return columns


def _fits(kind: str, values: list[str]) -> bool:
    if kind == "boolean":
        return all(v in _BOOLEANS for v in values)
    pattern = _PATTERNS[kind]
    return all(pattern.fullmatch(v.strip()) for v in values)


def infer_field(header: str, values: list[str | None]) -> dict[str, Any]:
    present = [v for v in values if v is not None and v != ""]
    name = header if FIELD_NAME.match(header) else field_name(header)
    spec: dict[str, Any] = {"name": name, "type": "string"}
    if name != header:
        spec["title_lv"] = header
    if present:
        kind = next((k for k in _ORDER if _fits(k, present)), "string")
        if kind == "number_comma":
            spec["type"] = "number"  # decimal commas are read as such by default
        elif kind == "date_lv":
            spec.update(type="date", format="%d.%m.%Y")
        elif kind in ("integer", "number", "boolean", "date", "datetime"):
            spec["type"] = kind
    if values and len(present) == len(values):
        spec["constraints"] = {"required": True}
    if present and all(is_valid_personal_code(v) for v in present[:1000]):
        spec["classification"] = "personal_identifier"
    else:
        spec["classification"] = guess_classification(name, present[:50]).value
    return spec


def infer_schema(source: Source) -> dict[str, Any]:
    """A Frictionless Table Schema dict for the source's columns."""
    sample = _sample(source)
    fields = [infer_field(name, values) for name, values in sample.items()]
    schema: dict[str, Any] = {"fields": fields}
    for name, values in sample.items():
        present = [v for v in values if v not in (None, "")]
        if (
            _KEY_NAMES.search(name)
            and present
            and len(present) == len(values)
            and len(set(present)) == len(present)
        ):
            schema["primaryKey"] = [name]
            break
    return schema
