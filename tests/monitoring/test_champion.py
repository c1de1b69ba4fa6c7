"""Data Champion: categories, ranking with ties, points, snapshots, drill-down."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from dati import clock
from dati.auth.actor import Actor, Role
from dati.errors import NotFound
from dati.monitoring import champion
from dati.monitoring.champion import Entry
from dati.orgs.models import Organisation
from tests.conftest import MakeUser


@pytest.fixture
def roles(make_user: MakeUser) -> None:
    # One person may hold roles in several institutions; what counts is each institution's roles.
    make_user(
        "coordinator",
        (Role.STEWARD, "VZD"), (Role.PUBLISHER, "VZD"), (Role.SIGNATORY, "VZD"),
        (Role.STEWARD, "PMLP"), (Role.SIGNATORY, "PMLP"),
        (Role.PUBLISHER, "UR"), (Role.STEWARD, "UR"), (Role.AUDITOR, "UR"),
        (Role.STEWARD, "riga"),
        (Role.STEWARD, "DATUTILTS"),  # not a state or municipal institution
    )  # fmt: skip


def _names(entries: list[Entry]) -> list[tuple[int, str, float]]:
    return [(e.rank, e.org.short_name, e.points) for e in entries]


def test_ranking_shares_ranks_and_gives_points(
    session: Session, system: Actor, roles: None
) -> None:
    year = clock.today().year
    measured = champion.compute(session, year)
    assert measured == ["open_data", "exchange_distribution", "governance_roles"]  # empty but there
    ranking = champion.get_ranking(session=session, actor=Actor.anonymous(), year=year)
    roles_category = next(c for c in ranking.categories if c.category.code == "governance_roles")
    assert _names(roles_category.entries) == [
        (1, "VZD", 100.0),
        (2, "UR", 66.7),  # ties share a rank and are listed by Latvian name
        (2, "PMLP", 66.7),
        (4, "riga", 33.3),
    ]
    # Overall: the mean over the three measured categories; nobody has open or served data yet.
    overall = [(e.rank, e.org.short_name, e.value) for e in ranking.overall]
    assert overall == [(1, "VZD", 33.3), (2, "UR", 22.2), (2, "PMLP", 22.2), (4, "riga", 11.1)]
    not_measured = [c.category.code for c in ranking.categories if not c.measured]
    assert not_measured == ["metadata_described", "metadata_quality"]
    assert ranking.computed_at is not None


def test_a_stored_year_does_not_move_until_recomputed(
    session: Session, make_user: MakeUser, roles: None
) -> None:
    year = clock.today().year
    champion.compute(session, year)
    make_user("riga-more", (Role.PUBLISHER, "riga"), (Role.SIGNATORY, "riga"))
    stored = champion.ranking_of(session, year)
    assert ("riga", 11.1) in [(e.org.short_name, e.points) for e in stored.overall]
    champion.compute(session, year)
    leaders = [(e.rank, e.org.short_name) for e in champion.ranking_of(session, year).overall[:2]]
    assert leaders == [(1, "riga"), (1, "VZD")]


def test_an_uncomputed_year_is_empty(session: Session) -> None:
    ranking = champion.get_ranking(session=session, actor=Actor.anonymous(), year=2024)
    assert ranking.overall == [] and ranking.computed_at is None
    assert not any(c.measured for c in ranking.categories)


def test_drill_down_shows_each_category(session: Session, roles: None) -> None:
    year = clock.today().year
    champion.compute(session, year)
    result = champion.get_institution_result(
        session=session, actor=Actor.anonymous(), year=year, org="pmlp"
    )
    assert (
        result.org.short_name == "PMLP" and result.overall is not None and result.overall.rank == 2
    )
    rows = {c.category.code: (c.measured, e.value if e else None) for c, e in result.rows}
    assert rows["governance_roles"] == (True, 2.0)
    assert rows["metadata_quality"] == (False, None)
    assert rows["open_data"] == (True, None)  # measured: PMLP has no open dataset
    quiet = champion.get_institution_result(
        session=session, actor=Actor.anonymous(), year=year, org="VID"
    )
    assert quiet.overall is None
    assert (
        dict((c.category.code, e.value if e else None) for c, e in quiet.rows)["governance_roles"]
        == 0.0
    )


def test_unknown_institution_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        champion.get_institution_result(
            session=session, actor=Actor.anonymous(), year=2026, org="NOPE"
        )


def test_every_institution_appears_in_the_measured_category(session: Session) -> None:
    values = champion.governance_roles_named(session, 2026)
    assert values is not None
    kinds = {
        o.kind.value for o in session.query(Organisation).filter(Organisation.id.in_(list(values)))
    }
    assert kinds == {"ministry", "agency", "municipality"}
