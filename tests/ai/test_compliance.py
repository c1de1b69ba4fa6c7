"""Classifying a registered system, the obligations that follow, their status, evidence and dates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from dati import clock
from dati.ai.factories import answers_with
from dati.ai.models import ObligationStatus
from dati.ai.schemas import AiSystemUpdate, EvidenceLinkCreate, ObligationUpdate
from dati.ai.services import assessments, compliance, systems
from dati.auth.actor import Actor
from dati.errors import Forbidden, Invalid, NotFound, PayloadTooLarge
from tests.ai.conftest import NewSystem


def codes(session: Session, actor: Actor, system_id: int) -> set[str]:
    return {
        v.row.code
        for v in compliance.list_obligations(session=session, actor=actor, system_id=system_id)
    }


def test_assessment_sets_the_class_and_the_obligations(
    session: Session, officer: Actor, new_system: NewSystem
) -> None:
    created = new_system()
    _a, result = assessments.assess_system(
        session=session,
        actor=officer,
        system_id=created.id,
        answers=answers_with(["area_essential_services", "public_benefits", "profiling"]),
    )
    assert created.risk_class == result.risk_class == "high_risk"
    found = codes(session, officer, created.id)
    # a public body deploying an Annex III system: FRIA and EU registration of the use
    assert {
        "ai_literacy",
        "fria",
        "deployer_registration",
        "provider_requirements",
        "deployer_oversight",
    } <= found
    views = compliance.list_obligations(session=session, actor=officer, system_id=created.id)
    assert {v.row.applies_from for v in views} == {date(2025, 2, 2), date(2026, 8, 2)}
    assert "classified" in [
        c.action for c in systems.list_changes(session=session, actor=officer, system_id=created.id)
    ]


def test_critical_infrastructure_is_registered_nationally_without_a_fria(
    session: Session, officer: Actor, new_system: NewSystem
) -> None:
    created = new_system(role="deployer", yes=["critical_infrastructure"])
    found = codes(session, officer, created.id)
    assert (
        "national_registration" in found
        and "fria" not in found
        and "deployer_registration" not in found
    )


def test_annex_i_products_apply_from_august_2027(
    session: Session, officer: Actor, new_system: NewSystem
) -> None:
    created = new_system(yes=["annex1_product", "annex1_third_party"])
    dates = {
        v.row.code: v.row.applies_from
        for v in compliance.list_obligations(session=session, actor=officer, system_id=created.id)
    }
    assert dates["provider_requirements"] == date(2027, 8, 2) and dates["ai_literacy"] == date(
        2025, 2, 2
    )


def test_reclassification_withdraws_obligations_but_keeps_them(
    session: Session, officer: Actor, new_system: NewSystem
) -> None:
    created = new_system(yes=["area_employment", "employment_recruitment"])
    assert "deployer_inform_workers" in codes(session, officer, created.id)
    assessments.assess_system(
        session=session, actor=officer, system_id=created.id, answers=answers_with([])
    )
    assert codes(session, officer, created.id) == {"ai_literacy"}
    withdrawn = compliance.list_obligations(
        session=session, actor=officer, system_id=created.id, include_withdrawn=True
    )
    assert any(not v.row.applicable for v in withdrawn)


def test_changing_the_role_changes_the_obligations(
    session: Session, officer: Actor, new_system: NewSystem
) -> None:
    created = new_system(role="deployer", yes=["interacts_with_people"])
    assert "transparency_interaction" not in codes(
        session, officer, created.id
    )  # a provider's duty
    systems.update_system(
        session=session, actor=officer, system_id=created.id, data=AiSystemUpdate(role="provider")
    )
    assert "transparency_interaction" in codes(session, officer, created.id)


def test_provisional_assessment_never_lowers_the_obligations(
    session: Session, officer: Actor, new_system: NewSystem
) -> None:
    created = new_system()
    answers = answers_with(["area_essential_services", "public_benefits"])
    del answers["profiling"], answers["preparatory_task"]
    _a, result = assessments.assess_system(
        session=session, actor=officer, system_id=created.id, answers=answers
    )
    assert result.provisional and created.classification_provisional
    assert "fria" in codes(session, officer, created.id)


@pytest.mark.parametrize("who", ["auditor", "other_officer", "steward"])
def test_only_the_institution_may_classify_its_system(
    session: Session, request: pytest.FixtureRequest, new_system: NewSystem, who: str
) -> None:
    created = new_system()
    with pytest.raises((Forbidden, NotFound)):
        assessments.assess_system(
            session=session, actor=request.getfixturevalue(who), system_id=created.id, answers={}
        )


def _first(session: Session, actor: Actor, system_id: int, code: str = "ai_literacy") -> int:
    views = compliance.list_obligations(session=session, actor=actor, system_id=system_id)
    return next(v.row.id for v in views if v.row.code == code)


def test_done_needs_evidence(session: Session, officer: Actor, new_system: NewSystem) -> None:
    obligation = _first(session, officer, new_system(yes=[]).id)
    with pytest.raises(Invalid) as caught:
        compliance.update_obligation(
            session=session,
            actor=officer,
            obligation_id=obligation,
            data=ObligationUpdate(status="done"),
        )
    assert "status" in caught.value.errors
    compliance.add_evidence_link(
        session=session,
        actor=officer,
        obligation_id=obligation,
        data=EvidenceLinkCreate(title="Mācību plāns", url="https://dokumenti.example.lv/plans"),
    )
    view = compliance.update_obligation(
        session=session,
        actor=officer,
        obligation_id=obligation,
        data=ObligationUpdate(status="done", note="Apmācīti 40 darbinieki"),
    )
    assert view.row.status is ObligationStatus.DONE and view.row.note == "Apmācīti 40 darbinieki"


def test_uploaded_evidence_is_stored_under_a_generated_name(
    session: Session, officer: Actor, new_system: NewSystem, data_dir: Path
) -> None:
    obligation = _first(session, officer, new_system(yes=[]).id)
    evidence = compliance.add_evidence_file(
        session=session,
        actor=officer,
        obligation_id=obligation,
        title="",
        filename="../../etc/passwd.pdf",
        content=b"%PDF-1.4 demo",
        data_dir=data_dir,
    )
    assert evidence.file_name == "passwd.pdf" and evidence.title == "passwd.pdf"
    stored = data_dir / "ai" / "evidence" / evidence.stored_name
    assert stored.read_bytes() == b"%PDF-1.4 demo" and "passwd" not in stored.name
    path, media_type, name = compliance.evidence_file(
        session=session, actor=officer, evidence_id=evidence.id, data_dir=data_dir
    )
    assert path == stored and media_type == "application/pdf" and name == "passwd.pdf"
    compliance.remove_evidence(
        session=session, actor=officer, evidence_id=evidence.id, data_dir=data_dir
    )
    assert not stored.exists()


@pytest.mark.parametrize(
    ("filename", "content", "error"),
    [
        ("run.exe", b"MZ", Invalid),
        ("empty.pdf", b"", Invalid),
        ("big.pdf", b"x" * (20 * 1024 * 1024 + 1), PayloadTooLarge),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_written(
    session: Session,
    officer: Actor,
    new_system: NewSystem,
    data_dir: Path,
    filename: str,
    content: bytes,
    error: type[Exception],
) -> None:
    obligation = _first(session, officer, new_system(yes=[]).id)
    with pytest.raises(error):
        compliance.add_evidence_file(
            session=session,
            actor=officer,
            obligation_id=obligation,
            title="x",
            filename=filename,
            content=content,
            data_dir=data_dir,
        )
    assert not (data_dir / "ai" / "evidence").exists() or not any(
        (data_dir / "ai" / "evidence").iterdir()
    )


def test_removing_the_last_evidence_reopens_a_done_obligation(
    session: Session, officer: Actor, new_system: NewSystem, data_dir: Path
) -> None:
    created = new_system(yes=[])
    obligation = _first(session, officer, created.id)
    link = compliance.add_evidence_link(
        session=session,
        actor=officer,
        obligation_id=obligation,
        data=EvidenceLinkCreate(title="x", url="https://a.example/x"),
    )
    compliance.update_obligation(
        session=session,
        actor=officer,
        obligation_id=obligation,
        data=ObligationUpdate(status="done"),
    )
    compliance.remove_evidence(
        session=session, actor=officer, evidence_id=link.id, data_dir=data_dir
    )
    view = compliance.list_obligations(session=session, actor=officer, system_id=created.id)[0]
    assert view.row.status is ObligationStatus.IN_PROGRESS


def test_others_cannot_change_obligations_or_read_evidence(
    session: Session,
    officer: Actor,
    other_officer: Actor,
    auditor: Actor,
    new_system: NewSystem,
    data_dir: Path,
) -> None:
    obligation = _first(session, officer, new_system(yes=[]).id)
    evidence = compliance.add_evidence_file(
        session=session,
        actor=officer,
        obligation_id=obligation,
        title="Plāns",
        filename="plans.txt",
        content=b"plans",
        data_dir=data_dir,
    )
    with pytest.raises(NotFound):
        compliance.update_obligation(
            session=session,
            actor=other_officer,
            obligation_id=obligation,
            data=ObligationUpdate(status="in_progress"),
        )
    with pytest.raises(NotFound):
        compliance.evidence_file(
            session=session, actor=other_officer, evidence_id=evidence.id, data_dir=data_dir
        )
    with pytest.raises(NotFound):
        compliance.evidence_file(
            session=session, actor=Actor.anonymous(), evidence_id=evidence.id, data_dir=data_dir
        )
    with pytest.raises(Forbidden):
        compliance.update_obligation(
            session=session,
            actor=auditor,
            obligation_id=obligation,
            data=ObligationUpdate(status="in_progress"),
        )
    assert (
        compliance.evidence_file(
            session=session, actor=auditor, evidence_id=evidence.id, data_dir=data_dir
        )[2]
        == "plans.txt"
    )


def test_the_dashboard_separates_overdue_upcoming_and_planned(
    session: Session, officer: Actor, new_system: NewSystem, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clock, "today", lambda: date(2026, 11, 22))
    in_use = new_system(yes=["interacts_with_people"])
    planned = new_system(name_lv="Ideja", lifecycle="idea", yes=["interacts_with_people"])
    product = new_system(
        name_lv="Drons", lifecycle="pilot", yes=["annex1_product", "annex1_third_party"]
    )
    board = compliance.obligations_dashboard(session=session, actor=officer)
    overdue = {(v.system.id, v.row.code) for v in board.overdue}
    assert (in_use.id, "ai_literacy") in overdue and (
        in_use.id,
        "transparency_interaction",
    ) in overdue
    assert all(v.system.id != planned.id for v in board.overdue)
    assert (planned.id, "ai_literacy") in {(v.system.id, v.row.code) for v in board.before_service}
    assert (product.id, "provider_requirements") in {
        (v.system.id, v.row.code) for v in board.upcoming
    }
    vid = next(p for p in board.by_org if p.org.short_name == "VID")
    assert vid.overdue == len(board.overdue)


def test_done_obligations_are_not_overdue_and_time_matters(
    session: Session, officer: Actor, new_system: NewSystem, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = new_system(yes=["interacts_with_people"])
    monkeypatch.setattr(clock, "today", lambda: date(2026, 8, 1))
    board = compliance.obligations_dashboard(session=session, actor=officer)
    assert {v.row.code for v in board.overdue} == {"ai_literacy"}  # Art. 50 applies from tomorrow
    obligation = _first(session, officer, created.id)
    compliance.add_evidence_link(
        session=session,
        actor=officer,
        obligation_id=obligation,
        data=EvidenceLinkCreate(title="x", url="https://a.example/x"),
    )
    compliance.update_obligation(
        session=session,
        actor=officer,
        obligation_id=obligation,
        data=ObligationUpdate(status="done"),
    )
    assert compliance.obligations_dashboard(session=session, actor=officer).overdue == []
