"""Who may publish datasets and who may read them.

Publishing is the owning institution's publishers' and stewards' job. Reading is decided
by ``service.authorise_read`` alone, which asks the agreements gateway.
"""

from __future__ import annotations

from typing import Any

from dati.auth.actor import Actor, Role
from dati.auth.permissions import Permission, anyone


def _publisher_or_steward_of_owner(actor: Actor, resource: Any) -> bool:
    org_id = getattr(resource, "owner_org_id", None)
    return org_id is not None and (
        actor.has_role(Role.PUBLISHER, org_id) or actor.has_role(Role.STEWARD, org_id)
    )


PUBLISH_VERSION = Permission(
    "exchange.version.publish",
    "Publish data of your institution's information resources",
    _publisher_or_steward_of_owner,
)
MANAGE_VERSIONS = Permission(
    "exchange.version.manage",
    "Roll back versions and set the retention of your institution's data",
    _publisher_or_steward_of_owner,
)
VIEW_QUARANTINE = Permission(
    "exchange.quarantine.view",
    "Download the rows refused when your institution published data",
    _publisher_or_steward_of_owner,
    hide=True,
)
# Everyone may ask; ``service.authorise_read`` (the agreements gateway) decides what they get
# and answers a refusal with its reason.
READ_DATA = Permission("exchange.data.read", "Read this dataset", anyone)
BROWSE_DATA = Permission("exchange.data.browse", "See which datasets have published data", anyone)
