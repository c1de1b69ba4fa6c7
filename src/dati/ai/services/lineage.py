"""Which catalogue datasets each AI system uses, seen from the system and from the dataset."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dati.ai.models import AiSystem, AiSystemDataset, DataUsage, Lifecycle
from dati.ai.permissions import MANAGE_SYSTEM, READ_PUBLIC_REGISTER, VIEW_SYSTEM
from dati.ai.services.access import find_system
from dati.ai.services.history import record_change
from dati.auth.actor import Actor, Role
from dati.auth.permissions import require
from dati.catalog import service as catalog_service
from dati.errors import Conflict, Invalid, NotFound
from dati.i18n import gettext as _
from dati.i18n import pick

PUBLIC_LIFECYCLES = (Lifecycle.PILOT, Lifecycle.PRODUCTION)


def list_datasets(*, session: Session, actor: Actor, system_id: int) -> list[AiSystemDataset]:
    """The catalogue resources a system uses, with how it uses them."""
    system = session.get(AiSystem, system_id)
    require(actor, VIEW_SYSTEM, system if system is not None else -1)
    if system is None:
        raise NotFound(_("There is no AI system {id}.", id=system_id))
    return list(system.datasets)


def link_dataset(
    *, session: Session, actor: Actor, system_id: int, resource: str, usage: DataUsage
) -> AiSystemDataset:
    """Record that a system uses a catalogue resource (by name or id) as training, input... data."""
    system = find_system(session, system_id, actor)
    require(actor, MANAGE_SYSTEM, system)
    if not resource.strip():
        raise Invalid(_("Name a catalogue resource."), errors={"resource": _("Required.")})
    try:
        found = catalog_service.find_resource(session, resource.strip())
    except NotFound:
        raise Invalid(
            _("The catalogue has no resource {name}.", name=resource),
            errors={"resource": _("Unknown catalogue resource.")},
        ) from None
    if any(d.resource_id == found.id and d.usage is usage for d in system.datasets):
        raise Conflict(
            _("The system already uses {name} this way.", name=found.title_lv),
            errors={"resource": _("Already linked.")},
        )
    link = AiSystemDataset(resource_id=found.id, usage=usage, created_by=actor.name)
    system.datasets.append(link)
    record_change(
        session,
        system,
        by=actor.name,
        action="dataset_linked",
        changes=[["datasets", "", f"{found.name} ({usage.value})"]],
    )
    session.flush()
    return link


def unlink_dataset(*, session: Session, actor: Actor, system_id: int, link_id: int) -> None:
    """Remove a dataset link."""
    system = find_system(session, system_id, actor)
    require(actor, MANAGE_SYSTEM, system)
    link = next((d for d in system.datasets if d.id == link_id), None)
    if link is None:
        raise NotFound(_("The system has no such dataset link."))
    system.datasets.remove(link)
    record_change(
        session,
        system,
        by=actor.name,
        action="dataset_unlinked",
        changes=[["datasets", f"{link.resource.name} ({link.usage.value})", ""]],
    )
    session.flush()


def systems_using_resource(
    *, session: Session, actor: Actor, resource_id: int
) -> list[AiSystemDataset]:
    """AI systems that use a catalogue resource, for the resource's page: everyone sees the
    systems published in the transparency register; AI officers and auditors also see the
    systems of the register they may read."""
    require(actor, READ_PUBLIC_REGISTER)
    stmt = (
        select(AiSystemDataset)
        .join(AiSystemDataset.system)
        .where(AiSystemDataset.resource_id == resource_id)
        .order_by(AiSystem.name_lv, AiSystemDataset.usage)
    )
    if not (actor.is_admin or actor.has_role(Role.AUDITOR)):
        published = AiSystem.publish.is_(True) & AiSystem.lifecycle.in_(PUBLIC_LIFECYCLES)
        stmt = stmt.where(or_(published, AiSystem.org_id.in_(actor.org_ids(Role.AI_OFFICER))))
    return list(session.scalars(stmt))


def dataset_names(session: Session, systems: list[AiSystem]) -> dict[int, list[str]]:
    """Titles of the datasets each system uses, for the public register's 'source data'."""
    if not systems:
        return {}
    stmt = select(AiSystemDataset).where(AiSystemDataset.system_id.in_([s.id for s in systems]))
    names: dict[int, list[str]] = {}
    for link in session.scalars(stmt.order_by(AiSystemDataset.id)):
        title = pick(link.resource.title_lv, link.resource.title_en)
        if title not in names.setdefault(link.system_id, []):
            names[link.system_id].append(title)
    return names
