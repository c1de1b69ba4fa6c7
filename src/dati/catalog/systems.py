"""Information systems: the state systems (registers, platforms) that hold information
resources, with their owner institution, legal basis and status."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dati import clock
from dati.auth.actor import Actor
from dati.auth.permissions import require
from dati.catalog import history, vocabularies
from dati.catalog.models import InformationSystem
from dati.catalog.permissions import EDIT_SYSTEM, VIEW_CATALOGUE
from dati.catalog.schemas import SystemCreate, SystemUpdate
from dati.catalog.service import find_org, slugify, unique_name
from dati.errors import Conflict, Invalid, NotFound
from dati.i18n import gettext as _
from dati.orgs import service as orgs_service

SYSTEM_ATTRIBUTES = (
    "title_lv",
    "title_en",
    "description_lv",
    "description_en",
    "legal_basis",
    "status",
    "homepage",
)


def list_systems(
    *, session: Session, actor: Actor, owner: str | None = None
) -> list[InformationSystem]:
    """All information systems, or one institution's."""
    require(actor, VIEW_CATALOGUE)
    stmt = select(InformationSystem).order_by(InformationSystem.title_lv)
    if owner:
        org = orgs_service.find_by_short_name(session, owner)
        stmt = stmt.where(InformationSystem.owner_org_id == (org.id if org else -1))
    return list(session.scalars(stmt))


def get_system(*, session: Session, actor: Actor, name: str) -> InformationSystem:
    """One information system by name or numeric id."""
    require(actor, VIEW_CATALOGUE)
    return find_system(session, name)


def find_system(session: Session, key: str) -> InformationSystem:
    system = find_system_or_none(session, key)
    if system is None:
        raise NotFound(_("Information system {name} does not exist.", name=key))
    return system


def find_system_or_none(session: Session, key: str) -> InformationSystem | None:
    system = session.scalars(select(InformationSystem).where(InformationSystem.name == key)).first()
    if system is None and key.isdigit():
        system = session.get(InformationSystem, int(key))
    return system


def create_system(*, session: Session, actor: Actor, data: SystemCreate) -> InformationSystem:
    """Register an information system of the actor's institution."""
    owner = find_org(session, data.owner, "owner")
    require(actor, EDIT_SYSTEM, owner.id)
    errors = _system_errors(data.title_lv, data.homepage)
    name = data.name.strip() if data.name else ""
    if name and not vocabularies.is_slug(name):
        errors["name"] = _("Use 3-100 lowercase letters, digits and hyphens.")
    if errors:
        raise Invalid(_("The information system has errors; nothing was saved."), errors=errors)
    if name and session.scalar(select(InformationSystem.id).where(InformationSystem.name == name)):
        raise Conflict(
            _("An information system called {name} exists.", name=name),
            errors={"name": _("Already taken.")},
        )
    system = InformationSystem(
        name=name or unique_name(session, InformationSystem, slugify(data.title_lv)),
        title_lv=data.title_lv.strip(),
        title_en=data.title_en.strip(),
        description_lv=data.description_lv.strip(),
        description_en=data.description_en.strip(),
        owner_org_id=owner.id,
        legal_basis=data.legal_basis.strip(),
        status=data.status,
        homepage=data.homepage or None,
    )
    session.add(system)
    session.flush()
    history.record(
        session,
        actor,
        entity="system",
        entity_id=system.id,
        resource_id=None,
        before=None,
        after=history.snapshot(system, SYSTEM_ATTRIBUTES),
    )
    return system


def update_system(
    *, session: Session, actor: Actor, name: str, data: SystemUpdate
) -> InformationSystem:
    """Change an information system's description; every changed property is recorded."""
    system = find_system(session, name)
    require(actor, EDIT_SYSTEM, system)
    changes = data.model_dump(exclude_unset=True)
    errors = _system_errors(changes.get("title_lv", system.title_lv), changes.get("homepage"))
    if errors:
        raise Invalid(_("The information system has errors; nothing was saved."), errors=errors)
    before = history.snapshot(system, SYSTEM_ATTRIBUTES)
    for key, value in changes.items():
        setattr(system, key, value.strip() if isinstance(value, str) else value)
    system.updated_at = clock.now()
    session.flush()
    history.record(
        session,
        actor,
        entity="system",
        entity_id=system.id,
        resource_id=None,
        before=before,
        after=history.snapshot(system, SYSTEM_ATTRIBUTES),
    )
    return system


def _system_errors(title_lv: str | None, homepage: str | None) -> dict[str, str]:
    errors = {}
    if not (title_lv or "").strip():
        errors["title_lv"] = _("Enter the title in Latvian.")
    if homepage and not homepage.startswith(("http://", "https://")):
        errors["homepage"] = _("Enter a web address starting with http:// or https://.")
    return errors
