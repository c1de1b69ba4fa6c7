"""The main menu: which entries each role sees. Features add their entries here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dati.auth.actor import Actor, Role


@dataclass(frozen=True)
class NavItem:
    label: str  # English message id, translated in the template
    url: str
    visible: Callable[[Actor], bool]


def _everyone(_actor: Actor) -> bool:
    return True


def _role(*roles: Role) -> Callable[[Actor], bool]:
    return lambda actor: actor.is_admin or any(actor.has_role(r) for r in roles)


def _citizen(actor: Actor) -> bool:
    return actor.is_citizen


MENU: list[NavItem] = [
    NavItem("Catalogue", "/catalog", _everyone),
    NavItem("Describe data", "/catalog/steward", _role(Role.STEWARD)),
    NavItem("Organisations", "/organisations", _everyone),
    NavItem("Data", "/data", _everyone),
    NavItem("Harvesting", "/harvest", _role(Role.STEWARD)),
    NavItem("AI register", "/ai/register", _everyone),
    NavItem("AI systems", "/ai/systems", _role(Role.AI_OFFICER, Role.AUDITOR)),
    NavItem("AI Act check", "/ai/classify", _role(Role.AI_OFFICER)),
    NavItem("Monitoring", "/monitoring", _everyone),
    NavItem("Users", "/admin/users", _role(Role.ADMIN)),
    # Institution staff (any role in an organisation), auditors and administrators.
    NavItem("Readiness", "/readiness", lambda actor: actor.is_admin or bool(actor.org_ids())),
    NavItem(
        "Access requests",
        "/access-requests",
        _role(Role.STEWARD, Role.RECIPIENT, Role.SIGNATORY, Role.AUDITOR),
    ),
    NavItem(
        "Agreements",
        "/agreements",
        _role(Role.STEWARD, Role.SIGNATORY, Role.RECIPIENT, Role.AUDITOR),
    ),
    NavItem("Audit log", "/audit/log", _role(Role.AUDITOR, Role.STEWARD, Role.SIGNATORY)),
    NavItem(
        "Access times",
        "/audit/access-times",
        _role(Role.AUDITOR, Role.STEWARD, Role.SIGNATORY, Role.RECIPIENT, Role.PUBLISHER),
    ),
    NavItem("Who used my data", "/me/accesses", _citizen),
]


def menu_for(actor: Actor) -> list[NavItem]:
    return [item for item in MENU if item.visible(actor)]
