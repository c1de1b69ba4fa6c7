"""E-agreements: signing in order with organisation keys, the canonical document, offline
verification of the export, amendment, suspension, revocation and expiry."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from dati import clock
from dati.audit import crypto
from dati.auth.actor import Actor, Role
from dati.errors import Conflict, Forbidden, NotFound, PreconditionFailed
from dati.exchange.agreements import document
from dati.exchange.agreements.models import AgreementStatus, Party
from dati.exchange.agreements.schemas import AmendTerms
from dati.exchange.agreements.services import agreements, changes, keys, notifications
from tests.agreements.conftest import SECRET, MakeAgreement, People
from tests.conftest import MakeUser


def sign(session: Session, actor: Actor, agreement: object, sha: str | None = None) -> object:
    return agreements.sign_agreement(
        session=session,
        actor=actor,
        number=agreement.number,  # type: ignore[attr-defined]
        version=agreement.version,  # type: ignore[attr-defined]
        document_sha256=sha or agreement.document_sha256,  # type: ignore[attr-defined]
        secret=SECRET,
    )


def test_the_document_is_canonical_json(make_agreement: MakeAgreement) -> None:
    agreement = make_agreement(signed_by="none")
    raw = document.document_bytes(agreement.document)
    assert (
        raw
        == json.dumps(
            agreement.document, sort_keys=True, ensure_ascii=False, separators=(",", ":")
        ).encode()
    )
    assert raw.startswith(b'{"access_request":"PP-') and "Rīgas".encode() in raw
    assert agreement.document_sha256 == document.document_sha256(json.loads(raw))
    assert agreement.document["limits"] == {"requests_per_day": 100, "rows_per_day": 1000}
    assert agreement.document["provider"]["short_name"] == "PMLP"


def test_provider_signs_first_then_recipient(
    session: Session, make_agreement: MakeAgreement, people: People, make_user: MakeUser
) -> None:
    agreement = make_agreement(signed_by="none")
    with pytest.raises(Forbidden):
        sign(session, people.vsaa_signatory, agreement)
    with pytest.raises(Forbidden):
        sign(session, people.pmlp_steward, agreement)
    # The administrator may do much, but not sign in an institution's name.
    with pytest.raises(Forbidden) as admin_refused:
        sign(session, make_user("admin-sign", (Role.ADMIN, None)), agreement)
    assert "PMLP" in admin_refused.value.detail and agreement.signatures == []
    sign(session, people.pmlp_signatory, agreement)
    assert agreement.status == AgreementStatus.AWAITING_RECIPIENT
    assert [
        n.kind
        for n in notifications.list_notifications(session=session, actor=people.vsaa_signatory)
    ] == ["agreement.awaiting_signature"]
    with pytest.raises(Forbidden):
        sign(session, people.pmlp_signatory, agreement)
    sign(session, people.vsaa_signatory, agreement)
    assert agreement.status == AgreementStatus.ACTIVE and agreements.in_force(agreement)
    assert [s.party for s in agreement.signatures] == [Party.PROVIDER, Party.RECIPIENT]
    with pytest.raises(Conflict):
        sign(session, people.vsaa_signatory, agreement)


def test_signing_what_was_not_read_is_refused(
    session: Session, make_agreement: MakeAgreement, people: People
) -> None:
    agreement = make_agreement(signed_by="none")
    with pytest.raises(PreconditionFailed):
        sign(session, people.pmlp_signatory, agreement, sha="0" * 64)
    assert agreement.signatures == []


def test_signing_needs_the_organisations_key(
    session: Session, make_agreement: MakeAgreement, people: People, system: Actor
) -> None:
    agreement = make_agreement(signed_by="provider")
    key = keys.active_key(session, agreement.recipient_org_id)
    assert key is not None
    key.retired_at = clock.now()
    with pytest.raises(PreconditionFailed) as exc:
        sign(session, people.vsaa_signatory, agreement)
    assert "VSAA" in exc.value.detail


def test_export_verifies_offline_and_detects_changes(
    session: Session, make_agreement: MakeAgreement, people: People
) -> None:
    agreement = make_agreement()
    exported = agreements.export_signed(
        session=session, actor=people.recipient, number=agreement.number
    )
    published = keys.published_keys(session)
    result = document.verify_export(exported, trusted_keys=published)
    assert result.ok, result.problems
    assert [s["org"] for s in result.signed_by] == ["PMLP", "VSAA"]
    assert document.verify_export(
        json.loads(json.dumps(exported))
    ).ok  # a round trip through a file
    tampered = copy.deepcopy(exported)
    tampered["document"]["limits"]["rows_per_day"] = 10**9
    tampered.pop("document_sha256")
    assert not document.verify_export(tampered).ok
    one_sig = copy.deepcopy(exported)
    one_sig["signatures"].pop()
    assert not document.verify_export(one_sig).fully_signed
    forged = copy.deepcopy(exported)
    forged_key = crypto.new_sealed_key("another instance")
    forged["signatures"][0]["public_key"] = forged_key.public_key
    forged["signatures"][0]["key"] = forged_key.fingerprint
    assert not document.verify_export(forged, trusted_keys=published).ok
    assert agreements.verify_signed(session=session, actor=Actor.anonymous(), data=exported).ok


def test_key_rotation_keeps_old_signatures_verifiable(
    session: Session, make_agreement: MakeAgreement, people: People
) -> None:
    agreement = make_agreement()
    new = keys.rotate_signing_key(
        session=session, actor=people.pmlp_signatory, org="PMLP", secret=SECRET
    )
    listed = keys.list_signing_keys(session=session, actor=Actor.anonymous(), org="PMLP")
    assert listed[0] is new and listed[1].retired_at is not None
    exported = agreements.export_signed(
        session=session, actor=people.auditor, number=agreement.number
    )
    assert document.verify_export(exported, trusted_keys=keys.published_keys(session)).ok
    with pytest.raises(Forbidden):
        keys.rotate_signing_key(
            session=session, actor=people.pmlp_steward, org="PMLP", secret=SECRET
        )
    with pytest.raises(Conflict):
        keys.create_signing_key(
            session=session, actor=people.pmlp_signatory, org="PMLP", secret=SECRET
        )


def test_amendment_keeps_the_old_version_in_force_until_signed(
    session: Session, make_agreement: MakeAgreement, people: People
) -> None:
    v1 = make_agreement()
    v2 = changes.amend_agreement(
        session=session,
        actor=people.pmlp_steward,
        number=v1.number,
        terms=AmendTerms(
            fields=["personal_code", "municipality"], rows_per_day=50, note="Mazāk lauku"
        ),
        secret=SECRET,
    )
    assert (v2.version, v2.status) == (2, AgreementStatus.AWAITING_PROVIDER)
    assert v1.status == AgreementStatus.ACTIVE
    assert v2.document["supersedes_sha256"] == v1.document_sha256
    assert v2.document["limits"]["rows_per_day"] == 50
    sign(session, people.pmlp_signatory, v2)
    sign(session, people.vsaa_signatory, v2)
    assert v2.status == AgreementStatus.ACTIVE and v1.status == AgreementStatus.SUPERSEDED
    with pytest.raises(Forbidden):
        changes.amend_agreement(
            session=session,
            actor=people.recipient,
            number=v1.number,
            terms=AmendTerms(),
            secret=SECRET,
        )


def test_suspend_resume_and_revoke(
    session: Session, make_agreement: MakeAgreement, people: People
) -> None:
    agreement = make_agreement()
    with pytest.raises(Forbidden):
        changes.suspend_agreement(
            session=session,
            actor=people.recipient,
            number=agreement.number,
            reason="x y z",
            secret=SECRET,
        )
    changes.suspend_agreement(
        session=session,
        actor=people.pmlp_steward,
        number=agreement.number,
        reason="Pārbaude",
        secret=SECRET,
    )
    assert agreement.status == AgreementStatus.SUSPENDED and not agreements.in_force(agreement)
    changes.resume_agreement(
        session=session, actor=people.pmlp_signatory, number=agreement.number, secret=SECRET
    )
    assert agreements.in_force(agreement)
    changes.revoke_agreement(
        session=session,
        actor=people.vsaa_signatory,
        number=agreement.number,
        reason="Vairs nav vajadzīgs",
        secret=SECRET,
    )
    assert agreement.status == AgreementStatus.REVOKED and agreement.ended_at is not None
    with pytest.raises(Conflict):
        changes.revoke_agreement(
            session=session,
            actor=people.pmlp_signatory,
            number=agreement.number,
            reason="atkal",
            secret=SECRET,
        )
    kinds = [
        n.kind for n in notifications.list_notifications(session=session, actor=people.recipient)
    ]
    assert {"agreement.suspended", "agreement.resumed", "agreement.revoked"} <= set(kinds)


def test_expiry_follows_the_clock(
    session: Session,
    make_agreement: MakeAgreement,
    people: People,
    system: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    agreement = make_agreement()
    assert changes.expire_due(session=session, actor=system, secret=SECRET) == []
    later = clock.now() + timedelta(days=400)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert not agreements.in_force(agreement)
    assert changes.expire_due(session=session, actor=system, secret=SECRET) == [agreement]
    assert agreement.status == AgreementStatus.EXPIRED
    with pytest.raises(Forbidden):
        changes.expire_due(session=session, actor=people.pmlp_steward, secret=SECRET)


def test_outsiders_see_nothing(
    session: Session, make_agreement: MakeAgreement, people: People
) -> None:
    agreement = make_agreement(signed_by="none")
    for call in (
        lambda: agreements.get_agreement(
            session=session, actor=people.outsider, number=agreement.number
        ),
        lambda: sign(session, people.outsider, agreement),
        lambda: agreements.export_signed(
            session=session, actor=people.outsider, number=agreement.number
        ),
    ):
        with pytest.raises(NotFound):
            call()
    assert agreements.list_agreements(session=session, actor=people.outsider) == []
    assert agreements.list_agreements(session=session, actor=people.auditor) == [agreement]


def test_the_monitoring_counts_agreements_concluded(
    session: Session, make_agreement: MakeAgreement, people: People
) -> None:
    from dati.monitoring import live

    year = clock.today().year
    make_agreement(signed_by="provider")  # not concluded yet
    concluded = make_agreement()
    agreements_amended = changes.amend_agreement(
        session=session,
        actor=people.pmlp_steward,
        number=concluded.number,
        terms=AmendTerms(),
        secret=SECRET,
    )
    sign(session, people.pmlp_signatory, agreements_amended)
    sign(session, people.vsaa_signatory, agreements_amended)
    measured = live.e_agreements_concluded(session, year)
    assert measured is not None and measured.value == 1.0  # the amendment is not a new agreement
    assert live.e_agreements_concluded(session, year - 1) == live.Measurement(0.0)
