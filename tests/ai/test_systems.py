"""Registering and changing AI systems: who may, what is checked, what history is kept."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from dati.ai.schemas import AiSystemUpdate
from dati.ai.services import systems
from dati.auth.actor import Actor
from dati.errors import Conflict, Forbidden, Invalid, NotAuthenticated, NotFound
from tests.ai.conftest import NewSystem, system_data


def test_an_ai_officer_registers_a_system_of_their_institution(
    session: Session, officer: Actor
) -> None:
    created = systems.create_system(session=session, actor=officer, data=system_data())
    assert created.org.short_name == "VID" and created.risk_class is None
    history = systems.list_changes(session=session, actor=officer, system_id=created.id)
    assert [c.action for c in history] == ["created"] and history[0].actor == officer.name


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("other_officer", Forbidden),
        ("steward", Forbidden),
        ("auditor", Forbidden),
        ("anonymous", NotAuthenticated),
    ],
)
def test_only_the_institutions_ai_officer_may_register(
    session: Session, request: pytest.FixtureRequest, who: str, error: type[Exception]
) -> None:
    actor = Actor.anonymous() if who == "anonymous" else request.getfixturevalue(who)
    with pytest.raises(error):
        systems.create_system(session=session, actor=actor, data=system_data())


def test_unknown_institution_is_named(session: Session, system: Actor) -> None:
    with pytest.raises(Invalid) as caught:
        systems.create_system(session=session, actor=system, data=system_data(org="NOSUCH"))
    assert "org" in caught.value.errors


def test_names_are_unique_within_an_institution(
    session: Session, officer: Actor, new_system: NewSystem
) -> None:
    new_system()
    with pytest.raises(Conflict) as caught:
        systems.create_system(session=session, actor=officer, data=system_data())
    assert "name_lv" in caught.value.errors
    other = systems.create_system(
        session=session, actor=Actor.system("t"), data=system_data(org="VDAA")
    )
    assert other.id


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"publish": False}, "publish_exemption"),
        ({"sourcing": "vendor"}, "vendor"),
        ({"retired_on": "2026-10-01"}, "retired_on"),
        (
            {"lifecycle": "retired", "retired_on": "2020-01-01", "in_service_since": "2021-01-01"},
            "retired_on",
        ),
    ],
)
def test_inconsistent_fields_are_refused_with_a_message_beside_the_field(
    session: Session, officer: Actor, overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(Invalid) as caught:
        systems.create_system(session=session, actor=officer, data=system_data(**overrides))
    assert field in caught.value.errors


def test_retiring_without_a_date_sets_today(session: Session, officer: Actor) -> None:
    created = systems.create_system(
        session=session, actor=officer, data=system_data(lifecycle="retired")
    )
    assert created.retired_on is not None


def test_officers_see_their_own_register_and_auditors_see_all(
    session: Session, officer: Actor, other_officer: Actor, auditor: Actor, new_system: NewSystem
) -> None:
    vid = new_system()
    vdaa = new_system(org="VDAA", name_lv="Dokumentu šķirošana")
    assert [s.id for s in systems.list_systems(session=session, actor=officer)] == [vid.id]
    assert {s.id for s in systems.list_systems(session=session, actor=auditor)} >= {vid.id, vdaa.id}
    # another institution's system is not even acknowledged
    with pytest.raises(NotFound):
        systems.get_system(session=session, actor=other_officer, system_id=vid.id)
    assert systems.get_system(session=session, actor=auditor, system_id=vid.id).id == vid.id


def test_list_filters(session: Session, auditor: Actor, new_system: NewSystem) -> None:
    chat = new_system(yes=["interacts_with_people"])
    idea = new_system(name_lv="Ideja", lifecycle="idea", yes=[])
    by_class = systems.list_systems(session=session, actor=auditor, risk_class="limited")
    assert chat in by_class and idea not in by_class
    assert systems.list_systems(session=session, actor=auditor, lifecycle="idea") == [idea]
    assert systems.list_systems(session=session, actor=auditor, q="ideja") == [idea]
    assert systems.list_systems(session=session, actor=auditor, org="VDAA") == []


def test_changes_are_recorded_with_old_and_new_values(
    session: Session, officer: Actor, new_system: NewSystem
) -> None:
    created = new_system()
    systems.update_system(
        session=session,
        actor=officer,
        system_id=created.id,
        data=AiSystemUpdate(lifecycle="pilot", hours_saved_per_year=1200),
    )
    latest = systems.list_changes(session=session, actor=officer, system_id=created.id)[0]
    assert latest.action == "updated"
    assert ["lifecycle", "production", "pilot"] in latest.changes
    assert ["hours_saved_per_year", None, 1200] in latest.changes


def test_an_update_that_changes_nothing_leaves_no_history(
    session: Session, officer: Actor, new_system: NewSystem
) -> None:
    created = new_system()
    systems.update_system(
        session=session,
        actor=officer,
        system_id=created.id,
        data=AiSystemUpdate(lifecycle="production"),
    )
    assert len(systems.list_changes(session=session, actor=officer, system_id=created.id)) == 1


@pytest.mark.parametrize(("who", "error"), [("auditor", Forbidden), ("other_officer", NotFound)])
def test_only_the_institution_may_change_its_systems(
    session: Session,
    request: pytest.FixtureRequest,
    new_system: NewSystem,
    who: str,
    error: type[Exception],
) -> None:
    created = new_system()
    with pytest.raises(error):
        systems.update_system(
            session=session,
            actor=request.getfixturevalue(who),
            system_id=created.id,
            data=AiSystemUpdate(vendor="x"),
        )
