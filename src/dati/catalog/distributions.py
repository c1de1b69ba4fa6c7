"""Distributions (the concrete forms of a resource) and data services (the technical
interfaces serving resources). Kept apart from the resource itself on purpose."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dati.auth.actor import Actor
from dati.auth.permissions import require
from dati.catalog import history, service, systems, vocabularies
from dati.catalog.models import DataService, Distribution, Resource
from dati.catalog.permissions import EDIT_RESOURCE, VIEW_CATALOGUE
from dati.catalog.schemas import DataServiceCreate, DistributionCreate
from dati.errors import Conflict, Invalid, NotFound
from dati.i18n import gettext as _

DISTRIBUTION_ATTRIBUTES = (
    "title_lv",
    "title_en",
    "description",
    "access_url",
    "download_url",
    "format",
    "media_type",
    "byte_size",
    "licence",
    "rights",
    "conforms_to",
    "issued",
    "modified",
)
SERVICE_ATTRIBUTES = (
    "title_lv",
    "title_en",
    "description_lv",
    "description_en",
    "endpoint_url",
    "endpoint_description",
    "access_rights",
    "licence",
    "conforms_to",
)
_MEDIA_TYPE = re.compile(r"^[\w.+-]+/[\w.+-]+$")


def _url(value: str | None) -> bool:
    return bool(value) and str(value).startswith(("http://", "https://")) and " " not in str(value)


def _distribution_values(session: Session, data: DistributionCreate) -> dict[str, Any]:
    values = data.model_dump(exclude={"access_service"})
    values = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in values.items()}
    errors: dict[str, str] = {}
    if not _url(values["access_url"]):
        errors["access_url"] = _("Enter the access URL, starting with http:// or https://.")
    if values["download_url"] and not _url(values["download_url"]):
        errors["download_url"] = _("Enter a web address starting with http:// or https://.")
    if values["format"]:
        values["format"] = vocabularies.format_code(values["format"]) or values["format"][:40]
    if values["media_type"] and not _MEDIA_TYPE.match(values["media_type"]):
        errors["media_type"] = _("Write the media type as type/subtype, e.g. text/csv.")
    if values["licence"] and not (
        vocabularies.licence_code(values["licence"]) or _url(values["licence"])
    ):
        errors["licence"] = _("Use an EU licence code (such as CC_BY_4_0) or a licence URL.")
    if values["conforms_to"] and not _url(values["conforms_to"]):
        errors["conforms_to"] = _("Enter a web address starting with http:// or https://.")
    values["access_service_id"] = None
    if data.access_service:
        found = session.scalars(
            select(DataService).where(DataService.name == data.access_service)
        ).first()
        if found is None:
            errors["access_service"] = _("Unknown data service.")
        else:
            values["access_service_id"] = found.id
    for key in ("title_lv", "title_en", "description"):
        values[key] = values[key] or ""
    if errors:
        raise Invalid(_("The distribution has errors; nothing was saved."), errors=errors)
    return values


def add_distribution(
    *, session: Session, actor: Actor, name: str, data: DistributionCreate
) -> Distribution:
    """Add a distribution (a file or an access point) to a resource."""
    resource = service.find_resource(session, name)
    require(actor, EDIT_RESOURCE, resource)
    dist = Distribution(resource_id=resource.id, **_distribution_values(session, data))
    session.add(dist)
    session.flush()
    _record(session, actor, dist, None, history.snapshot(dist, DISTRIBUTION_ATTRIBUTES))
    session.expire(resource, ["distributions"])
    service.after_change(session, [resource])
    return dist


def _record(
    session: Session,
    actor: Actor,
    dist: Distribution,
    before: history.Snapshot | None,
    after: history.Snapshot | None,
) -> None:
    """A distribution's changes go into its resource's history, labelled by format or URL."""
    history.record(
        session,
        actor,
        entity="distribution",
        entity_id=dist.id,
        resource_id=dist.resource_id,
        before=before,
        after=after,
        label=dist.format or dist.access_url,
    )


def _distribution(session: Session, resource: Resource, distribution_id: int) -> Distribution:
    dist = session.get(Distribution, distribution_id)
    if dist is None or dist.resource_id != resource.id:
        raise NotFound(_("This resource has no such distribution."))
    return dist


def update_distribution(
    *, session: Session, actor: Actor, name: str, distribution_id: int, data: DistributionCreate
) -> Distribution:
    """Replace a distribution's description; each changed property is recorded."""
    resource = service.find_resource(session, name)
    require(actor, EDIT_RESOURCE, resource)
    dist = _distribution(session, resource, distribution_id)
    values = _distribution_values(session, data)
    before = history.snapshot(dist, DISTRIBUTION_ATTRIBUTES)
    for key, value in values.items():
        setattr(dist, key, value)
    session.flush()
    _record(session, actor, dist, before, history.snapshot(dist, DISTRIBUTION_ATTRIBUTES))
    service.after_change(session, [resource])
    return dist


def delete_distribution(*, session: Session, actor: Actor, name: str, distribution_id: int) -> None:
    """Remove a distribution; the removal is recorded in the history."""
    resource = service.find_resource(session, name)
    require(actor, EDIT_RESOURCE, resource)
    dist = _distribution(session, resource, distribution_id)
    _record(session, actor, dist, history.snapshot(dist, DISTRIBUTION_ATTRIBUTES), None)
    resource.distributions.remove(dist)
    session.flush()
    service.after_change(session, [resource])


# --- data services ---------------------------------------------------------------------------


def list_data_services(*, session: Session, actor: Actor) -> list[DataService]:
    """Every data service, by title."""
    require(actor, VIEW_CATALOGUE)
    return list(session.scalars(select(DataService).order_by(DataService.title_lv)))


def get_data_service(*, session: Session, actor: Actor, name: str) -> DataService:
    """One data service by name."""
    require(actor, VIEW_CATALOGUE)
    return _data_service(session, name)


def _data_service(session: Session, name: str) -> DataService:
    found = session.scalars(select(DataService).where(DataService.name == name)).first()
    if found is None:
        raise NotFound(_("Data service {name} does not exist.", name=name))
    return found


def _service_values(
    session: Session, data: DataServiceCreate, owner_id: int
) -> tuple[dict[str, Any], list[Resource]]:
    errors: dict[str, str] = {}
    if not data.title_lv.strip():
        errors["title_lv"] = _("Enter the title in Latvian.")
    if not _url(data.endpoint_url):
        errors["endpoint_url"] = _("Enter the endpoint URL, starting with http:// or https://.")
    if data.endpoint_description and not _url(data.endpoint_description):
        errors["endpoint_description"] = _("Enter a web address starting with http:// or https://.")
    if data.licence and not (vocabularies.licence_code(data.licence) or _url(data.licence)):
        errors["licence"] = _("Use an EU licence code (such as CC_BY_4_0) or a licence URL.")
    system_id = None
    if data.system:
        found = systems.find_system_or_none(session, data.system)
        if found is None or found.owner_org_id != owner_id:
            errors["system"] = _("Unknown information system.")
        else:
            system_id = found.id
    served = list(session.scalars(select(Resource).where(Resource.name.in_(data.serves))))
    unknown = sorted(set(data.serves) - {r.name for r in served})
    if unknown:
        errors["serves"] = _("Unknown resource(s): {names}.", names=", ".join(unknown))
    if errors:
        raise Invalid(_("The data service has errors; nothing was saved."), errors=errors)
    values = {
        "title_lv": data.title_lv.strip(),
        "title_en": data.title_en.strip(),
        "description_lv": data.description_lv.strip(),
        "description_en": data.description_en.strip(),
        "system_id": system_id,
        "endpoint_url": data.endpoint_url.strip(),
        "endpoint_description": data.endpoint_description or None,
        "access_rights": data.access_rights,
        "licence": data.licence or None,
        "conforms_to": data.conforms_to or None,
    }
    return values, served


def create_data_service(*, session: Session, actor: Actor, data: DataServiceCreate) -> DataService:
    """Describe an API or other interface of the actor's institution and what it serves."""
    owner = service.find_org(session, data.owner, "owner")
    require(actor, EDIT_RESOURCE, owner.id)
    values, served = _service_values(session, data, owner.id)
    name = (data.name or "").strip() or service.unique_name(
        session, DataService, service.slugify(values["title_lv"])
    )
    if not vocabularies.is_slug(name):
        raise Invalid(
            _("The data service has errors; nothing was saved."),
            errors={"name": _("Use 3-100 lowercase letters, digits and hyphens.")},
        )
    if session.scalar(select(DataService.id).where(DataService.name == name)):
        raise Conflict(
            _("A data service called {name} exists.", name=name),
            errors={"name": _("Already taken.")},
        )
    found = DataService(name=name, owner_org_id=owner.id, **values)
    found.resources = served
    session.add(found)
    session.flush()
    history.record(
        session,
        actor,
        entity="data_service",
        entity_id=found.id,
        resource_id=None,
        before=None,
        after=history.snapshot(found, SERVICE_ATTRIBUTES, {"serves": data.serves}),
    )
    return found


def update_data_service(
    *, session: Session, actor: Actor, name: str, data: DataServiceCreate
) -> DataService:
    """Replace a data service's description and the list of resources it serves."""
    found = _data_service(session, name)
    require(actor, EDIT_RESOURCE, found)
    values, served = _service_values(session, data, found.owner_org_id)
    before = history.snapshot(
        found, SERVICE_ATTRIBUTES, {"serves": sorted(r.name for r in found.resources)}
    )
    for key, value in values.items():
        setattr(found, key, value)
    found.resources = served
    session.flush()
    history.record(
        session,
        actor,
        entity="data_service",
        entity_id=found.id,
        resource_id=None,
        before=before,
        after=history.snapshot(
            found, SERVICE_ATTRIBUTES, {"serves": sorted(r.name for r in served)}
        ),
    )
    return found
