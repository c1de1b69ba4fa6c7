"""Frictionless Table Schema fields as the exchange stores them: names, Arrow types, constraints."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pyarrow as pa

from dati.errors import Invalid
from dati.i18n import gettext as _

ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "datetime": pa.timestamp("us"),
    "time": pa.time64("us"),
    "year": pa.int32(),
}
# Types the exchange keeps as text (Table Schema allows them; we do not interpret them).
TEXT_TYPES = {"any", "object", "array", "geopoint", "geojson", "duration", "yearmonth", "list"}
DEFAULT_TRUE = ("true", "True", "TRUE", "1")
DEFAULT_FALSE = ("false", "False", "FALSE", "0")
ROW = "__row"  # the source row number, kept beside the data until the version is written
_NAME = re.compile(r"^[^\x00-\x1f\"]{1,120}$")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    format: str
    required: bool
    unique: bool
    enum: tuple[Any, ...] | None
    minimum: Any
    maximum: Any
    min_length: int | None
    max_length: int | None
    pattern: str | None
    true_values: tuple[str, ...]
    false_values: tuple[str, ...]
    decimal_char: str
    group_char: str

    @property
    def arrow_type(self) -> pa.DataType:
        return ARROW_TYPES.get(self.type, pa.string())

    @property
    def date_format(self) -> str | None:
        """A strptime pattern, or None for ISO 8601 (Table Schema's 'default' and 'any')."""
        return self.format if self.format.startswith("%") else None


@dataclass(frozen=True)
class CompiledSchema:
    fields: tuple[FieldSpec, ...]
    primary_key: tuple[str, ...]

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> FieldSpec | None:
        return self._by_name.get(name)

    @cached_property
    def _by_name(self) -> dict[str, FieldSpec]:
        # Asked for every field of every request: a search through the tuple showed in profiles.
        return {f.name: f for f in reversed(self.fields)}  # the first of a name, as before

    def arrow_schema(self, with_row: bool = False) -> pa.Schema:
        columns = [(f.name, f.arrow_type) for f in self.fields]
        if with_row:
            columns.append((ROW, pa.int64()))
        return pa.schema(columns)

    @property
    def unique_keys(self) -> list[tuple[str, ...]]:
        """Every column set whose values must not repeat: the primary key and unique fields."""
        keys: list[tuple[str, ...]] = [self.primary_key] if self.primary_key else []
        keys += [(f.name,) for f in self.fields if f.unique and (f.name,) != self.primary_key]
        return keys


def _schema_error(message: str) -> Invalid:
    return Invalid(message, errors={"schema": message})


def compile_schema(schema: dict[str, Any]) -> CompiledSchema:
    """Check a Table Schema dict and turn it into FieldSpecs; refuse what cannot be enforced."""
    raw_fields = schema.get("fields") or []
    if not isinstance(raw_fields, list) or not raw_fields:
        raise _schema_error(_("The table schema has no fields."))
    specs: list[FieldSpec] = []
    for raw in raw_fields:
        name = str(raw.get("name", "")).strip()
        if not _NAME.match(name) or name == ROW:
            raise _schema_error(_("The field name {name} is not allowed.", name=repr(name)))
        if name in {s.name for s in specs}:
            raise _schema_error(_("The table schema names the field {name} twice.", name=name))
        kind = str(raw.get("type") or "string")
        if kind not in ARROW_TYPES and kind not in TEXT_TYPES:
            raise _schema_error(
                _("The field {name} has an unknown type {type}.", name=name, type=kind)
            )
        constraints = raw.get("constraints") or {}
        pattern = constraints.get("pattern")
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error:
                raise _schema_error(
                    _("The pattern of field {name} is not a valid regular expression.", name=name)
                ) from None
        enum = constraints.get("enum")
        specs.append(
            FieldSpec(
                name=name,
                type=kind if kind in ARROW_TYPES else "string",
                format=str(raw.get("format") or "default"),
                required=bool(constraints.get("required")),
                unique=bool(constraints.get("unique")),
                enum=tuple(enum) if isinstance(enum, list) else None,
                minimum=constraints.get("minimum"),
                maximum=constraints.get("maximum"),
                min_length=constraints.get("minLength"),
                max_length=constraints.get("maxLength"),
                pattern=pattern,
                true_values=tuple(raw.get("trueValues") or DEFAULT_TRUE),
                false_values=tuple(raw.get("falseValues") or DEFAULT_FALSE),
                decimal_char=str(raw.get("decimalChar") or "."),
                group_char=str(raw.get("groupChar") or ""),
            )
        )
    primary = schema.get("primaryKey") or ()
    primary_key = (primary,) if isinstance(primary, str) else tuple(primary)
    names = {s.name for s in specs}
    for key in primary_key:
        if key not in names:
            raise _schema_error(_("The primary key names an unknown field {name}.", name=key))
    # Primary-key fields are required by definition (Table Schema).
    specs = [_with_required(s) if s.name in primary_key and not s.required else s for s in specs]
    return CompiledSchema(fields=tuple(specs), primary_key=primary_key)


def _with_required(spec: FieldSpec) -> FieldSpec:
    from dataclasses import replace

    return replace(spec, required=True)


def schema_signature(schema: dict[str, Any]) -> list[tuple[str, str]]:
    """What must not change between versions that append to each other: names and types."""
    compiled = compile_schema(schema)
    return [(f.name, f.type) for f in compiled.fields]
