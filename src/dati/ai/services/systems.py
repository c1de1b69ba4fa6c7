"""AI systems: register, read, change (with a change history row for every change)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dati import clock
from dati.ai.models import AiChange, AiSystem, Lifecycle
from dati.ai.permissions import LIST_SYSTEMS, MANAGE_SYSTEM, VIEW_SYSTEM
from dati.ai.schemas import AiSystemCreate, AiSystemUpdate
from dati.ai.services import compliance
from dati.ai.services.access import find_system, visible
from dati.ai.services.history import plain, record_change
from dati.ai.verdict import RiskClass
from dati.auth.actor import Actor, Role
from dati.auth.permissions import require
from dati.errors import Conflict, Invalid, NotFound
from dati.i18n import gettext as _
from dati.orgs import service as orgs_service
from dati.orgs.models import Organisation, OrgKind


def list_systems(
    *,
    session: Session,
    actor: Actor,
    org: str | None = None,
    lifecycle: Lifecycle | None = None,
    risk_class: RiskClass | None = None,
    q: str | None = None,
) -> list[AiSystem]:
    """The register as the actor may see it: their institutions' systems, or all for auditors."""
    require(actor, LIST_SYSTEMS)
    stmt = visible(select(AiSystem).join(AiSystem.org), actor)
    if org:
        found = orgs_service.find_by_short_name(session, org)
        stmt = stmt.where(AiSystem.org_id == (found.id if found else -1))
    if lifecycle:
        stmt = stmt.where(AiSystem.lifecycle == lifecycle)
    if risk_class:
        stmt = stmt.where(AiSystem.risk_class == risk_class)
    if q:
        stmt = stmt.where(AiSystem.matching(q))
    return list(session.scalars(stmt.order_by(Organisation.short_name, AiSystem.name_lv)))


def get_system(*, session: Session, actor: Actor, system_id: int) -> AiSystem:
    """One system, for its institution's AI officers, auditors and admins (404 for others)."""
    system = session.get(AiSystem, system_id)
    require(actor, VIEW_SYSTEM, system if system is not None else -1)
    if system is None:
        raise NotFound(_("There is no AI system {id}.", id=system_id))
    return system


def manageable_organisations(*, session: Session, actor: Actor) -> list[Organisation]:
    """Institutions the actor may register systems for (all public bodies for admins)."""
    require(actor, LIST_SYSTEMS)
    stmt = select(Organisation).order_by(Organisation.name_lv)
    if actor.is_admin:
        stmt = stmt.where(
            Organisation.kind.in_((OrgKind.MINISTRY, OrgKind.AGENCY, OrgKind.MUNICIPALITY))
        )
    else:
        stmt = stmt.where(Organisation.id.in_(actor.org_ids(Role.AI_OFFICER)))
    return list(session.scalars(stmt))


def create_system(*, session: Session, actor: Actor, data: AiSystemCreate) -> AiSystem:
    """Register a system for an institution in which the actor is an AI officer."""
    org = orgs_service.find_by_short_name(session, data.org)
    require(actor, MANAGE_SYSTEM, org.id if org else -1)
    if org is None:
        raise Invalid(
            _("Organisation {name} does not exist.", name=data.org),
            errors={"org": _("Unknown organisation.")},
        )
    values = data.model_dump(exclude={"org"})
    _check(values)
    _unique_name(session, org.id, data.name_lv)
    system = AiSystem(org_id=org.id, **values)
    session.add(system)
    session.flush()
    record_change(session, system, by=actor.name, action="created", summary=data.name_lv)
    return system


def update_system(
    *, session: Session, actor: Actor, system_id: int, data: AiSystemUpdate
) -> AiSystem:
    """Change the fields sent; each changed field is written to the history with old and new."""
    system = find_system(session, system_id, actor)
    require(actor, MANAGE_SYSTEM, system)
    sent = data.model_dump(exclude_unset=True)
    values = {c.key: getattr(system, c.key) for c in AiSystem.__table__.columns}
    values.update(sent)
    _check(values)
    if "name_lv" in sent and sent["name_lv"] != system.name_lv:
        _unique_name(session, system.org_id, sent["name_lv"])
    changes = []
    for key, new in sent.items():
        old = getattr(system, key)
        if old != new:
            changes.append([key, plain(old), plain(new)])
            setattr(system, key, new)
    if changes:
        system.updated_at = clock.now()
        record_change(session, system, by=actor.name, action="updated", changes=changes)
        if any(key == "role" for key, _old, _new in changes):
            compliance.refresh_obligations(session, system, by=actor.name)
    session.flush()
    return system


def list_changes(*, session: Session, actor: Actor, system_id: int) -> list[AiChange]:
    """The system's change history, newest first."""
    system = session.get(AiSystem, system_id)
    require(actor, VIEW_SYSTEM, system if system is not None else -1)
    if system is None:
        raise NotFound(_("There is no AI system {id}.", id=system_id))
    stmt = select(AiChange).where(AiChange.system_id == system_id)
    return list(session.scalars(stmt.order_by(AiChange.at.desc(), AiChange.id.desc())))


def _check(values: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if values.get("lifecycle") is Lifecycle.RETIRED and not values.get("retired_on"):
        values["retired_on"] = clock.today()
    if values.get("retired_on") and values.get("lifecycle") is not Lifecycle.RETIRED:
        errors["retired_on"] = _("Only a retired system has a retirement date.")
    since, retired = values.get("in_service_since"), values.get("retired_on")
    if since and retired and retired < since:
        errors["retired_on"] = _("The retirement date is before the date it went into service.")
    if not values.get("publish") and not (values.get("publish_exemption") or "").strip():
        errors["publish_exemption"] = _("Say why the system is not published.")
    if values.get("sourcing") == "vendor" and not (values.get("vendor") or "").strip():
        errors["vendor"] = _("Name the vendor.")
    if errors:
        raise Invalid(_("Some fields need attention."), errors=errors)


def _unique_name(session: Session, org_id: int, name: str) -> None:
    exists = session.scalar(
        select(AiSystem.id).where(AiSystem.org_id == org_id, AiSystem.name_lv == name)
    )
    if exists:
        raise Conflict(
            _("The institution already has an AI system called {name}.", name=name),
            errors={"name_lv": _("Already used in this institution.")},
        )
