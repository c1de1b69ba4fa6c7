"""Who may read and change the catalogue.

Catalogue metadata is public: the catalogue's job is to show what exists. Access to the
data itself is the exchange's business. Changing metadata is the owning institution's
stewards' job; a publisher may also replace a field schema (the exchange infers one).
"""

from __future__ import annotations

from typing import Any

from dati.auth.actor import Actor, Role
from dati.auth.permissions import Permission, admin_only, anyone, has_any_role


def owner_org_id(target: Any) -> int | None:
    """The organisation a target belongs to: an org id itself, or a record's owner_org_id."""
    if isinstance(target, int):
        return target
    return getattr(target, "owner_org_id", None)


def _steward_of_owner(actor: Actor, target: Any) -> bool:
    org_id = owner_org_id(target)
    return org_id is not None and actor.has_role(Role.STEWARD, org_id)


def _steward_or_publisher_of_owner(actor: Actor, target: Any) -> bool:
    org_id = owner_org_id(target)
    return org_id is not None and (
        actor.has_role(Role.STEWARD, org_id) or actor.has_role(Role.PUBLISHER, org_id)
    )


def _glossary_editor(actor: Actor, term: Any) -> bool:
    org_id = owner_org_id(term)
    if org_id is None:
        return actor.has_role(Role.STEWARD)
    return actor.has_role(Role.STEWARD, org_id)


VIEW_CATALOGUE = Permission("catalog.view", "View the catalogue", anyone)
EDIT_RESOURCE = Permission(
    "catalog.resource.edit",
    "Describe and change the information resources of your institution",
    _steward_of_owner,
)
EDIT_TABLE_SCHEMA = Permission(
    "catalog.resource.schema",
    "Replace the field schema of your institution's information resources",
    _steward_or_publisher_of_owner,
)
EDIT_SYSTEM = Permission(
    "catalog.system.edit",
    "Describe and change the information systems of your institution",
    _steward_of_owner,
)
STEWARD_DESK = Permission(
    "catalog.steward.desk", "Open the data steward's pages", has_any_role(Role.STEWARD)
)
IMPORT_RESOURCES = Permission(
    "catalog.resource.import",
    "Import resource descriptions from a spreadsheet",
    has_any_role(Role.STEWARD),
)
EDIT_GLOSSARY = Permission(
    "catalog.glossary.edit", "Define and change business glossary terms", _glossary_editor
)
CHECK_URLS = Permission("catalog.urls.check", "Check that distribution URLs answer", admin_only)
REINDEX = Permission("catalog.reindex", "Rebuild the catalogue search index", admin_only)
