"""Indicators and Data Champion categories computed from the exchange's published versions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from dati import clock
from dati.auth.actor import Actor
from dati.catalog.models import AccessRights, Resource
from dati.exchange.models import DatasetVersion
from dati.monitoring import champion, live, service
from dati.monitoring.schemas import LoadResult
from dati.monitoring.status import Status

MakeResource = Callable[..., Resource]
Publish = Callable[..., DatasetVersion]
YEAR = clock.today().year


def test_new_data_providers_are_counted_in_the_year_they_connect(
    session: Session, make_resource: MakeResource, publish: Publish
) -> None:
    assert live.institutions_connected(session, YEAR) == live.Measurement(0.0)
    for owner, name in [("VZD", "adreses"), ("VZD", "kadastrs"), ("SM", "celi"), ("riga", "rigas-dati"),
                        ("LU", "petijumi")]:  # fmt: skip
        make_resource(owner, name=name, title_lv=name)
        publish(name)
    assert live.institutions_connected(session, YEAR) == live.Measurement(2.0)  # VZD once, SM
    assert live.municipalities_connected(session, YEAR) == live.Measurement(1.0)
    # VZD's first version was in an earlier year: it connected then, not now.
    session.execute(
        update(DatasetVersion)
        .where(
            DatasetVersion.resource_id
            == session.query(Resource.id).filter_by(name="adreses").scalar_subquery()
        )
        .values(created_at=datetime(YEAR - 1, 6, 1, tzinfo=UTC))
    )
    assert live.institutions_connected(session, YEAR) == live.Measurement(1.0)
    assert live.institutions_connected(session, YEAR - 1) == live.Measurement(1.0)


def test_open_datasets_published_through_the_exchange(
    session: Session, make_resource: MakeResource, publish: Publish
) -> None:
    make_resource("VZD", name="atverti", title_lv="Atvērti")
    make_resource("PMLP", name="ierobezoti", title_lv="Ierobežoti", access_rights=AccessRights.RESTRICTED,
                  licence=None, rights="Ar vienošanos")  # fmt: skip
    make_resource("UR", name="nepublicets", title_lv="Nepublicēts")
    publish("atverti")
    publish("atverti", "id,nosaukums\n1,Rīga\n")  # a second version is the same dataset
    publish("ierobezoti")
    assert live.open_datasets_published(session, YEAR) == live.Measurement(1.0)
    assert live.open_datasets_published(session, YEAR - 1) == live.Measurement(0.0)


def test_refresh_measures_the_strategy_indicator(
    session: Session,
    system: Actor,
    make_resource: MakeResource,
    publish: Publish,
    indicators: LoadResult,
) -> None:
    make_resource("VZD", name="atverti", title_lv="Atvērti")
    publish("atverti")
    service.refresh(session=session, actor=system, year=2026)
    progress = service.get_progress(
        session=session, actor=system, code="ladp_open_datasets_via_dagr", year=2026
    )
    assert progress.focus.actual is not None and progress.focus.actual.value == 1.0
    assert progress.focus.expected == 0 and progress.focus.status is Status.ON_TRACK


def test_champion_counts_data_the_exchange_serves(
    session: Session, make_resource: MakeResource, publish: Publish
) -> None:
    make_resource("VZD", name="vzd-viens", title_lv="A1")
    make_resource(
        "VZD",
        name="vzd-divi",
        title_lv="A2",
        access_rights=AccessRights.NON_PUBLIC,
        licence=None,
        rights="Nav",
    )
    make_resource("PMLP", name="pmlp-viens", title_lv="P1")
    for name in ("vzd-viens", "vzd-divi", "pmlp-viens"):
        publish(name)
    champion.compute(session, YEAR)
    by_code = {c.category.code: c for c in champion.ranking_of(session, YEAR).categories}
    served = [(e.org.short_name, e.value) for e in by_code["exchange_distribution"].entries]
    assert served == [("VZD", 2.0), ("PMLP", 1.0)]
    open_data = [(e.org.short_name, e.value) for e in by_code["open_data"].entries]
    assert open_data == [("PMLP", 1.0), ("VZD", 1.0)]  # the non-public one is not open data
