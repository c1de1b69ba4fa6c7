"""CKAN Action API v3 actions, each a translation to catalogue, organisation or exchange
calls. Every action makes exactly one permission check: through the service it calls, or
``require(actor, READ_CKAN)`` when it only reads public catalogue lists itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from dati import __version__
from dati.auth.permissions import require
from dati.catalog import service as catalog_service
from dati.catalog import vocabularies
from dati.catalog.models import Distribution, Resource
from dati.errors import Invalid, NotFound
from dati.i18n import gettext as _
from dati.interop import ckan_dicts, datastore
from dati.interop.ckan_dicts import PackageContext
from dati.interop.ckan_params import MAX_LIST, Call, flag, names, number, required, text
from dati.interop.models import HarvestedRecord
from dati.interop.permissions import READ_CKAN
from dati.orgs import service as orgs_service
from dati.orgs.models import Organisation

# --- context fetched in bulk ------------------------------------------------------------------


def package_context(call: Call, resources: list[Resource]) -> PackageContext:
    ids = [r.id for r in resources]
    harvested = {
        r.entity_id: (r.identifier, r.origin, r.harvested_at)
        for r in call.session.scalars(
            select(HarvestedRecord).where(
                HarvestedRecord.entity == "resource", HarvestedRecord.entity_id.in_(ids)
            )
        )
    }
    return PackageContext(
        base_url=call.base_url,
        datastore=datastore.active(call.session, call.actor, resources),
        harvested=harvested,
    )


def package_dicts(call: Call, resources: list[Resource]) -> list[dict[str, Any]]:
    if len(resources) > 1:  # one query for every package's distributions, not one each
        call.session.scalars(
            select(Resource)
            .where(Resource.id.in_([r.id for r in resources]))
            .options(selectinload(Resource.distributions))
        ).all()
    context = package_context(call, resources)
    return [ckan_dicts.package_dict(r, context) for r in resources]


# --- packages and resources -------------------------------------------------------------------


def package_list(call: Call) -> list[str]:
    """Names of every dataset, alphabetically (limit and offset page through them)."""
    require(call.actor, READ_CKAN)
    limit = number(call.params, "limit", MAX_LIST, 1, MAX_LIST)
    offset = number(call.params, "offset", 0, 0, 10**9)
    stmt = select(Resource.name).order_by(Resource.name).offset(offset).limit(limit)
    return list(call.session.scalars(stmt))


def package_show(call: Call) -> dict[str, Any]:
    """One dataset by name or id, with its resources, tags, groups and organization."""
    resource = catalog_service.get_resource(
        session=call.session, actor=call.actor, name=required(call.params, "id")
    )
    return package_dicts(call, [resource])[0]


def resource_show(call: Call) -> dict[str, Any]:
    """A distribution (distribution_<n>) or a dataset's published data (the dataset's name)."""
    key = required(call.params, "id")
    session = call.session
    if key.startswith(ckan_dicts.DISTRIBUTION_PREFIX):
        number_part = key.removeprefix(ckan_dicts.DISTRIBUTION_PREFIX)
        dist = session.get(Distribution, int(number_part)) if number_part.isdigit() else None
        if dist is None:
            raise NotFound(_("Resource {id} does not exist.", id=key))
        resource = catalog_service.get_resource(
            session=session, actor=call.actor, name=str(dist.resource_id)
        )
        context = package_context(call, [resource])
        found = next(r for r in ckan_dicts.resources_of(resource, context) if r["id"] == key)
        return found | {"package_name": resource.name}
    resource = catalog_service.get_resource(session=session, actor=call.actor, name=key)
    context = package_context(call, [resource])
    for item in ckan_dicts.resources_of(resource, context):
        if item["id"] == key:
            return item | {"package_name": resource.name}
    raise NotFound(_("Resource {id} does not exist.", id=key))


# --- organizations, groups, tags --------------------------------------------------------------


def _package_counts(session: Session) -> dict[int, int]:
    stmt = select(Resource.owner_org_id, func.count()).group_by(Resource.owner_org_id)
    return {org_id: count for org_id, count in session.execute(stmt)}


def _sorted_orgs(orgs: list[Organisation], sort: str, counts: dict[int, int]) -> list[Organisation]:
    field, _space, direction = sort.partition(" ")
    keys: dict[str, Callable[[Organisation], Any]] = {
        "name": ckan_dicts.organization_name,
        "title": lambda o: o.name_lv.lower(),
        "package_count": lambda o: counts.get(o.id, 0),
    }
    if field not in keys:
        raise Invalid(
            _("Cannot sort by {field}.", field=field), errors={"sort": _("Unknown field.")}
        )
    return sorted(orgs, key=keys[field], reverse=direction.strip().lower() == "desc")


def organization_list(call: Call) -> list[Any]:
    """Institutions: names, or full dictionaries with all_fields=true."""
    orgs = orgs_service.list_organisations(session=call.session, actor=call.actor)
    counts = _package_counts(call.session)
    wanted = {n.lower() for n in names(call.params, "organizations")}
    if wanted:
        orgs = [o for o in orgs if ckan_dicts.organization_name(o) in wanted]
    orgs = _sorted_orgs(orgs, text(call.params, "sort", "name asc") or "name asc", counts)
    offset = number(call.params, "offset", 0, 0, 10**9)
    limit = number(call.params, "limit", MAX_LIST, 1, MAX_LIST)
    orgs = orgs[offset : offset + limit]
    if not flag(call.params, "all_fields"):
        return [ckan_dicts.organization_name(o) for o in orgs]
    return [ckan_dicts.organization_dict(o, counts.get(o.id, 0)) for o in orgs]


def organization_show(call: Call) -> dict[str, Any]:
    org = orgs_service.get_organisation(
        session=call.session, actor=call.actor, short_name=required(call.params, "id")
    )
    counts = _package_counts(call.session)
    out = ckan_dicts.organization_dict(org, counts.get(org.id, 0))
    if flag(call.params, "include_datasets"):
        resources = list(
            call.session.scalars(
                select(Resource)
                .where(Resource.owner_org_id == org.id)
                .order_by(Resource.name)
                .limit(MAX_LIST)
            )
        )
        out["packages"] = package_dicts(call, resources)
    return out


def _theme_counts(session: Session) -> dict[str, int]:
    counts: dict[str, int] = {}
    for themes in session.scalars(select(Resource.themes).execution_options(yield_per=2000)):
        for code in themes or []:
            counts[code] = counts.get(code, 0) + 1
    return counts


def group_list(call: Call) -> list[Any]:
    """The EU data themes as CKAN groups."""
    require(call.actor, READ_CKAN)
    codes = sorted(vocabularies.THEMES, key=str.lower)
    if flag(call.params, "all_fields"):
        counts = _theme_counts(call.session)
        return [ckan_dicts.group_dict(c, counts.get(c, 0)) for c in codes]
    return [ckan_dicts.group_name(c) for c in codes]


def group_show(call: Call) -> dict[str, Any]:
    require(call.actor, READ_CKAN)
    key = required(call.params, "id").upper()
    if key not in vocabularies.THEMES:
        raise NotFound(_("Group {id} does not exist.", id=key.lower()))
    return ckan_dicts.group_dict(key, _theme_counts(call.session).get(key, 0))


def tag_list(call: Call) -> list[Any]:
    """Every keyword used in the catalogue (Latvian and English), optionally filtered."""
    require(call.actor, READ_CKAN)
    query = text(call.params, "query").lower()
    tags: set[str] = set()
    stmt = select(Resource.keywords_lv, Resource.keywords_en).execution_options(yield_per=2000)
    for lv, en in call.session.execute(stmt):
        tags.update(lv or [])
        tags.update(en or [])
    found = sorted(t for t in tags if query in t.lower())
    if flag(call.params, "all_fields"):
        return [ckan_dicts.tag_dict(t) for t in found]
    return found


# --- site -------------------------------------------------------------------------------------


def status_show(call: Call) -> dict[str, Any]:
    require(call.actor, READ_CKAN)
    return {
        "site_title": "dati",
        "site_description": _("The public administration's data catalogue and open data portal."),
        "site_url": call.base_url,
        # The CKAN version whose Action API this one follows.
        "ckan_version": "2.10.5",
        "dati_version": __version__,
        "error_emails_to": None,
        "locale_default": "lv",
        "extensions": ["datastore", "dcat", "harvest"],
    }


ACTIONS: dict[str, Callable[[Call], Any]] = {
    "package_list": package_list,
    "package_show": package_show,
    "resource_show": resource_show,
    "organization_list": organization_list,
    "organization_show": organization_show,
    "group_list": group_list,
    "group_show": group_show,
    "tag_list": tag_list,
    "status_show": status_show,
}
