"""Who may see and change monitoring data.

Reading is public: the dashboard is the state's public performance board. An actual value of
an indicator the platform cannot compute is entered by a data steward of the indicator's lead
responsible institution (e.g. VARAM for most strategy indicators, IZM for digital skills), or by
a platform administrator. Co-responsible institutions do not enter values: each indicator has
one accountable owner, as in the strategy's reporting to the Cabinet.
"""

from __future__ import annotations

from typing import Any

from dati.auth.actor import Actor, Role
from dati.auth.permissions import Permission, admin_only, anyone, has_any_role


def _steward_of_responsible(actor: Actor, indicator: Any) -> bool:
    org_id = getattr(indicator, "responsible_org_id", None)
    return org_id is not None and actor.has_role(Role.STEWARD, org_id)


VIEW_MONITORING = Permission(
    "monitoring.view", "View national targets, indicators and the Data Champion ranking", anyone
)
RECORD_ACTUAL = Permission(
    "monitoring.value.record",
    "Record actual values for this indicator",
    _steward_of_responsible,
)
# Any steward may upload a file; each row is then checked against RECORD_ACTUAL.
IMPORT_ACTUALS = Permission(
    "monitoring.value.import", "Import actual values from a CSV file", has_any_role(Role.STEWARD)
)
MANAGE_MONITORING = Permission(
    "monitoring.manage",
    "Load indicator definitions and refresh the computed indicators",
    admin_only,
)
