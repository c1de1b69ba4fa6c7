"""Organisations' Ed25519 signing keys: create, rotate, list, and open one for signing.

A key belongs to an organisation, not a person: a signatory signs on the institution's behalf,
and the signature records who did. The private half never leaves the platform unsealed and is
never logged; the public halves are published so anyone can verify exported agreements.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from dati import clock
from dati.audit import crypto
from dati.audit import service as audit
from dati.auth.actor import Actor
from dati.auth.permissions import require
from dati.errors import Conflict, NotFound, PreconditionFailed
from dati.exchange.agreements.models import SigningKey
from dati.exchange.agreements.permissions import MANAGE_SIGNING_KEYS, VIEW_SIGNING_KEYS
from dati.i18n import gettext as _
from dati.orgs import service as orgs_service
from dati.orgs.models import Organisation


def _org(session: Session, short_name: str) -> Organisation:
    org = orgs_service.find_by_short_name(session, short_name)
    if org is None:
        raise NotFound(_("Organisation {name} does not exist.", name=short_name))
    return org


def active_key(session: Session, org_id: int) -> SigningKey | None:
    """The organisation's current key (internal lookup)."""
    stmt = select(SigningKey).where(SigningKey.org_id == org_id, SigningKey.retired_at.is_(None))
    return session.scalars(stmt.order_by(SigningKey.id.desc())).first()


def _new_key(session: Session, actor: Actor, org: Organisation, secret: str) -> SigningKey:
    sealed = crypto.new_sealed_key(secret)
    key = SigningKey(
        org_id=org.id,
        fingerprint=sealed.fingerprint,
        public_key=sealed.public_key,
        sealed_private_key=sealed.sealed_private_key,
        created_at=clock.now(),
        created_by_name=actor.name,
    )
    session.add(key)
    session.flush()
    return key


def create_signing_key(*, session: Session, actor: Actor, org: str, secret: str) -> SigningKey:
    """Give an organisation its first signing key."""
    found = _org(session, org)
    require(actor, MANAGE_SIGNING_KEYS, found.id)
    if active_key(session, found.id) is not None:
        raise Conflict(
            _("{org} already has a signing key; rotate it to replace it.", org=found.short_name)
        )
    key = _new_key(session, actor, found, secret)
    audit.record(
        session, actor, "key.created", secret=secret, org_id=found.id, detail=key.fingerprint
    )
    return key


def rotate_signing_key(*, session: Session, actor: Actor, org: str, secret: str) -> SigningKey:
    """Retire the organisation's key and make a new one. Agreements signed with the old key stay
    verifiable with its published public half; new signatures use the new key."""
    found = _org(session, org)
    require(actor, MANAGE_SIGNING_KEYS, found.id)
    old = active_key(session, found.id)
    if old is not None:
        old.retired_at = clock.now()
    key = _new_key(session, actor, found, secret)
    audit.record(
        session,
        actor,
        "key.rotated",
        secret=secret,
        org_id=found.id,
        detail=f"{old.fingerprint if old else '-'} -> {key.fingerprint}",
    )
    return key


def list_signing_keys(*, session: Session, actor: Actor, org: str) -> list[SigningKey]:
    """An organisation's keys, current first; only public halves are of use outside."""
    found = _org(session, org)
    require(actor, VIEW_SIGNING_KEYS, found.id)
    stmt = select(SigningKey).where(SigningKey.org_id == found.id)
    return list(
        session.scalars(stmt.order_by(SigningKey.retired_at.is_not(None), SigningKey.id.desc()))
    )


def published_keys(session: Session, org_ids: set[int] | None = None) -> dict[str, str]:
    """Fingerprint -> organisation short name of every key ever used (internal, for checks)."""
    stmt = select(SigningKey.fingerprint, Organisation.short_name).join(
        Organisation, Organisation.id == SigningKey.org_id
    )
    if org_ids is not None:
        stmt = stmt.where(SigningKey.org_id.in_(org_ids))
    return {fp: short for fp, short in session.execute(stmt)}


def open_for_signing(
    session: Session, org: Organisation, secret: str
) -> tuple[SigningKey, Ed25519PrivateKey]:
    """The organisation's current key and its private half, for one signature."""
    key = active_key(session, org.id)
    if key is None:
        raise PreconditionFailed(
            _(
                "{org} has no signing key yet. A signatory of {org} creates one on the keys page.",
                org=org.short_name,
            )
        )
    try:
        return key, crypto.open_sealed_key(secret, key.sealed_private_key, key.fingerprint)
    except crypto.KeyUnavailable:
        raise PreconditionFailed(
            _(
                "The signing key of {org} cannot be opened: the instance secret has changed.",
                org=org.short_name,
            )
        ) from None
