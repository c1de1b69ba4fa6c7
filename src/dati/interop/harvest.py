"""One harvest run: read DCAT-AP pages and write each record into the catalogue.

Every record is written inside its own savepoint through the catalogue's service
functions, acting as ``Actor.system("harvest")``: a record the catalogue refuses is rolled
back and reported, and the run goes on. A record is found again by its stable identifier
(``interop_harvested``), so harvesting the same source twice creates no duplicates, and an
unchanged record (same content digest) is not rewritten at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rdflib import Graph
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from dati import clock
from dati.auth.actor import Actor
from dati.catalog import distributions as catalog_distributions
from dati.catalog import service as catalog_service
from dati.catalog import vocabularies
from dati.catalog.models import DataService, Distribution, Resource
from dati.catalog.schemas import (
    DataServiceCreate,
    DistributionCreate,
    ResourceCreate,
    ResourceUpdate,
)
from dati.errors import Conflict, DatiError
from dati.i18n import gettext as _
from dati.interop import harvest_fetch
from dati.interop.dcat_harvest import HarvestedDataset, HarvestedService, ParsedCatalogue, parse
from dati.interop.models import HarvestedRecord, HarvestRun, RunStatus, Series, SeriesMember
from dati.orgs import service as orgs_service
from dati.orgs.models import Organisation

HARVESTER = Actor.system("harvest")


def start(
    session: Session, org: Organisation, origin: str, actor: Actor, source_id: int | None = None
) -> HarvestRun:
    run = HarvestRun(
        org_id=org.id,
        origin=origin[:1000],
        actor_name=actor.name,
        source_id=source_id,
        started_at=clock.now(),
        status=RunStatus.RUNNING,
        errors=[],
    )
    session.add(run)
    session.flush()
    return run


def finish(run: HarvestRun, fatal: str | None = None) -> HarvestRun:
    run.finished_at = clock.now()
    if fatal:
        run.message = fatal
    written = run.created + run.updated + run.unchanged
    if fatal and not written:
        run.status = RunStatus.FAILED
    elif fatal or run.failed:
        run.status = RunStatus.PARTIAL
    else:
        run.status = RunStatus.OK
    return run


MAX_PAGES = 10_000


def harvest_url(session: Session, run: HarvestRun, url: str, *, allow_private: bool) -> HarvestRun:
    """Harvest a URL and every page its Hydra links lead to; a page that fails ends the run."""
    seen: set[str] = set()
    page: str | None = url
    fatal = None
    while page and page not in seen and len(seen) < MAX_PAGES:
        seen.add(page)
        try:
            graph = harvest_fetch.parse_document(
                harvest_fetch.fetch(page, allow_private=allow_private)
            )
        except DatiError as exc:
            fatal = _("Page {url}: {reason}", url=page, reason=exc.detail)
            break
        page = harvest_graph(session, run, graph).next_page
    return finish(run, fatal)


def harvest_document(
    session: Session, run: HarvestRun, document: harvest_fetch.Document
) -> HarvestRun:
    try:
        graph = harvest_fetch.parse_document(document)
    except DatiError as exc:
        return finish(run, exc.detail)
    harvest_graph(session, run, graph)
    return finish(run)


def _problem(run: HarvestRun, identifier: str, title: str, message: str, **extra: Any) -> None:
    entry = {"identifier": identifier, "title": title, "message": message, "level": "error"}
    run.errors.append(entry | extra)
    flag_modified(run, "errors")  # a JSON list changed in place


def harvest_graph(session: Session, run: HarvestRun, graph: Graph) -> ParsedCatalogue:
    """Write one parsed page; returns what was parsed (for the next-page link)."""
    parsed = parse(graph)
    org = run.org
    for label, message in parsed.unreadable:
        run.failed += 1
        _problem(run, "", label, message)
    service_names = {
        s.identifier: _write_service(session, run, org, s, served=False) for s in parsed.services
    }
    # Series first, so their members can point at them.
    for dataset in sorted(parsed.datasets, key=lambda d: not d.is_series):
        try:
            with session.begin_nested():
                outcome = _write_dataset(session, run, org, dataset, service_names)
        except DatiError as exc:
            run.failed += 1
            _problem(run, dataset.identifier, dataset.title, exc.detail, fields=dict(exc.errors))
            continue
        setattr(run, outcome, getattr(run, outcome) + 1)
        for warning in dataset.warnings:
            _problem(run, dataset.identifier, dataset.title, warning, level="warning")
    for service in parsed.services:
        _write_service(session, run, org, service, served=True)
    session.flush()
    return parsed


def _record(session: Session, entity: str, identifier: str) -> HarvestedRecord | None:
    return session.scalars(
        select(HarvestedRecord).where(
            HarvestedRecord.entity == entity, HarvestedRecord.identifier == identifier
        )
    ).first()


def _remember(
    session: Session,
    run: HarvestRun,
    record: HarvestedRecord | None,
    *,
    entity: str,
    entity_id: int,
    identifier: str,
    uri: str | None,
    content_hash: str = "",
    parent_id: int | None = None,
) -> HarvestedRecord:
    if record is None:
        record = HarvestedRecord(entity=entity, identifier=identifier)
        session.add(record)
    record.entity_id = entity_id
    record.parent_id = parent_id
    record.uri = uri
    record.org_id = run.org_id
    record.source_id = run.source_id
    record.origin = run.origin
    record.harvested_at = clock.now()
    record.content_hash = content_hash
    return record


def _free_name(
    session: Session, model: type[Resource] | type[DataService], hint: str | None
) -> str | None:
    taken = hint and session.scalar(select(model.id).where(model.name == hint)) is not None
    return hint if hint and vocabularies.is_slug(hint) and not taken else None


def _write_dataset(
    session: Session,
    run: HarvestRun,
    org: Organisation,
    dataset: HarvestedDataset,
    service_names: dict[str, str | None],
) -> str:
    """Create or update one resource; returns created, updated or unchanged."""
    record = _record(session, "resource", dataset.identifier)
    resource = session.get(Resource, record.entity_id) if record else None
    digest = dataset.content_hash()
    publisher = None
    if dataset.publisher_hint and orgs_service.find_by_short_name(session, dataset.publisher_hint):
        publisher = dataset.publisher_hint
    if resource is not None and resource.owner_org_id != org.id:
        raise Conflict(
            _(
                "This dataset was already harvested into {org}'s catalogue.",
                org=resource.owner.short_name,
            )
        )
    if resource is not None and record is not None and record.content_hash == digest:
        record.harvested_at = clock.now()
        return "unchanged"
    if resource is None:
        resource = catalog_service.create_resource(
            session=session,
            actor=HARVESTER,
            data=ResourceCreate(
                name=_free_name(session, Resource, dataset.name_hint),
                owner=org.short_name,
                publisher=publisher,
                **dataset.values,
            ),
        )
        outcome = "created"
    else:
        resource = catalog_service.update_resource(
            session=session,
            actor=HARVESTER,
            name=resource.name,
            data=ResourceUpdate(publisher=publisher, **dataset.values),
        )
        outcome = "updated"
    _sync_distributions(session, run, resource, dataset, service_names)
    _series(session, run, resource, dataset)
    _remember(
        session,
        run,
        record,
        entity="resource",
        entity_id=resource.id,
        identifier=dataset.identifier,
        uri=dataset.uri,
        content_hash=digest,
    )
    session.flush()
    return outcome


def _sync_distributions(
    session: Session,
    run: HarvestRun,
    resource: Resource,
    dataset: HarvestedDataset,
    service_names: dict[str, str | None],
) -> None:
    """Update distributions found again, add new ones, remove those the source dropped."""
    known = {
        r.identifier: r
        for r in session.scalars(
            select(HarvestedRecord).where(
                HarvestedRecord.entity == "distribution", HarvestedRecord.parent_id == resource.id
            )
        )
    }
    for harvested in dataset.distributions:
        data = DistributionCreate(
            **harvested.values,
            access_service=service_names.get(harvested.access_service or ""),
        )
        record = known.pop(harvested.key, None)
        existing = session.get(Distribution, record.entity_id) if record else None
        if existing is not None and existing.resource_id == resource.id:
            dist = catalog_distributions.update_distribution(
                session=session,
                actor=HARVESTER,
                name=resource.name,
                distribution_id=existing.id,
                data=data,
            )
        else:
            dist = catalog_distributions.add_distribution(
                session=session, actor=HARVESTER, name=resource.name, data=data
            )
        _remember(
            session,
            run,
            record,
            entity="distribution",
            entity_id=dist.id,
            identifier=harvested.key,
            uri=harvested.uri,
            parent_id=resource.id,
        )
    for record in known.values():
        if session.get(Distribution, record.entity_id) is not None:
            catalog_distributions.delete_distribution(
                session=session,
                actor=HARVESTER,
                name=resource.name,
                distribution_id=record.entity_id,
            )
        session.delete(record)
    session.expire(resource, ["distributions"])


def _series(
    session: Session, run: HarvestRun, resource: Resource, dataset: HarvestedDataset
) -> None:
    is_series = session.get(Series, resource.id) is not None
    if dataset.is_series and not is_series:
        session.add(Series(resource_id=resource.id))
    elif not dataset.is_series and is_series:
        session.execute(delete(Series).where(Series.resource_id == resource.id))
    session.execute(delete(SeriesMember).where(SeriesMember.resource_id == resource.id))
    if dataset.in_series:
        series = _record(session, "resource", dataset.in_series)
        if series is None or series.entity_id == resource.id:
            dataset.warnings.append(
                _("The dataset series {series} is not in this catalogue.", series=dataset.in_series)
            )
        else:
            session.add(SeriesMember(resource_id=resource.id, series_id=series.entity_id))


def _write_service(
    session: Session,
    run: HarvestRun,
    org: Organisation,
    harvested: HarvestedService,
    *,
    served: bool,
) -> str | None:
    """Create or update a data service. First pass (served=False) before the datasets, so
    distributions can name it; second pass sets the datasets it serves."""
    record = _record(session, "data_service", harvested.identifier)
    existing = session.get(DataService, record.entity_id) if record else None
    if existing is not None and existing.owner_org_id != org.id:
        return None
    serves = (
        _resource_names(session, harvested.serves)
        if served
        else (sorted(r.name for r in existing.resources) if existing else [])
    )
    data = DataServiceCreate(owner=org.short_name, serves=serves, **harvested.values)
    try:
        with session.begin_nested():
            if existing is None:
                name = _free_name(
                    session, DataService, harvested.name_hint
                ) or _unique_service_name(
                    session, harvested.values["title_lv"] or harvested.identifier
                )
                found = catalog_distributions.create_data_service(
                    session=session, actor=HARVESTER, data=data.model_copy(update={"name": name})
                )
            elif (
                served
                and sorted(r.name for r in existing.resources) == serves
                and record
                and (record.content_hash == harvested.content_hash())
            ):
                return existing.name
            else:
                found = catalog_distributions.update_data_service(
                    session=session, actor=HARVESTER, name=existing.name, data=data
                )
            _remember(
                session,
                run,
                record,
                entity="data_service",
                entity_id=found.id,
                identifier=harvested.identifier,
                uri=harvested.uri,
                content_hash=harvested.content_hash() if served else "",
            )
            session.flush()
    except DatiError as exc:
        if served:
            _problem(
                run,
                harvested.identifier,
                harvested.values["title_lv"],
                exc.detail,
                fields=dict(exc.errors),
            )
        return None
    return found.name


def _resource_names(session: Session, identifiers: Iterable[str]) -> list[str]:
    ids = list(
        session.scalars(
            select(HarvestedRecord.entity_id).where(
                HarvestedRecord.entity == "resource",
                HarvestedRecord.identifier.in_(list(identifiers)),
            )
        )
    )
    return sorted(session.scalars(select(Resource.name).where(Resource.id.in_(ids))))


def _unique_service_name(session: Session, title: str) -> str:
    wanted = catalog_service.slugify(title)
    name, n = wanted, 2
    while session.scalar(select(DataService.id).where(DataService.name == name)) is not None:
        name, n = f"{wanted}-{n}", n + 1
    return name
