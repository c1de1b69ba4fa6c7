"""Who may see and change organisations."""

from dati.auth.permissions import Permission, admin_only, anyone

VIEW_ORGANISATIONS = Permission("orgs.view", "View organisations", anyone)
MANAGE_ORGANISATIONS = Permission("orgs.manage", "Create and import organisations", admin_only)
