"""Frictionless Table Schema: validating a schema dict, writing it out, and drafting one from
a CSV/XLSX header (with a few sample rows) or a Table Schema JSON file.

Pure functions: no session, no actor. The service checks foreign keys against the catalogue.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from dati.catalog.models import FieldClassification, ResourceField
from dati.errors import Invalid
from dati.i18n import gettext as _
from dati.lv_codes import is_valid_personal_code

TYPES = (
    "string",
    "number",
    "integer",
    "boolean",
    "date",
    "datetime",
    "time",
    "year",
    "yearmonth",
    "duration",
    "geopoint",
    "geojson",
    "object",
    "array",
    "any",
)
CONSTRAINTS = (
    "required",
    "unique",
    "enum",
    "minimum",
    "maximum",
    "pattern",
    "minLength",
    "maxLength",
)
FIELD_NAME = re.compile(r"^[A-Za-z_ĀČĒĢĪĶĻŅŠŪŽāčēģīķļņšūž][\wĀČĒĢĪĶĻŅŠŪŽāčēģīķļņšūž]{0,99}$")
MAX_FIELDS = 500


@dataclass
class ParsedSchema:
    """A validated schema, ready to store; foreign keys still need checking against the catalogue."""

    fields: list[dict[str, Any]] = field(default_factory=list)
    primary_key: list[str] = field(default_factory=list)
    foreign_keys: list[dict[str, Any]] = field(default_factory=list)


def parse(schema: Any) -> ParsedSchema:
    """Validate a Table Schema dict; raise Invalid with one message per offending field."""
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
        raise Invalid(
            _("A Table Schema is a JSON object with a list of fields."),
            errors={"fields": _("Give a list of fields.")},
        )
    errors: dict[str, str] = {}
    if len(schema["fields"]) > MAX_FIELDS:
        errors["fields"] = _("At most {count} fields.", count=MAX_FIELDS)
    parsed = ParsedSchema()
    seen: set[str] = set()
    for index, raw in enumerate(schema["fields"][:MAX_FIELDS]):
        key = f"fields.{index}"
        if not isinstance(raw, dict):
            errors[key] = _("Each field is an object with at least a name.")
            continue
        name = str(raw.get("name") or "").strip()
        if not name:
            errors[f"{key}.name"] = _("Field {number} has no name.", number=index + 1)
            continue
        if not FIELD_NAME.match(name):
            errors[f"{key}.name"] = _(
                "Field name “{name}” may contain only letters, digits and underscores.", name=name
            )
        if name in seen:
            errors[f"{key}.name"] = _("Field name “{name}” is used twice.", name=name)
        seen.add(name)
        type_ = str(raw.get("type") or "string")
        if type_ not in TYPES:
            errors[f"{key}.type"] = _(
                "Field “{name}” has unknown type “{type}”.", name=name, type=type_
            )
        classification = str(raw.get("classification") or FieldClassification.OPEN.value)
        if classification not in {c.value for c in FieldClassification}:
            errors[f"{key}.classification"] = _(
                "Field “{name}” has unknown classification “{value}”.",
                name=name,
                value=classification,
            )
            classification = FieldClassification.OPEN.value
        constraints = raw.get("constraints") or {}
        problem = _constraint_problem(constraints)
        if problem:
            errors[f"{key}.constraints"] = _(
                "Field “{name}”: {problem}", name=name, problem=problem
            )
            constraints = {}
        parsed.fields.append(
            {
                "name": name,
                "type": type_,
                "format": (str(raw["format"]) if raw.get("format") else None),
                "title_lv": str(raw.get("title_lv") or raw.get("title") or ""),
                "title_en": str(raw.get("title_en") or ""),
                "description": str(raw.get("description") or ""),
                "constraints": constraints,
                "classification": FieldClassification(classification),
                "glossary_term": raw.get("glossaryTerm") or raw.get("glossary_term") or None,
            }
        )
    parsed.primary_key = _primary_key(schema.get("primaryKey"), seen, errors)
    parsed.foreign_keys = _foreign_keys(schema.get("foreignKeys"), seen, errors)
    if errors:
        raise Invalid(_("The field schema has errors; nothing was changed."), errors=errors)
    return parsed


def _constraint_problem(constraints: Any) -> str | None:
    if not isinstance(constraints, dict):
        return _("constraints must be an object.")
    unknown = sorted(set(constraints) - set(CONSTRAINTS))
    if unknown:
        return _("unknown constraint(s): {names}.", names=", ".join(unknown))
    if "enum" in constraints and not isinstance(constraints["enum"], list):
        return _("enum must be a list of values.")
    for flag in ("required", "unique"):
        if flag in constraints and not isinstance(constraints[flag], bool):
            return _("{name} must be true or false.", name=flag)
    for length in ("minLength", "maxLength"):
        value = constraints.get(length)
        if value is not None and (not isinstance(value, int) or value < 0):
            return _("{name} must be a whole number, 0 or more.", name=length)
    if "pattern" in constraints:
        try:
            re.compile(str(constraints["pattern"]))
        except re.error:
            return _("pattern is not a valid regular expression.")
    return None


def _primary_key(value: Any, names: set[str], errors: dict[str, str]) -> list[str]:
    if value in (None, "", []):
        return []
    keys = [value] if isinstance(value, str) else value
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        errors["primaryKey"] = _("The primary key is a field name or a list of field names.")
        return []
    missing = [k for k in keys if k not in names]
    if missing:
        errors["primaryKey"] = _(
            "The primary key names missing field(s): {names}.", names=", ".join(missing)
        )
    return list(keys)


def _foreign_keys(value: Any, names: set[str], errors: dict[str, str]) -> list[dict[str, Any]]:
    if value in (None, []):
        return []
    if not isinstance(value, list):
        errors["foreignKeys"] = _("Foreign keys are a list.")
        return []
    result = []
    for index, fk in enumerate(value):
        key = f"foreignKeys.{index}"
        ref = fk.get("reference") if isinstance(fk, dict) else None
        if not isinstance(ref, dict):
            errors[key] = _("Each foreign key needs fields and a reference.")
            continue
        fields = [fk["fields"]] if isinstance(fk.get("fields"), str) else fk.get("fields") or []
        ref_fields = [ref["fields"]] if isinstance(ref.get("fields"), str) else ref.get("fields")
        ref_fields = ref_fields or []
        missing = [f for f in fields if f not in names]
        if not fields or missing:
            errors[f"{key}.fields"] = _(
                "Foreign key {number} names missing field(s): {names}.",
                number=index + 1,
                names=", ".join(missing) or "—",
            )
        if len(ref_fields) != len(fields):
            errors[f"{key}.reference.fields"] = _(
                "Foreign key {number} must reference as many fields as it has.", number=index + 1
            )
        result.append(
            {
                "fields": list(fields),
                "reference": {
                    "resource": str(ref.get("resource") or ""),
                    "fields": list(ref_fields),
                },
            }
        )
    return result


def to_dict(
    fields: list[ResourceField], primary_key: list[str], foreign_keys: list[dict[str, Any]]
) -> dict[str, Any]:
    """The stored schema in Frictionless form, with the catalogue's extension properties."""
    out_fields = []
    for f in fields:
        item: dict[str, Any] = {"name": f.name, "type": f.type}
        if f.format:
            item["format"] = f.format
        if f.title_lv or f.title_en:
            item["title"] = f.title_lv or f.title_en
            item["title_lv"] = f.title_lv
            item["title_en"] = f.title_en
        if f.description:
            item["description"] = f.description
        if f.constraints:
            item["constraints"] = dict(f.constraints)
        item["classification"] = f.classification.value
        if f.glossary_term is not None:
            item["glossaryTerm"] = f.glossary_term.name
        out_fields.append(item)
    schema: dict[str, Any] = {"fields": out_fields}
    if primary_key:
        schema["primaryKey"] = list(primary_key)
    if foreign_keys:
        schema["foreignKeys"] = [dict(fk) for fk in foreign_keys]
    return schema


# --- drafting a schema from a file -----------------------------------------------------------

PERSONAL_ID_NAMES = re.compile(r"(personas_?kods|personal_?code|person_?code|pk_?kods)", re.I)
PERSONAL_NAMES = re.compile(
    r"(vards|uzvards|first_?name|last_?name|surname|dzimsanas|birth|adrese|address|talrun|phone"
    r"|e_?pasts|email)",
    re.I,
)
SAMPLE_ROWS = 50


def schema_from_file(filename: str, content: bytes) -> dict[str, Any]:
    """Draft a Table Schema from a CSV or XLSX header and sample rows, or read a schema JSON file."""
    lower = filename.lower()
    if lower.endswith(".json"):
        try:
            data = json.loads(content.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise Invalid(
                _("The file is not valid JSON."), errors={"file": _("Not a JSON file.")}
            ) from None
        if not isinstance(data, dict):
            raise Invalid(_("The file is not a Table Schema."), errors={"file": _("Not a schema.")})
        return data
    if lower.endswith(".xlsx"):
        rows = _xlsx_rows(content)
    elif lower.endswith((".csv", ".txt")):
        rows = _csv_rows(content)
    else:
        raise Invalid(
            _("Upload a CSV, XLSX or Table Schema JSON file."),
            errors={"file": _("Unsupported file type.")},
        )
    if not rows or not any(str(c or "").strip() for c in rows[0]):
        raise Invalid(_("The file has no header row."), errors={"file": _("No header row.")})
    header = [str(c or "").strip() for c in rows[0]]
    samples = rows[1 : SAMPLE_ROWS + 1]
    fields = []
    for index, title in enumerate(header):
        values = [r[index] for r in samples if index < len(r) and r[index] not in (None, "")]
        name = field_name(title) or f"lauks_{index + 1}"
        fields.append(
            {
                "name": name,
                "title": title,
                "type": infer_type(values),
                "classification": guess_classification(name, values).value,
            }
        )
    return {"fields": fields}


def _csv_rows(content: bytes) -> list[list[Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid(
            _("The file is not UTF-8 text. Save the spreadsheet as 'CSV UTF-8' and try again."),
            errors={"file": _("Not UTF-8.")},
        ) from None
    lines = text.splitlines()[: SAMPLE_ROWS + 1]
    try:
        dialect: Any = csv.Sniffer().sniff(lines[0], delimiters=",;\t") if lines else csv.excel
    except csv.Error:
        dialect = csv.excel
    return [list(r) for r in csv.reader(lines, dialect)]


def _xlsx_rows(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken file
        raise Invalid(
            _("The file is not a readable XLSX workbook."), errors={"file": _("Not an XLSX file.")}
        ) from None
    sheet = book.worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(max_row=SAMPLE_ROWS + 1, values_only=True)]
    book.close()
    return rows


_FOLD = str.maketrans("āčēģīķļņšūž", "acegiklnsuz")


def field_name(title: str) -> str:
    """'Personas kods' -> 'personas_kods': lowercase, ASCII, words joined with underscores."""
    plain = title.lower().translate(_FOLD)
    return re.sub(r"[^a-z0-9]+", "_", plain).strip("_")[:100]


def infer_type(values: list[Any]) -> str:
    """The narrowest Frictionless type every sample value fits; string when unsure."""
    if not values:
        return "string"
    if all(isinstance(v, bool) or str(v).lower() in ("true", "false", "jā", "nē") for v in values):
        return "boolean"
    if all(isinstance(v, datetime) for v in values):
        # Spreadsheets hold dates as midnight datetimes.
        return "date" if all(v.time() == time(0) for v in values) else "datetime"
    if all(isinstance(v, date) or _is_iso_date(str(v)) for v in values):
        return "date"
    texts = [str(v).strip() for v in values]
    # Codes with leading zeros (cadastral numbers, personal codes) stay strings.
    if any(re.match(r"-?0\d", t) for t in texts):
        return "string"
    if all(re.fullmatch(r"-?(0|[1-9]\d{0,17})", t) for t in texts):
        return "integer"
    if all(re.fullmatch(r"-?\d+([.,]\d+)?", t) for t in texts):
        return "number"
    return "string"


def _is_iso_date(text: str) -> bool:
    try:
        date.fromisoformat(text.strip())
    except ValueError:
        return False
    return len(text.strip()) == 10


def guess_classification(name: str, values: list[Any]) -> FieldClassification:
    """A first guess the steward reviews: personal codes by name or checksum, names, addresses."""
    if PERSONAL_ID_NAMES.search(name) or (
        values and all(is_valid_personal_code(str(v)) for v in values)
    ):
        return FieldClassification.PERSONAL_IDENTIFIER
    if PERSONAL_NAMES.search(name):
        return FieldClassification.PERSONAL_DATA
    return FieldClassification.OPEN
