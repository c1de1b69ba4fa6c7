"""The machine-readable e-agreement: its canonical form, what each party signs, the signed
export file, and checking such a file offline (no database, only the file and public keys).

The canonical form is UTF-8 JSON with sorted keys and no insignificant whitespace, so the same
agreement always has the same bytes and the same SHA-256. A party's signature covers the
document's SHA-256 together with who signed, for which party, with which key and when.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dati.audit import crypto
from dati.i18n import gettext as _

DOCUMENT_FORMAT = "dati.e-agreement/1"
SIGNATURE_FORMAT = "dati.e-agreement.signature/1"
EXPORT_FORMAT = "dati.e-agreement.signed/1"
PARTIES = ("provider", "recipient")  # the order of signing
# English message ids for the parties, translated where messages name them.
PARTY_NAMES = {"provider": "the provider", "recipient": "the recipient"}


@dataclass(frozen=True)
class Terms:
    """What the parties agree on; everything a document holds besides its identity."""

    fields: tuple[dict[str, str], ...]  # {"name", "title_lv", "title_en", "classification"}
    row_conditions: tuple[dict[str, Any], ...]  # {"field", "op", "values"}
    pseudonymised_fields: tuple[str, ...]
    purpose: str
    legal_basis: str
    valid_from: date
    valid_until: date
    requests_per_day: int
    rows_per_day: int
    retention_days: int
    retention_duties: str
    version_policy: str = "latest"  # or "pinned"
    pinned_version: int | None = None


def party(org: Any) -> dict[str, str | None]:
    return {
        "short_name": org.short_name,
        "name_lv": org.name_lv,
        "name_en": org.name_en or org.name_lv,
        "reg_number": org.reg_number,
    }


def build_document(
    *,
    number: str,
    version: int,
    request_number: str | None,
    provider: Any,
    recipient: Any,
    resource: Any,
    terms: Terms,
    issued: date,
    previous_sha256: str | None = None,
) -> dict[str, Any]:
    """The document's content as plain JSON values (dates as ISO text, no floats)."""
    policy: dict[str, Any] = {"policy": terms.version_policy}
    if terms.version_policy == "pinned":
        policy["version"] = terms.pinned_version
    return {
        "format": DOCUMENT_FORMAT,
        "number": number,
        "version": version,
        "supersedes_sha256": previous_sha256,
        "access_request": request_number,
        "issued": issued.isoformat(),
        "provider": party(provider),
        "recipient": party(recipient),
        "resource": {
            "name": resource.name,
            "title_lv": resource.title_lv,
            "title_en": resource.title_en or resource.title_lv,
            "version_policy": policy,
        },
        "fields": [dict(f) for f in terms.fields],
        "row_conditions": [dict(c) for c in terms.row_conditions],
        "pseudonymised_fields": sorted(terms.pseudonymised_fields),
        "purpose": terms.purpose,
        "legal_basis": terms.legal_basis,
        "validity": {"from": terms.valid_from.isoformat(), "until": terms.valid_until.isoformat()},
        "limits": {
            "requests_per_day": terms.requests_per_day,
            "rows_per_day": terms.rows_per_day,
        },
        "retention": {"days": terms.retention_days, "duties": terms.retention_duties},
    }


def document_bytes(document: dict[str, Any]) -> bytes:
    return crypto.canonical_json(document)


def document_sha256(document: dict[str, Any]) -> str:
    return hashlib.sha256(document_bytes(document)).hexdigest()


def signature_payload(
    document: dict[str, Any],
    *,
    party_name: str,
    org_short_name: str,
    key_fingerprint: str,
    signed_at: str,
    signer: str,
) -> bytes:
    """The bytes a party's key signs."""
    return crypto.canonical_json(
        {
            "format": SIGNATURE_FORMAT,
            "document_sha256": document_sha256(document),
            "number": document.get("number"),
            "version": document.get("version"),
            "party": party_name,
            "org": org_short_name,
            "key": key_fingerprint,
            "signed_at": signed_at,
            "signer": signer,
        }
    )


def signed_export(document: dict[str, Any], signatures: list[dict[str, str]]) -> dict[str, Any]:
    """The file `dati agreement verify` checks: document, its hash, signatures with public keys."""
    return {
        "format": EXPORT_FORMAT,
        "document": document,
        "document_sha256": document_sha256(document),
        "signatures": signatures,
    }


def export_text(exported: dict[str, Any]) -> str:
    """The export as a readable file; verification re-canonicalises the document, so the
    indentation here does not matter."""
    return json.dumps(exported, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


@dataclass
class Verification:
    """The verdict on a signed export: each problem in words, and which parties signed."""

    problems: list[str] = field(default_factory=list)
    signed_by: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    document_sha256: str = ""

    @property
    def fully_signed(self) -> bool:
        return {s["party"] for s in self.signed_by} == set(PARTIES)

    @property
    def ok(self) -> bool:
        return not self.problems and self.fully_signed


def verify_export(data: Any, trusted_keys: dict[str, str] | None = None) -> Verification:
    """Check a signed export offline. ``trusted_keys`` maps fingerprints to the organisation
    short name each key belongs to (from the organisations' published keys); without it the
    public keys embedded in the file are used and a warning says so."""
    result = Verification()
    if not isinstance(data, dict) or not isinstance(data.get("document"), dict):
        result.problems.append(_("The file is not a signed e-agreement: it has no document."))
        return result
    document = data["document"]
    if document.get("format") != DOCUMENT_FORMAT:
        result.problems.append(
            _("Unknown document format {value}.", value=repr(document.get("format")))
        )
    result.document_sha256 = document_sha256(document)
    declared = data.get("document_sha256")
    if declared is not None and declared != result.document_sha256:
        result.problems.append(
            _("The document was changed after it was exported: its SHA-256 differs.")
        )
    signatures = data.get("signatures")
    if not isinstance(signatures, list) or not signatures:
        result.problems.append(_("The document carries no signatures."))
        return result
    if trusted_keys is None:
        result.warnings.append(
            _(
                "Public keys were taken from the file itself; pass the organisations' published keys to check that each key belongs to its organisation."
            )
        )
    for index, sig in enumerate(signatures, start=1):
        _check_signature(document, sig, index, trusted_keys, result)
    parties = [s["party"] for s in result.signed_by]
    if len(parties) != len(set(parties)):
        result.problems.append(_("A party signed more than once."))
    if not result.fully_signed and not result.problems:
        missing = [p for p in PARTIES if p not in parties]
        result.problems.append(
            _(
                "Not fully signed: no valid signature of {parties}.",
                parties=", ".join(_(PARTY_NAMES[p]) for p in missing),
            )
        )
    _check_order(result)
    return result


def _check_signature(
    document: dict[str, Any],
    sig: Any,
    index: int,
    trusted: dict[str, str] | None,
    result: Verification,
) -> None:
    if not isinstance(sig, dict):
        result.problems.append(_("Signature {n} is not an object.", n=index))
        return
    party_name, org, key = sig.get("party"), sig.get("org"), sig.get("key")
    if party_name not in PARTIES:
        result.problems.append(
            _("Signature {n} names an unknown party {party}.", n=index, party=repr(party_name))
        )
        return
    expected_org = (document.get(party_name) or {}).get("short_name")
    if org != expected_org:
        result.problems.append(
            _(
                "Signature {n} is by {org}, but {party} is {expected}.",
                n=index,
                org=org,
                party=_(PARTY_NAMES[party_name]),
                expected=expected_org,
            )
        )
        return
    public_key = sig.get("public_key", "")
    if crypto.public_key_fingerprint(str(public_key)) != key:
        result.problems.append(
            _(
                "Signature {n} ({org}): the public key does not match its fingerprint.",
                n=index,
                org=org,
            )
        )
        return
    if trusted is not None and trusted.get(str(key)) != org:
        result.problems.append(
            _(
                "Signature {n} ({org}): key {key} is not a published key of {org}.",
                n=index,
                org=org,
                key=str(key)[:16],
            )
        )
        return
    payload = signature_payload(
        document,
        party_name=str(party_name),
        org_short_name=str(org),
        key_fingerprint=str(key),
        signed_at=str(sig.get("signed_at", "")),
        signer=str(sig.get("signer", "")),
    )
    if not crypto.verify_signature(str(public_key), str(sig.get("signature", "")), payload):
        result.problems.append(
            _("Signature {n} ({org}) is not valid for this document.", n=index, org=org)
        )
        return
    result.signed_by.append(
        {
            "party": str(party_name),
            "org": str(org),
            "signer": str(sig.get("signer", "")),
            "signed_at": str(sig.get("signed_at", "")),
            "key": str(key),
        }
    )


def _check_order(result: Verification) -> None:
    """The provider signs first; a recipient signature older than the provider's is suspect."""
    times = {s["party"]: s["signed_at"] for s in result.signed_by}
    if "provider" in times and "recipient" in times and times["recipient"] < times["provider"]:
        result.problems.append(_("The recipient signed before the provider."))
