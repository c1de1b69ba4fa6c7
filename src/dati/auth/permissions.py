"""Declared permissions and the one ``require`` call each service operation makes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dati.auth.actor import Actor, Role
from dati.errors import Forbidden, NotAuthenticated, NotFound
from dati.i18n import gettext as _

Rule = Callable[[Actor, Any], bool]


@dataclass(frozen=True)
class Permission:
    """A named action with a description and the rule deciding who may do it.

    ``hide`` makes a refusal answer 404 instead of 403, for records whose very
    existence is restricted.
    """

    name: str
    description: str
    rule: Rule
    hide: bool = False


def require(actor: Actor, permission: Permission, target: Any = None) -> None:
    """Raise unless ``actor`` may perform ``permission`` on ``target``."""
    if actor.is_admin:
        return
    if permission.rule(actor, target):
        return
    if permission.hide:
        raise NotFound(_("No such record, or you may not see it."))
    action = _(permission.description[:1].lower() + permission.description[1:])
    if not actor.is_authenticated:
        raise NotAuthenticated(_("Log in to {action}.", action=action))
    raise Forbidden(_("You may not {action}.", action=action), permission=permission.name)


def allowed(actor: Actor, permission: Permission, target: Any = None) -> bool:
    """The same verdict as ``require`` without raising; for menus and buttons only."""
    return actor.is_admin or permission.rule(actor, target)


# Rule building blocks shared by features.
def anyone(_actor: Actor, _target: Any = None) -> bool:
    return True


def authenticated(actor: Actor, _target: Any = None) -> bool:
    return actor.is_authenticated


def admin_only(_actor: Actor, _target: Any = None) -> bool:
    return False  # require() lets admins through before any rule runs


def has_any_role(*roles: Role) -> Rule:
    def rule(actor: Actor, _target: Any = None) -> bool:
        return any(actor.has_role(r) for r in roles)

    return rule


def role_in_org(*roles: Role, org_of: Callable[[Any], int | None]) -> Rule:
    """The actor holds one of ``roles`` in the organisation that owns the target."""

    def rule(actor: Actor, target: Any) -> bool:
        org_id = org_of(target)
        return org_id is not None and any(actor.has_role(r, org_id) for r in roles)

    return rule


LOG_IN = Permission("auth.login", "Log in", anyone)
VIEW_SELF = Permission("auth.self.view", "See your own account", authenticated)
MANAGE_OWN_TOKENS = Permission(
    "auth.token.manage", "Create and revoke your own API tokens", authenticated
)
MANAGE_USERS = Permission("auth.user.manage", "Manage user accounts and roles", admin_only)
