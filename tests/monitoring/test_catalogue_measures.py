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
        "open_data", "metadata_described", "exchange_distribution", "metadata_quality", "governance_roles",
    ]  # fmt: skip
    ranking = champion.ranking_of(session, YEAR)
    by_code = {c.category.code: c for c in ranking.categories}
    open_data = [(e.rank, e.org.short_name, e.value) for e in by_code["open_data"].entries]
    assert open_data == [(1, "VZD", 2.0), (2, "PMLP", 1.0)]
    described = [
        (e.org.short_name, e.value, e.points) for e in by_code["metadata_described"].entries
    ]
    assert described == [("PMLP", 100.0, 100.0), ("VZD", 66.7, 66.7)]
    # The catalogue scores every resource by the MQA method; the category is their mean.
    scores: dict[str, list[int]] = {}
    for r in session.query(Resource).all():
        scores.setdefault(r.owner.short_name, []).append(r.quality_score)
    quality = {e.org.short_name: e.value for e in by_code["metadata_quality"].entries}
    assert quality == {
        org: round(sum(v) / len(v), 1) for org, v in scores.items() if org != "DATUTILTS"
    }
    # Overall: the mean of each institution's points over the five measured categories.
    for entry in ranking.overall:
        points = [
            c.values[entry.org.id].points if entry.org.id in c.values else 0.0
            for c in by_code.values()
        ]
        assert abs(entry.value - sum(points) / 5) < 0.1


def test_metadata_quality_is_not_measured_until_the_catalogue_scores(
    session: Session, make_resource: MakeResource
) -> None:
    a = make_resource("VZD", title_lv="A")
    b = make_resource("VZD", title_lv="B")
    c = make_resource("PMLP", title_lv="C")
    for resource, score in ((a, 300), (b, 100), (c, 0)):
        session.execute(
            update(Resource).where(Resource.id == resource.id).values(quality_score=score)
        )
    values = champion.metadata_quality(session, YEAR)
    assert values == {a.owner_org_id: 200.0, c.owner_org_id: 0.0}
    session.execute(update(Resource).values(quality_score=0))
    assert champion.metadata_quality(session, YEAR) is None
