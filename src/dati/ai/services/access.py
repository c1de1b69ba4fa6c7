"""Which AI systems an actor may see, for the services that already checked their permission."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from dati.ai.models import AiSystem
from dati.ai.permissions import MANAGE_SYSTEM, VIEW_SYSTEM
from dati.auth.actor import Actor, Role
from dati.auth.permissions import allowed
from dati.errors import NotFound
from dati.i18n import gettext as _


def visible(stmt: Select[Any], actor: Actor) -> Select[Any]:
    """Limit a query on AiSystem to the systems the actor may see."""
    if actor.is_admin or actor.has_role(Role.AUDITOR):
        return stmt
    return stmt.where(AiSystem.org_id.in_(actor.org_ids(Role.AI_OFFICER)))


def find_system(session: Session, system_id: int, actor: Actor) -> AiSystem:
    """Lookup for sibling services, which check their own permission; 404 if the actor may not
    even see the system, so a refusal never reveals that it exists."""
    system = session.get(AiSystem, system_id)
    if system is None or not allowed(actor, VIEW_SYSTEM, system):
        raise NotFound(_("There is no AI system {id}.", id=system_id))
    return system


def can_manage(actor: Actor, system: AiSystem) -> bool:
    """For buttons and forms only; operations call ``require`` themselves."""
    return allowed(actor, MANAGE_SYSTEM, system)
