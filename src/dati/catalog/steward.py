"""The data steward's desk: the institutions an actor describes and their weakest resources."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dati.auth.actor import Actor, Role
from dati.auth.permissions import require
from dati.catalog.models import Resource
from dati.catalog.permissions import STEWARD_DESK
from dati.orgs.models import Organisation


def steward_organisations(session: Session, actor: Actor) -> dict[int, Organisation]:
    """The institutions whose resources the actor may describe (all of them for admins)."""
    stmt = select(Organisation).order_by(Organisation.short_name)
    if not actor.is_admin:
        stmt = stmt.where(Organisation.id.in_(actor.org_ids(Role.STEWARD)))
    return {o.id: o for o in session.scalars(stmt)}


def steward_resources(*, session: Session, actor: Actor, limit: int = 500) -> list[Resource]:
    """The resources of the actor's institutions, the weakest descriptions first."""
    require(actor, STEWARD_DESK)
    orgs = list(steward_organisations(session, actor))
    stmt = (
        select(Resource)
        .where(Resource.owner_org_id.in_(orgs))
        .order_by(Resource.quality_score, Resource.completeness, Resource.title_lv)
        .limit(limit)
    )
    return list(session.scalars(stmt))
