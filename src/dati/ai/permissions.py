"""Who may do what in the AI register.

AI officers keep their own institution's register; auditors (and admins) may read every
institution's; anyone may read the public transparency register and run the classifier.
"""

from __future__ import annotations

from typing import Any

from dati.auth.actor import Actor, Role
from dati.auth.permissions import Permission, anyone, has_any_role, role_in_org


def _org_id(target: Any) -> int | None:
    """A system's organisation, or an organisation id given directly (when creating)."""
    return target if isinstance(target, int) else getattr(target, "org_id", None)


def _officer_or_auditor(actor: Actor, target: Any) -> bool:
    org_id = _org_id(target)
    return actor.has_role(Role.AUDITOR) or (
        org_id is not None and actor.has_role(Role.AI_OFFICER, org_id)
    )


READ_PUBLIC_REGISTER = Permission(
    "ai.register.read", "Read the public AI transparency register", anyone
)
CLASSIFY = Permission("ai.classify", "Run the AI Act classifier", anyone)
LIST_SYSTEMS = Permission(
    "ai.system.list", "See the AI systems register", has_any_role(Role.AI_OFFICER, Role.AUDITOR)
)
# 404, not 403: an unpublished system's existence is itself internal.
VIEW_SYSTEM = Permission("ai.system.view", "See an AI system", _officer_or_auditor, hide=True)
MANAGE_SYSTEM = Permission(
    "ai.system.manage",
    "Register and edit the institution's AI systems",
    role_in_org(Role.AI_OFFICER, org_of=_org_id),
)
VIEW_OVERVIEW = Permission(
    "ai.overview.view",
    "See the national overview of AI systems",
    has_any_role(Role.AUDITOR, Role.AI_OFFICER),
)
