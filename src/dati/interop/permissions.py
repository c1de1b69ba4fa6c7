"""Who may export and harvest catalogue metadata.

The DCAT-AP export is the public catalogue in another syntax, so anyone may read it.
Harvesting writes into an institution's catalogue, so it is that institution's
stewards' job, as describing a resource by hand is.
"""

from __future__ import annotations

from typing import Any

from dati.auth.actor import Actor, Role
from dati.auth.permissions import Permission, admin_only, anyone


def _org_id(target: Any) -> int | None:
    if isinstance(target, int):
        return target
    return getattr(target, "org_id", None)


def _steward_of(actor: Actor, target: Any) -> bool:
    org_id = _org_id(target)
    return org_id is not None and actor.has_role(Role.STEWARD, org_id)


def _any_steward(actor: Actor, _target: Any = None) -> bool:
    return actor.has_role(Role.STEWARD)


READ_CKAN = Permission(
    "interop.ckan.read", "Read the catalogue through the CKAN-compatible API", anyone
)
EXPORT_DCAT = Permission("interop.dcat.export", "Download the catalogue as DCAT-AP", anyone)
HARVEST = Permission(
    "interop.harvest.run",
    "Harvest DCAT-AP metadata into your institution's catalogue",
    _steward_of,
)
MANAGE_SOURCES = Permission(
    "interop.harvest.sources",
    "Manage your institution's harvest sources",
    _steward_of,
)
VIEW_HARVESTS = Permission(
    "interop.harvest.view",
    "See harvest sources and reports",
    _any_steward,
)
# 404, not 403: another institution's sources and reports are none of the actor's business.
VIEW_HARVEST_RECORD = Permission(
    "interop.harvest.record",
    "See your institution's harvest sources and reports",
    _steward_of,
    hide=True,
)
# Changing, removing or running an existing source: another institution's answers 404,
# as it does when only looked at.
CHANGE_SOURCE = Permission(
    "interop.harvest.source.change",
    "Change, run or remove your institution's harvest sources",
    _steward_of,
    hide=True,
)
RUN_DUE = Permission(
    "interop.harvest.due",
    "Run the harvest sources that are due",
    admin_only,  # the scheduled job acts as the system actor
)
