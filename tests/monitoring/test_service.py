"""Recording actual values (who may, what is refused, history) and reading progress."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dati import clock
from dati.auth.actor import Actor, Role
from dati.errors import Conflict, Forbidden, Invalid, NotAuthenticated, NotFound
from dati.monitoring import presentation, service
from dati.monitoring.models import ActualValue
from dati.monitoring.schemas import LoadResult
from dati.monitoring.status import Status
from tests.conftest import MakeUser
from tests.monitoring.conftest import PAST_YEAR, STRATEGY_YEAR, value


@pytest.mark.parametrize(
    ("grants", "outcome"),
    [
        (((Role.STEWARD, "IZM"),), None),  # steward of the responsible ministry
        (((Role.ADMIN, None),), None),
        (((Role.STEWARD, "EM"),), Forbidden),  # steward elsewhere
        (((Role.PUBLISHER, "IZM"),), Forbidden),  # another role in the right ministry
        (((Role.AUDITOR, "VKONTROLE"),), Forbidden),
        ((), NotAuthenticated),
    ],
)
def test_who_records_values_for_basic_digital_skills(
    session: Session,
    make_user: MakeUser,
    indicators: LoadResult,
    grants: tuple[tuple[Role, str | None], ...],
    outcome: type[Exception] | None,
) -> None:
    actor = make_user("person", *grants) if grants else Actor.anonymous()
    data = value(PAST_YEAR, 61.5)
    if outcome is not None:
        with pytest.raises(outcome):
            service.record_actual(
                session=session, actor=actor, code="basic_digital_skills", data=data
            )
        assert service.list_history(session=session, actor=actor, code="basic_digital_skills") == []
        return
    recorded = service.record_actual(
        session=session, actor=actor, code="basic_digital_skills", data=data
    )
    assert recorded.value == 61.5 and recorded.recorded_by == actor.name and not recorded.computed


def test_a_correction_replaces_the_value_and_keeps_the_old_one(
    session: Session, system: Actor, indicators: LoadResult
) -> None:
    first = service.record_actual(
        session=session, actor=system, code="cloud", data=value(PAST_YEAR, 40.0)
    )
    second = service.record_actual(
        session=session,
        actor=system,
        code="cloud",
        data=value(PAST_YEAR, 41.5, comment="Precizēts"),
    )
    assert second.replaces_id == first.id
    history = service.list_history(session=session, actor=system, code="cloud")
    assert [v.value for v in history] == [41.5, 40.0]
    progress = service.get_progress(session=session, actor=system, code="cloud", year=PAST_YEAR)
    assert progress.focus.actual is not None and progress.focus.actual.value == 41.5
    assert progress.focus.status is Status.ON_TRACK  # the 2025 trajectory is 40.0
    assert progress.focus.expected == 40.0


def test_statuses_follow_the_trajectory(
    session: Session, system: Actor, indicators: LoadResult
) -> None:
    for code, number in [("ict_specialists", 6.4), ("ai", 20.0), ("big_data", 15.0)]:
        service.record_actual(
            session=session, actor=system, code=code, data=value(PAST_YEAR, number)
        )
    items = {
        p.indicator.code: p
        for p in service.list_progress(session=session, actor=system, year=PAST_YEAR)
    }
    assert items["ict_specialists"].focus.status is Status.ON_TRACK  # trajectory 6.4
    assert items["ai"].focus.status is Status.AT_RISK  # trajectory 22: 20 is within 10 %
    assert items["big_data"].focus.status is Status.OFF_TRACK  # trajectory 29
    assert items["cloud"].focus.status is Status.NOT_MEASURED


@pytest.mark.parametrize(
    ("code", "fields", "field"),
    [
        ("cloud", {"number": 101.0}, "value"),
        ("cloud", {"number": -1.0}, "value"),
        ("cloud", {"number": None, "value_text": "daudz"}, "value"),
        ("semiconductors", {"number": 1.0}, "value_text"),
    ],
)
def test_bad_values_are_refused_beside_their_field(
    session: Session,
    system: Actor,
    indicators: LoadResult,
    code: str,
    fields: dict[str, object],
    field: str,
) -> None:
    number = fields.pop("number")
    with pytest.raises(Invalid) as exc:
        service.record_actual(
            session=session,
            actor=system,
            code=code,
            data=value(PAST_YEAR, number, **fields),  # type: ignore[arg-type]
        )
    assert field in exc.value.errors
    assert service.list_history(session=session, actor=system, code=code) == []


def test_future_years_and_dates_are_refused(
    session: Session, system: Actor, indicators: LoadResult
) -> None:
    data = value(PAST_YEAR, 50.0).model_copy(
        update={"year": clock.today().year + 1, "measured_on": clock.today() + timedelta(days=2)}
    )
    with pytest.raises(Invalid) as exc:
        service.record_actual(session=session, actor=system, code="cloud", data=data)
    assert set(exc.value.errors) == {"year", "measured_on"}


def test_computed_indicators_cannot_be_typed_in(
    session: Session, system: Actor, indicators: LoadResult
) -> None:
    with pytest.raises(Conflict):
        service.record_actual(
            session=session,
            actor=system,
            code="institutions_data_steward_share",
            data=value(STRATEGY_YEAR, 50.0),
        )


def test_unknown_indicator_is_not_found(session: Session, indicators: LoadResult) -> None:
    with pytest.raises(NotFound):
        service.get_progress(session=session, actor=Actor.anonymous(), code="nope", year=2026)


def test_qualitative_progress_is_recorded_as_text(
    session: Session, system: Actor, indicators: LoadResult
) -> None:
    service.record_actual(
        session=session, actor=system, code="semiconductors",
        data=value(PAST_YEAR, None, value_text="Memorands parakstīts"),
    )  # fmt: skip
    progress = service.get_progress(
        session=session, actor=system, code="semiconductors", year=PAST_YEAR
    )
    assert (
        progress.focus.actual is not None
        and progress.focus.actual.value_text == "Memorands parakstīts"
    )
    assert progress.focus.status is Status.NO_TARGET


def test_anyone_reads_progress_but_names_of_recorders_need_login(
    session: Session, system: Actor, indicators: LoadResult
) -> None:
    items = service.list_progress(session=session, actor=Actor.anonymous(), year=STRATEGY_YEAR)
    assert len(items) == 40
    assert not service.shows_recorders(Actor.anonymous()) and service.shows_recorders(system)


def test_the_entry_form_shows_only_to_the_responsible_steward(
    session: Session, make_user: MakeUser, indicators: LoadResult
) -> None:
    izm = make_user("izm-steward", (Role.STEWARD, "IZM"))
    skills = service.get_progress(
        session=session, actor=izm, code="basic_digital_skills", year=2026
    ).indicator
    steward_share = service.get_progress(
        session=session, actor=izm, code="institutions_data_steward_share", year=2026
    ).indicator
    cloud = service.get_progress(session=session, actor=izm, code="cloud", year=2026).indicator
    assert service.may_record(izm, skills)
    assert not service.may_record(izm, cloud)  # EM's indicator
    assert not service.may_record(Actor.system("x"), steward_share)  # computed: nobody types it
    assert [i.code for i in service.list_recordable(session=session, actor=izm)] == [
        "basic_digital_skills"
    ]


def test_values_are_never_updated_in_place(
    session: Session, system: Actor, indicators: LoadResult
) -> None:
    service.record_actual(session=session, actor=system, code="cloud", data=value(PAST_YEAR, 30.0))
    service.record_actual(session=session, actor=system, code="cloud", data=value(PAST_YEAR, 31.0))
    rows = session.scalars(select(ActualValue).order_by(ActualValue.id)).all()
    assert [r.value for r in rows] == [30.0, 31.0]


def test_a_status_in_the_unfinished_year_is_provisional(
    session: Session, system: Actor, indicators: LoadResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    service.record_actual(session=session, actor=system, code="cloud", data=value(PAST_YEAR, 30.0))
    closed = service.get_progress(session=session, actor=system, code="cloud", year=PAST_YEAR)
    assert closed.focus.status is Status.OFF_TRACK and not closed.focus.provisional
    # In mid-2025 the same value is a half-year's progress against the year-end trajectory.
    monkeypatch.setattr(clock, "now", lambda: datetime(PAST_YEAR, 6, 30, 12, tzinfo=UTC))
    running = service.get_progress(session=session, actor=system, code="cloud", year=PAST_YEAR)
    assert running.focus.status is Status.OFF_TRACK and running.focus.provisional
    assert presentation.status_text(running.focus.status, True) == "Atpaliek (provizorisks)"
    unmeasured = service.get_progress(session=session, actor=system, code="ai", year=PAST_YEAR)
    assert not unmeasured.focus.provisional  # only a rated status is provisional
