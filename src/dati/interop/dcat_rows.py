"""Catalogue records read as plain rows for the streaming export.

Loading 100 000 resources with their distributions as ORM objects costs more time than
writing them; the export only reads, so it selects the columns it writes and builds
small slotted records. Institutions and data services are few and are loaded once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dati.catalog.models import (
    AccessRights,
    DataService,
    DataServiceResource,
    Distribution,
    Resource,
)
from dati.orgs.models import Organisation

BATCH = 500


@dataclass(slots=True)
class DistributionRow:
    id: int
    resource_id: int
    title_lv: str
    title_en: str
    description: str
    access_url: str
    download_url: str | None
    format: str | None
    media_type: str | None
    byte_size: int | None
    licence: str | None
    rights: str | None
    conforms_to: str | None
    issued: date | None
    modified: date | None
    access_service_id: int | None
    access_service: DataService | None = None


@dataclass(slots=True)
class ResourceRow:
    id: int
    name: str
    title_lv: str
    title_en: str
    description_lv: str
    description_en: str
    owner_org_id: int
    publisher_org_id: int | None
    keywords_lv: list[str]
    keywords_en: list[str]
    themes: list[str]
    contact_name: str | None
    contact_email: str | None
    spatial: str | None
    temporal_start: date | None
    temporal_end: date | None
    frequency: str | None
    issued: date | None
    modified: date | None
    access_rights: AccessRights
    licence: str | None
    rights: str | None
    conforms_to: str | None
    landing_page: str | None
    hvd_category: str | None
    personal_data: bool
    updated_at: datetime
    owner: Organisation = field(init=False)
    publisher: Organisation | None = field(init=False, default=None)
    distributions: list[DistributionRow] = field(default_factory=list)
    data_services: list[DataService] = field(default_factory=list)


_RESOURCE_COLUMNS = [
    getattr(Resource, name)
    for name in ResourceRow.__dataclass_fields__
    if name not in ("owner", "publisher", "distributions", "data_services")
]
_DISTRIBUTION_COLUMNS = [
    getattr(Distribution, name)
    for name in DistributionRow.__dataclass_fields__
    if name != "access_service"
]


class RowLoader:
    """Reads resources in id order, a batch at a time, with everything the export writes."""

    def __init__(self, session: Session, org_id: int | None = None):
        self.session = session
        self.org_id = org_id
        self.orgs = {o.id: o for o in session.scalars(select(Organisation))}
        self.services: dict[int, DataService] = {}

    def _service(self, service_id: int) -> DataService | None:
        if service_id not in self.services:
            found = self.session.get(DataService, service_id)
            if found is None:
                return None
            self.services[service_id] = found
        return self.services[service_id]

    def batches(self, *, offset: int = 0, limit: int | None = None) -> Iterator[list[ResourceRow]]:
        """Every resource (or one page: ``offset``/``limit``) in batches of BATCH."""
        last_id, remaining = 0, limit
        first = True
        while remaining is None or remaining > 0:
            size = BATCH if remaining is None else min(BATCH, remaining)
            stmt = select(*_RESOURCE_COLUMNS).where(Resource.id > last_id).order_by(Resource.id)
            if self.org_id is not None:
                stmt = stmt.where(Resource.owner_org_id == self.org_id)
            if first and offset:
                stmt = stmt.offset(offset)
            first = False
            rows = [ResourceRow(*row) for row in self.session.execute(stmt.limit(size))]
            if not rows:
                return
            self._complete(rows)
            last_id = rows[-1].id
            if remaining is not None:
                remaining -= len(rows)
            yield rows

    def _complete(self, rows: Sequence[ResourceRow]) -> None:
        by_id = {r.id: r for r in rows}
        for r in rows:
            r.owner = self.orgs[r.owner_org_id]
            r.publisher = self.orgs.get(r.publisher_org_id) if r.publisher_org_id else None
        stmt = (
            select(*_DISTRIBUTION_COLUMNS)
            .where(Distribution.resource_id.in_(by_id))
            .order_by(Distribution.id)
        )
        for values in self.session.execute(stmt):
            dist = DistributionRow(*values)
            if dist.access_service_id is not None:
                dist.access_service = self._service(dist.access_service_id)
            by_id[dist.resource_id].distributions.append(dist)
        links = select(DataServiceResource.resource_id, DataServiceResource.data_service_id).where(
            DataServiceResource.resource_id.in_(by_id)
        )
        for resource_id, service_id in self.session.execute(links):
            service = self._service(service_id)
            if service is not None:
                by_id[resource_id].data_services.append(service)
