"""Monitoring fixtures: the bundled indicators loaded into the test's transaction."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from dati import clock
from dati.auth.actor import Actor
from dati.monitoring import service
from dati.monitoring.schemas import ActualValueCreate, LoadResult

# Years the tests record values for: never in the future, whatever day the suite runs.
PAST_YEAR = 2025
STRATEGY_YEAR = 2026


@pytest.fixture
def indicators(session: Session, system: Actor) -> LoadResult:
    result = service.load_definitions(session=session, actor=system)
    session.commit()
    return result


def value(
    year: int = STRATEGY_YEAR, number: float | None = 1.0, **extra: object
) -> ActualValueCreate:
    fields: dict[str, object] = {
        "year": year,
        "value": number,
        "measured_on": min(clock.today(), clock.today().replace(year=year, month=12, day=31)),
        "source": "Testa avots",
    }
    fields.update(extra)
    return ActualValueCreate.model_validate(fields)


@pytest.fixture
def make_resource(session: Session, system: Actor):  # type: ignore[no-untyped-def]
    """A catalogue resource made through the catalogue's services, optionally with a download."""
    from dati.catalog import distributions
    from dati.catalog import service as catalog_service
    from dati.catalog.models import AccessRights
    from dati.catalog.schemas import DistributionCreate, ResourceCreate

    def make(
        owner: str = "VZD", *, described: bool = True, distribution: bool = False, **values: object
    ):  # type: ignore[no-untyped-def]
        values.setdefault("access_rights", AccessRights.PUBLIC)
        values.setdefault("title_lv", f"Resurss {owner}")
        if described:
            values.setdefault("description_lv", "Apraksts")
            values.setdefault("keywords_lv", ["adreses"])
            values.setdefault("themes", ["GOVE"])
            values.setdefault("contact_email", "dati@example.lv")
            values.setdefault("licence", "CC_BY_4_0")
        resource = catalog_service.create_resource(
            session=session,
            actor=system,
            data=ResourceCreate(owner=owner, **values),  # type: ignore[arg-type]
        )
        if distribution:
            distributions.add_distribution(
                session=session,
                actor=system,
                name=resource.name,
                data=DistributionCreate(access_url="https://data.example.lv/x.csv", format="CSV"),
            )
        session.flush()
        return resource

    return make


@pytest.fixture
def publish(session: Session, system: Actor, data_dir, tmp_path):  # type: ignore[no-untyped-def]
    """Publish a small CSV into a resource through the exchange's service."""
    from dati.exchange import service as exchange_service
    from dati.exchange.service import SourceSpec
    from dati.exchange.storage import DatasetStore

    store = DatasetStore(data_dir / "exchange")

    def run(name: str, text: str = "id,nosaukums\n1,Rīga\n2,Cēsis\n"):  # type: ignore[no-untyped-def]
        path = tmp_path / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        result = exchange_service.publish_version(
            session=session,
            actor=system,
            name=name,
            source=SourceSpec(path=path, name=path.name),
            store=store,
        )
        session.flush()
        return result.version

    return run
