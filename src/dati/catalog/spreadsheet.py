"""Bulk import of resource descriptions from a spreadsheet (XLSX or CSV), and its template.

Each row is one resource (optionally with one distribution) and is imported in its own
savepoint: a bad row is reported with its line and field and leaves nothing behind, good
rows are imported. A row naming an existing resource of the same institution updates it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from dati.auth.actor import Actor
from dati.auth.permissions import require
from dati.catalog import distributions, service
from dati.catalog.models import Resource
from dati.catalog.permissions import IMPORT_RESOURCES, VIEW_CATALOGUE
from dati.catalog.schemas import DistributionCreate, ResourceCreate, ResourceUpdate
from dati.errors import DatiError, Invalid, NotFound
from dati.i18n import gettext as _

MAX_ROWS = 5000
LIST_SEPARATOR = ";"

# column key -> (Latvian header, explanation msgid)
COLUMNS: dict[str, tuple[str, str]] = {
    "name": (
        "Identifikators",
        "URL name (lowercase letters, digits, hyphens); empty: made from the title",
    ),
    "title_lv": ("Nosaukums (LV)", "Required"),
    "title_en": ("Nosaukums (EN)", ""),
    "description_lv": ("Apraksts (LV)", ""),
    "description_en": ("Apraksts (EN)", ""),
    "owner": ("Iestāde", "Required: the institution's short name, e.g. VZD"),
    "access_rights": ("Piekļuves tiesības", "Required: public, restricted or non_public"),
    "system": ("Informācijas sistēma", "Name of a registered information system"),
    "steward": ("Datu pārvaldnieks", "User name of a data steward of the institution"),
    "keywords_lv": ("Atslēgvārdi (LV)", "Separated by ;"),
    "keywords_en": ("Atslēgvārdi (EN)", "Separated by ;"),
    "themes": ("Tēmas", "EU data-theme codes separated by ;, e.g. GOVE;SOCI"),
    "contact_name": ("Kontaktpersona", ""),
    "contact_email": ("Kontakta e-pasts", ""),
    "spatial": ("Teritorija", "LV or a municipality code such as LV-RIX"),
    "temporal_start": ("Periods no", "Date as YYYY-MM-DD"),
    "temporal_end": ("Periods līdz", "Date as YYYY-MM-DD"),
    "frequency": ("Atjaunināšanas biežums", "EU frequency code, e.g. MONTHLY"),
    "issued": ("Publicēts", "Date as YYYY-MM-DD"),
    "modified": ("Mainīts", "Date as YYYY-MM-DD"),
    "licence": ("Licence", "EU licence code, e.g. CC_BY_4_0, or a licence URL"),
    "rights": ("Tiesības", ""),
    "conforms_to": ("Atbilst standartam", "URL of a standard or specification"),
    "landing_page": ("Tīmekļa lapa", ""),
    "hvd_category": ("Augstvērtīgo datu kategorija", "EU HVD category code, e.g. c_a9135398"),
    "legal_basis": ("Tiesiskais pamats", ""),
    "personal_data": ("Personas dati", "jā or nē"),
    "access_url": ("Piekļuves adrese", "A distribution: where the data can be reached"),
    "download_url": ("Lejupielādes adrese", ""),
    "format": ("Formāts", "EU file-type code, e.g. CSV"),
    "media_type": ("Datnes tips", "e.g. text/csv"),
}
LIST_COLUMNS = {"keywords_lv", "keywords_en", "themes"}
DATE_COLUMNS = {"temporal_start", "temporal_end", "issued", "modified"}
DISTRIBUTION_COLUMNS = ("access_url", "download_url", "format", "media_type")
_HEADER_ALIASES = {label.lower(): key for key, (label, _) in COLUMNS.items()} | {
    key: key for key in COLUMNS
}
EXAMPLE = {
    "title_lv": "Valsts adrešu reģistrs",
    "title_en": "State Address Register",
    "owner": "VZD",
    "access_rights": "public",
    "keywords_lv": "adrese; adresācija",
    "themes": "REGI",
    "spatial": "LV",
    "licence": "CC_BY_4_0",
    "personal_data": "nē",
    "access_url": "https://data.gov.lv/dati/lv/dataset/varis",
    "format": "CSV",
}


@dataclass
class RowError:
    row: int
    field: str
    message: str


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


TEMPLATE_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def template(*, session: Session, actor: Actor, kind: str) -> tuple[bytes, str]:
    """The import template (xlsx or csv) and its media type."""
    require(actor, VIEW_CATALOGUE)
    if kind not in TEMPLATE_TYPES:
        raise NotFound(_("There is a template only as XLSX or CSV."))
    return (template_xlsx() if kind == "xlsx" else template_csv()), TEMPLATE_TYPES[kind]


def template_csv() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(list(COLUMNS))
    writer.writerow([EXAMPLE.get(key, "") for key in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Resursi"
    sheet.append([label for label, _ in COLUMNS.values()])
    sheet.append([EXAMPLE.get(key, "") for key in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    help_sheet = book.create_sheet("Paskaidrojumi")
    help_sheet.append(["Kolonna", "Atslēga", "Paskaidrojums"])
    for key, (label, explanation) in COLUMNS.items():
        help_sheet.append([label, key, _(explanation) if explanation else ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_rows(filename: str, content: bytes) -> list[dict[str, Any]]:
    """Rows as {column key: value}; headers may be the keys or the template's Latvian labels."""
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a broken file
            raise Invalid(
                _("The file is not a readable XLSX workbook."),
                errors={"file": _("Not an XLSX file.")},
            ) from None
        raw = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
        book.close()
    elif lower.endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise Invalid(
                _("The file is not UTF-8 text. Save the spreadsheet as 'CSV UTF-8' and try again."),
                errors={"file": _("Not UTF-8.")},
            ) from None
        first = text.split("\n", 1)[0]
        delimiter = ";" if first.count(";") > first.count(",") else ","
        raw = [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]
    else:
        raise Invalid(
            _("Upload the XLSX or CSV template."), errors={"file": _("Unsupported file type.")}
        )
    if not raw:
        raise Invalid(_("The file has no header row."), errors={"file": _("No header row.")})
    header = [_HEADER_ALIASES.get(str(h or "").strip().lower()) for h in raw[0]]
    missing = {"title_lv", "owner", "access_rights"} - set(header)
    if missing:
        raise Invalid(
            _("The file lacks the column(s): {columns}.", columns=", ".join(sorted(missing))),
            errors={"file": _("Use the template's header row.")},
        )
    rows = []
    for values in raw[1 : MAX_ROWS + 2]:
        row = {
            key: value
            for key, value in zip(header, values, strict=False)
            if key and value not in (None, "")
        }
        rows.append(row)
    if len(rows) > MAX_ROWS:
        raise Invalid(
            _("At most {count} rows at a time.", count=MAX_ROWS),
            errors={"file": _("Too many rows.")},
        )
    return rows


def _cell(key: str, value: Any) -> Any:
    if isinstance(value, datetime):
        value = value.date()
    if key in LIST_COLUMNS:
        return [v.strip() for v in str(value).split(LIST_SEPARATOR) if v.strip()]
    if key in DATE_COLUMNS:
        return value if isinstance(value, date) else str(value).strip()
    if key == "personal_data":
        return str(value).strip().lower() in ("jā", "ja", "yes", "true", "1", "x")
    return str(value).strip()


def import_resources(
    *, session: Session, actor: Actor, filename: str, content: bytes
) -> ImportReport:
    """Import every valid row; report each invalid one by line and field."""
    require(actor, IMPORT_RESOURCES)
    report = ImportReport()
    for line, row in enumerate(read_rows(filename, content), start=2):
        if not row:
            continue
        values = {k: _cell(k, v) for k, v in row.items()}
        dist = {k: values.pop(k) for k in DISTRIBUTION_COLUMNS if k in values}
        savepoint = session.begin_nested()
        try:
            name, created = _import_row(session, actor, values, dist)
        except ValidationError as exc:
            savepoint.rollback()
            for err in exc.errors():
                key = str(err["loc"][0]) if err["loc"] else "row"
                report.errors.append(RowError(line, key, _("Invalid value.")))
        except DatiError as exc:
            savepoint.rollback()
            for key, message in (exc.errors or {"row": exc.detail}).items():
                report.errors.append(RowError(line, key, message))
        else:
            savepoint.commit()
            (report.created if created else report.updated).append(name)
    return report


def _import_row(
    session: Session,
    actor: Actor,
    values: dict[str, Any],
    dist: dict[str, Any],
) -> tuple[str, bool]:
    """Create or update one row's resource (and distribution); returns (name, created)."""
    existing = None
    if values.get("name"):
        existing = session.scalars(select(Resource).where(Resource.name == values["name"])).first()
    if existing is not None:
        owner = values.pop("owner", None)
        if owner and owner.upper() != existing.owner.short_name.upper():
            raise Invalid(
                _("Resource {name} belongs to another institution.", name=existing.name),
                errors={"name": _("Belongs to {org}.", org=existing.owner.short_name)},
            )
        values.pop("name")
        resource = service.update_resource(
            session=session, actor=actor, name=existing.name, data=ResourceUpdate(**values)
        )
    else:
        resource = service.create_resource(
            session=session, actor=actor, data=ResourceCreate(**values)
        )
    if dist.get("access_url"):
        distributions.add_distribution(
            session=session, actor=actor, name=resource.name, data=DistributionCreate(**dist)
        )
    elif dist:
        raise Invalid(
            _("A distribution needs an access URL."),
            errors={"access_url": _("Enter the access URL, starting with http:// or https://.")},
        )
    return resource.name, existing is None
