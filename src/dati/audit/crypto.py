"""Canonical JSON, Ed25519 keys sealed with the instance secret, and keyed hashes.

Every key the platform derives comes from the instance secret (``settings.effective_secret_key``)
through HKDF with a purpose label, so one secret never serves two purposes and a database
dump alone reveals neither private keys nor the personal codes behind keyed hashes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SEAL_PURPOSE = b"dati/keys/seal/v1"
NONCE_BYTES = 12


class KeyUnavailable(Exception):
    """A sealed private key cannot be opened with this instance's secret."""


# Built once: json.dumps with options builds a new encoder on every call (the audit log
# encodes two documents per data access).
_canonical = json.JSONEncoder(
    sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
).encode


def canonical_json(value: Any) -> bytes:
    """UTF-8 JSON with sorted keys and no insignificant whitespace: one byte form per document."""
    return _canonical(value).encode("utf-8")


@lru_cache(maxsize=512)
def derive_key(secret: str, purpose: bytes, length: int = 32) -> bytes:
    """A sub-key of the instance secret for one purpose (cached: every data access needs some)."""
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=b"dati", info=purpose).derive(
        secret.encode("utf-8")
    )


def keyed_hash(key: bytes, text: str) -> str:
    """HMAC-SHA256 of ``text`` as lowercase hex."""
    return hmac.digest(key, text.encode("utf-8"), "sha256").hex()  # one C call


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def fingerprint(public_key_raw: bytes) -> str:
    """SHA-256 of the raw 32-byte public key, hex: how documents name the key that signed them."""
    return hashlib.sha256(public_key_raw).hexdigest()


@dataclass(frozen=True)
class SealedKey:
    """A new Ed25519 key pair: the public half in the clear, the private half sealed."""

    public_key: str  # base64 of the raw 32 bytes
    fingerprint: str
    sealed_private_key: str  # base64 of nonce + AES-GCM ciphertext


def new_sealed_key(secret: str) -> SealedKey:
    private = Ed25519PrivateKey.generate()
    raw_public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    raw_private = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    key_id = fingerprint(raw_public)
    nonce = os.urandom(NONCE_BYTES)
    # The fingerprint is the associated data: a sealed key cannot be moved to another record.
    sealed = AESGCM(derive_key(secret, SEAL_PURPOSE)).encrypt(
        nonce, raw_private, key_id.encode("ascii")
    )
    return SealedKey(b64(raw_public), key_id, b64(nonce + sealed))


def open_sealed_key(
    secret: str, sealed_private_key: str, key_fingerprint: str
) -> Ed25519PrivateKey:
    """The private key, or KeyUnavailable when the secret or the record does not match."""
    try:
        blob = unb64(sealed_private_key)
        raw = AESGCM(derive_key(secret, SEAL_PURPOSE)).decrypt(
            blob[:NONCE_BYTES], blob[NONCE_BYTES:], key_fingerprint.encode("ascii")
        )
    except (InvalidTag, ValueError) as exc:
        raise KeyUnavailable("the key cannot be opened with this instance secret") from exc
    private = Ed25519PrivateKey.from_private_bytes(raw)
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    if fingerprint(public) != key_fingerprint:
        raise KeyUnavailable("the sealed key does not match its fingerprint")
    return private


def sign(private_key: Ed25519PrivateKey, message: bytes) -> str:
    return b64(private_key.sign(message))


def verify_signature(public_key_b64: str, signature_b64: str, message: bytes) -> bool:
    """True when ``signature`` is the key's Ed25519 signature of ``message``; never raises."""
    try:
        key = Ed25519PublicKey.from_public_bytes(unb64(public_key_b64))
        key.verify(unb64(signature_b64), message)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def public_key_fingerprint(public_key_b64: str) -> str | None:
    """The fingerprint of a base64 public key, or None when it is not a 32-byte key."""
    try:
        raw = unb64(public_key_b64)
    except ValueError:
        return None
    return fingerprint(raw) if len(raw) == 32 else None
