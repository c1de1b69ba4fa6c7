"""Computed indicators: refreshed from the platform's data, stored as dated values, never typed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from dati import clock
from dati.auth.actor import Actor, Role
from dati.auth.models import Membership
from dati.errors import Forbidden, Invalid
from dati.monitoring import live, service
from dati.monitoring.models import ActualValue, Indicator
from dati.monitoring.schemas import LoadResult
from dati.monitoring.status import Status
from dati.orgs.models import Organisation, OrgKind
from tests.conftest import MakeUser


def _institutions(session: Session) -> int:
    kinds = (OrgKind.MINISTRY, OrgKind.AGENCY, OrgKind.MUNICIPALITY)
    return (
        session.scalar(select(func.count(Organisation.id)).where(Organisation.kind.in_(kinds))) or 0
    )


def test_steward_share_counts_institutions_with_a_named_steward(
    session: Session, make_user: MakeUser
) -> None:
    year = clock.today().year
    before = live.institutions_with_data_steward(session, year)
    assert before is not None and before.numerator == 0
    make_user("anna", (Role.STEWARD, "VZD"), (Role.STEWARD, "PMLP"))
    make_user(
        "berta", (Role.STEWARD, "VZD"), (Role.PUBLISHER, "UR")
    )  # VZD counts once; UR has no steward
    make_user("cilda", (Role.STEWARD, "DATUTILTS"))  # a company is not an institution
    after = live.institutions_with_data_steward(session, year)
    total = _institutions(session)
    assert after is not None and (after.numerator, after.denominator) == (2, total)
    assert after.value == round(200 / total, 1)


def test_a_steward_named_after_the_year_does_not_count_for_it(
    session: Session, make_user: MakeUser
) -> None:
    make_user("late", (Role.STEWARD, "VZD"))
    session.execute(update(Membership).values(created_at=datetime(2027, 3, 1, tzinfo=UTC)))
    result = live.institutions_with_data_steward(session, 2026)
    assert result is not None and result.numerator == 0


def test_missing_data_is_not_yet_measured(session: Session) -> None:
    assert live.catalogue_metadata_described(session, 2026) is None
    assert live.e_agreements_concluded(session, 2026) == live.Measurement(0.0)  # measured: none
    assert live.reuse_cases(session, 2026) is None


def test_refresh_stores_a_dated_platform_value_once(
    session: Session, system: Actor, make_user: MakeUser, indicators: LoadResult
) -> None:
    make_user("sarma", (Role.STEWARD, "VZD"))
    year = clock.today().year
    result = service.refresh(session=session, actor=system)
    assert result.year == year
    assert "institutions_data_steward_share" in result.measured
    assert "virsis_metadata_described" in result.not_measured
    stored = service.list_history(
        session=session, actor=system, code="institutions_data_steward_share"
    )
    assert len(stored) == 1 and stored[0].computed and stored[0].source == "platform"
    assert stored[0].measured_on == clock.today()
    assert stored[0].comment == f"1 / {_institutions(session)}"
    again = service.refresh(session=session, actor=system)
    assert again.changed == []  # the same number is not stored twice
    make_user("toms", (Role.STEWARD, "PMLP"))
    third = service.refresh(session=session, actor=system)
    assert third.changed == ["institutions_data_steward_share"]
    history = service.list_history(
        session=session, actor=system, code="institutions_data_steward_share"
    )
    assert [h.comment.split(" /")[0] for h in history] == ["2", "1"]
    assert history[0].replaces_id == history[1].id


def test_not_measured_indicators_say_so(
    session: Session, system: Actor, indicators: LoadResult
) -> None:
    service.refresh(session=session, actor=system)
    progress = service.get_progress(
        session=session, actor=system, code="ladp_hvd_availability", year=2026
    )
    assert progress.focus.actual is None and progress.focus.status is Status.NOT_MEASURED
    checked = session.scalar(
        select(Indicator.live_checked_at).where(Indicator.code == "ladp_hvd_availability")
    )
    assert checked is not None


def test_a_past_year_is_measured_as_at_its_last_day(
    session: Session, system: Actor, make_user: MakeUser, indicators: LoadResult
) -> None:
    make_user("sarma", (Role.STEWARD, "VZD"))
    session.execute(update(Membership).values(created_at=datetime(2025, 5, 1, tzinfo=UTC)))
    service.refresh(session=session, actor=system, year=2025)
    stored = session.scalars(
        select(ActualValue)
        .join(Indicator)
        .where(ActualValue.year == 2025, Indicator.code == "institutions_data_steward_share")
    ).one()
    assert stored.measured_on.isoformat() == "2025-12-31" and stored.comment.startswith("1 /")


def test_refresh_is_for_administrators_and_not_for_the_future(
    session: Session, system: Actor, make_user: MakeUser, indicators: LoadResult
) -> None:
    steward = make_user("sarma", (Role.STEWARD, "VARAM"))
    with pytest.raises(Forbidden):
        service.refresh(session=session, actor=steward)
    with pytest.raises(Invalid):
        service.refresh(session=session, actor=system, year=clock.today().year + 1)


def test_refresh_loads_the_definitions_on_a_fresh_instance(session: Session, system: Actor) -> None:
    assert session.scalar(select(func.count(Indicator.id))) == 0
    service.refresh(session=session, actor=system)
    assert session.scalar(select(func.count(Indicator.id))) == 40
