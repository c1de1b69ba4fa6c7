"""Organisation operations: list, get, create, import from CSV."""

from __future__ import annotations

import csv
import io

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dati.auth.actor import Actor
from dati.auth.permissions import require
from dati.errors import Conflict, Invalid, NotFound
from dati.i18n import gettext as _
from dati.orgs.models import Organisation, OrgKind
from dati.orgs.permissions import MANAGE_ORGANISATIONS, VIEW_ORGANISATIONS
from dati.orgs.schemas import OrganisationCreate


def list_organisations(
    *, session: Session, actor: Actor, kind: OrgKind | None = None, q: str | None = None
) -> list[Organisation]:
    """All organisations, optionally of one kind or matching a name fragment."""
    require(actor, VIEW_ORGANISATIONS)
    stmt = select(Organisation).order_by(Organisation.name_lv)
    if kind:
        stmt = stmt.where(Organisation.kind == kind)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            func.lower(Organisation.name_lv).like(like)
            | func.lower(Organisation.name_en).like(like)
            | func.lower(Organisation.short_name).like(like)
        )
    return list(session.scalars(stmt))


def get_organisation(*, session: Session, actor: Actor, short_name: str) -> Organisation:
    """One organisation by short name (case-insensitive) or numeric id."""
    require(actor, VIEW_ORGANISATIONS)
    return _get(session, short_name)


def _get(session: Session, key: str) -> Organisation:
    org = find_by_short_name(session, key)
    if org is None and key.isdigit():
        org = session.get(Organisation, int(key))
    if org is None:
        raise NotFound(_("Organisation {name} does not exist.", name=key))
    return org


def find_by_short_name(session: Session, short_name: str) -> Organisation | None:
    """Lookup for other features' services, which have already checked their own permission.

    Tolerates case differences; SQLite's lower() ignores non-ASCII letters such as 'Ā',
    so the usual spellings are matched explicitly.
    """
    variants = {short_name, short_name.upper(), short_name.lower(), short_name.capitalize()}
    stmt = (
        select(Organisation)
        .where(Organisation.short_name.in_(variants))
        .order_by((Organisation.short_name == short_name).desc())
    )
    return session.scalars(stmt).first()


def create_organisation(
    *, session: Session, actor: Actor, data: OrganisationCreate
) -> Organisation:
    """Add an organisation; short name and registration number must be unique."""
    require(actor, MANAGE_ORGANISATIONS)
    return _create(session, data)


def _create(session: Session, data: OrganisationCreate) -> Organisation:
    if find_by_short_name(session, data.short_name):
        raise Conflict(
            _("An organisation called {name} already exists.", name=data.short_name),
            errors={"short_name": _("Already taken.")},
        )
    if data.reg_number and session.scalar(
        select(Organisation.id).where(Organisation.reg_number == data.reg_number)
    ):
        raise Conflict(
            _("Registration number already used."), errors={"reg_number": _("Already used.")}
        )
    parent_id = None
    if data.parent_short_name:
        parent = find_by_short_name(session, data.parent_short_name)
        if parent is None:
            raise Invalid(
                _("Parent organisation {name} does not exist.", name=data.parent_short_name),
                errors={"parent_short_name": _("Unknown organisation.")},
            )
        parent_id = parent.id
    org = Organisation(
        short_name=data.short_name,
        name_lv=data.name_lv,
        name_en=data.name_en,
        reg_number=data.reg_number,
        kind=data.kind,
        parent_id=parent_id,
        municipality_code=data.municipality_code,
        website=data.website,
    )
    session.add(org)
    session.flush()
    return org


IMPORT_COLUMNS = (
    "short_name",
    "name_lv",
    "name_en",
    "reg_number",
    "kind",
    "parent_short_name",
    "municipality_code",
)


def import_organisations(*, session: Session, actor: Actor, csv_text: str) -> tuple[int, int]:
    """Import a CSV of organisations (columns: IMPORT_COLUMNS); existing short names are updated.

    All rows are validated first; any invalid row refuses the whole file, so nothing is
    half-imported. Returns (created, updated).
    """
    require(actor, MANAGE_ORGANISATIONS)
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    missing = {"short_name", "name_lv", "kind"} - set(reader.fieldnames or [])
    if missing:
        raise Invalid(
            _("The CSV lacks the column(s): {columns}.", columns=", ".join(sorted(missing)))
        )
    rows: list[OrganisationCreate] = []
    errors: dict[str, str] = {}
    for line_no, row in enumerate(reader, start=2):
        clean = {
            k: (v.strip() or None) if isinstance(v, str) else v
            for k, v in row.items()
            if k in IMPORT_COLUMNS
        }
        try:
            rows.append(OrganisationCreate(**{k: v for k, v in clean.items() if v is not None}))
        except ValidationError as exc:
            first = exc.errors()[0]
            errors[f"row {line_no}"] = f"{first['loc'][0] if first['loc'] else ''}: {first['msg']}"
    if errors:
        raise Invalid(_("Some rows are invalid; nothing was imported."), errors=errors)
    created = updated = 0
    # Parents first, so a row may name a parent defined later in the same file.
    rows.sort(key=lambda r: r.parent_short_name is not None)
    for data in rows:
        existing = find_by_short_name(session, data.short_name)
        if existing is None:
            _create(session, data)
            created += 1
            continue
        existing.name_lv, existing.name_en, existing.kind = data.name_lv, data.name_en, data.kind
        existing.reg_number = data.reg_number or existing.reg_number
        existing.municipality_code = data.municipality_code or existing.municipality_code
        if data.parent_short_name:
            parent = find_by_short_name(session, data.parent_short_name)
            existing.parent_id = parent.id if parent else existing.parent_id
        updated += 1
    session.flush()
    return created, updated
