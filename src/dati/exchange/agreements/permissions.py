"""Who may request access, review requests, sign, amend, suspend and revoke agreements, and
manage an organisation's signing keys.

Targets are the records themselves (access requests and agreements carry provider_org_id and
recipient_org_id) or, for organisation-level actions, the organisation's id.
"""

from __future__ import annotations

from typing import Any

from dati.auth.actor import Actor, Role
from dati.auth.permissions import Permission, admin_only, anyone, authenticated


def _in_org(actor: Actor, org_id: int | None, *roles: Role) -> bool:
    return org_id is not None and any(actor.has_role(r, org_id) for r in roles)


def is_party_member(actor: Actor, record: Any) -> bool:
    """Anyone holding a role in either party, or an auditor."""
    if actor.has_role(Role.AUDITOR):
        return True
    mine = actor.org_ids()
    return record.provider_org_id in mine or record.recipient_org_id in mine


def _requester(actor: Actor, recipient_org_id: int) -> bool:
    return _in_org(actor, recipient_org_id, Role.RECIPIENT, Role.STEWARD)


def _provider_steward(actor: Actor, record: Any) -> bool:
    return _in_org(actor, record.provider_org_id, Role.STEWARD)


def _recipient_requester(actor: Actor, record: Any) -> bool:
    return _requester(actor, record.recipient_org_id)


def _provider_manager(actor: Actor, record: Any) -> bool:
    return _in_org(actor, record.provider_org_id, Role.STEWARD, Role.SIGNATORY)


def _signatory_of_party(actor: Actor, target: Any) -> bool:
    """``target`` is (agreement, org_id of the party that is signing)."""
    _agreement, org_id = target
    return _in_org(actor, org_id, Role.SIGNATORY)


def _signatory_of_either(actor: Actor, record: Any) -> bool:
    return _in_org(actor, record.provider_org_id, Role.SIGNATORY) or _in_org(
        actor, record.recipient_org_id, Role.SIGNATORY
    )


def _signatory_of_org(actor: Actor, org_id: int) -> bool:
    return _in_org(actor, org_id, Role.SIGNATORY)


SUBMIT_REQUEST = Permission(
    "agreements.request.submit", "Request access to data for your institution", _requester
)
LIST_REQUESTS = Permission(
    "agreements.request.list", "List access requests of your institutions", authenticated
)
VIEW_REQUEST = Permission(
    "agreements.request.view", "See an access request", is_party_member, hide=True
)
REVIEW_REQUEST = Permission(
    "agreements.request.review",
    "Approve or reject access requests for your institution's data",
    _provider_steward,
)
WITHDRAW_REQUEST = Permission(
    "agreements.request.withdraw",
    "Withdraw your institution's access request",
    _recipient_requester,
)
LIST_AGREEMENTS = Permission(
    "agreements.agreement.list", "List agreements of your institutions", authenticated
)
VIEW_AGREEMENT = Permission(
    "agreements.agreement.view", "See a data-exchange agreement", is_party_member, hide=True
)
SIGN_AGREEMENT = Permission(
    "agreements.agreement.sign",
    "Sign data-exchange agreements for your institution",
    _signatory_of_party,
)
AMEND_AGREEMENT = Permission(
    "agreements.agreement.amend",
    "Amend agreements on your institution's data",
    _provider_steward,
)
SUSPEND_AGREEMENT = Permission(
    "agreements.agreement.suspend",
    "Suspend or resume agreements on your institution's data",
    _provider_manager,
)
REVOKE_AGREEMENT = Permission(
    "agreements.agreement.revoke",
    "Revoke an agreement your institution signed",
    _signatory_of_either,
)
EXPIRE_AGREEMENTS = Permission(
    "agreements.agreement.expire", "Mark agreements past their end date as expired", admin_only
)
VERIFY_SIGNATURES = Permission(
    "agreements.signature.verify", "Check the signatures of an exported agreement", anyone
)
VIEW_SIGNING_KEYS = Permission(
    "agreements.key.view", "See organisations' public signing keys", anyone
)
MANAGE_SIGNING_KEYS = Permission(
    "agreements.key.manage",
    "Create and rotate your institution's signing key",
    _signatory_of_org,
)
READ_NOTIFICATIONS = Permission(
    "agreements.notification.read", "Read your notifications", authenticated
)
# Everyone may ask; the gateway's decision says what, if anything, they get and why not.
READ_GOVERNED_DATA = Permission("agreements.data.read", "Read data through the gateway", anyone)
