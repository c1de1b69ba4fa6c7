"""Indicators and Data Champion categories computed from the catalogue."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import update
from sqlalchemy.orm import Session

from dati import clock
from dati.auth.actor import Actor
from dati.catalog.models import AccessRights, Resource
from dati.monitoring import champion, live, service
from dati.monitoring.schemas import LoadResult
from dati.monitoring.status import Status

MakeResource = Callable[..., Resource]
YEAR = clock.today().year


def test_metadata_described_share(session: Session, make_resource: MakeResource) -> None:
    assert live.catalogue_metadata_described(session, YEAR) is None  # no resources: not measured
    make_resource("VZD")
    make_resource("VZD", title_lv="Bez apraksta", described=False)
    make_resource("PMLP", title_lv="Bez tēmas", themes=[])
    make_resource(
        "UR",
        title_lv="Ierobežots",
        access_rights=AccessRights.RESTRICTED,
        licence=None,
        rights="Tikai ar vienošanos",
    )
    result = live.catalogue_metadata_described(session, YEAR)
    assert result is not None and (result.numerator, result.denominator, result.value) == (
        2,
        4,
        50.0,
    )


def test_a_resource_registered_after_the_year_is_not_counted(
    session: Session, make_resource: MakeResource
) -> None:
    make_resource("VZD")
    assert live.catalogue_metadata_described(session, YEAR - 1) is None


def test_high_value_datasets_are_available_when_open_with_a_distribution(
    session: Session, make_resource: MakeResource
) -> None:
    assert live.high_value_datasets_available(session, YEAR) is None
    make_resource("VZD", title_lv="Adrešu reģistrs", hvd_category="c_ac64a52d", distribution=True)
    make_resource("UR", title_lv="Uzņēmumi", hvd_category="c_a9135398")  # no distribution
    make_resource("CSP", title_lv="Statistika", hvd_category="c_e1da4e07", distribution=True,
                  access_rights=AccessRights.RESTRICTED)  # fmt: skip
    make_resource("CSP", title_lv="Nav HVD", distribution=True)
    result = live.high_value_datasets_available(session, YEAR)
    assert result is not None and (result.numerator, result.denominator) == (1, 3)


def test_refresh_puts_the_catalogue_share_beside_its_trajectory(
    session: Session, system: Actor, make_resource: MakeResource, indicators: LoadResult
) -> None:
    for _ in range(3):
        make_resource("VZD", title_lv=f"Apraksts {_}", described=_ == 0)
    service.refresh(session=session, actor=system, year=2026)
    progress = service.get_progress(
        session=session, actor=system, code="virsis_metadata_described", year=2026
    )
    assert progress.focus.actual is not None and progress.focus.actual.value == 33.3
    assert progress.focus.actual.comment == "1 / 3"
    assert progress.focus.expected == 0 and progress.focus.status is Status.ON_TRACK


def test_champion_categories_from_the_catalogue(
    session: Session, make_resource: MakeResource
) -> None:
    make_resource("VZD", title_lv="A", distribution=True)
    make_resource("VZD", title_lv="B", distribution=True)
    make_resource("VZD", title_lv="C", described=False)
    make_resource("PMLP", title_lv="D", distribution=True)
    make_resource("PMLP", title_lv="E", access_rights=AccessRights.NON_PUBLIC, distribution=True)
    make_resource("DATUTILTS", title_lv="F", distribution=True)  # a company: not ranked
    measured = champion.compute(session, YEAR)
    assert measured == [
        "open_data",
        "metadata_described",
        "exchange_distribution",
        "governance_roles",
    ]
    ranking = champion.ranking_of(session, YEAR)
    by_code = {c.category.code: c for c in ranking.categories}
    open_data = [(e.rank, e.org.short_name, e.value) for e in by_code["open_data"].entries]
    assert open_data == [(1, "VZD", 2.0), (2, "PMLP", 1.0)]
    described = [
        (e.org.short_name, e.value, e.points) for e in by_code["metadata_described"].entries
    ]
    assert described == [("PMLP", 100.0, 100.0), ("VZD", 66.7, 66.7)]
    assert not by_code["metadata_quality"].measured  # the catalogue has not scored anything yet
    overall = {e.org.short_name: e.value for e in ranking.overall}
    assert overall == {"VZD": round((100 + 200 / 3) / 4, 1), "PMLP": round((50 + 100) / 4, 1)}


def test_metadata_quality_counts_once_the_catalogue_scores(
    session: Session, make_resource: MakeResource
) -> None:
    a = make_resource("VZD", title_lv="A")
    b = make_resource("VZD", title_lv="B")
    make_resource("PMLP", title_lv="C")
    session.execute(update(Resource).where(Resource.id == a.id).values(quality_score=300))
    session.execute(update(Resource).where(Resource.id == b.id).values(quality_score=100))
    values = champion.metadata_quality(session, YEAR)
    assert values is not None
    by_org = {session.get(Resource, a.id).owner.short_name: values[a.owner_org_id]}  # type: ignore[union-attr]
    assert by_org == {"VZD": 200.0} and 0.0 in values.values()
