"""Who may read, check and export the audit log, and who sees access times."""

from __future__ import annotations

from typing import Any

from dati.auth.actor import Actor, Role
from dati.auth.permissions import Permission, admin_only, anyone, has_any_role

# Stewards and signatories see the entries of their own organisations (as provider or
# recipient); auditors see everything. The service narrows the query accordingly.
LOG_READERS = (Role.AUDITOR, Role.STEWARD, Role.SIGNATORY)


def _citizen(actor: Actor, _target: Any = None) -> bool:
    return actor.is_citizen and bool(actor.personal_code)


VIEW_AUDIT_LOG = Permission(
    "audit.log.view", "Read the audit log of data access", has_any_role(*LOG_READERS)
)
EXPORT_AUDIT_LOG = Permission(
    "audit.log.export", "Export the audit log as CSV", has_any_role(*LOG_READERS)
)
VERIFY_AUDIT_LOG = Permission(
    "audit.log.verify", "Check the audit log for tampering", has_any_role(Role.AUDITOR)
)
SIGN_CHECKPOINT = Permission("audit.checkpoint.sign", "Sign an audit checkpoint now", admin_only)
VIEW_OWN_ACCESSES = Permission(
    "audit.me.view", "See who accessed data about you", _citizen, hide=False
)
VIEW_ACCESS_TIMES = Permission(
    "audit.times.view",
    "See access times of data exchange",
    has_any_role(Role.AUDITOR, Role.STEWARD, Role.SIGNATORY, Role.RECIPIENT, Role.PUBLISHER),
)
VIEW_PLATFORM_KEYS = Permission(
    "audit.keys.view", "See the platform's checkpoint public keys", anyone
)
