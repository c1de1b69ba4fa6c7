"""Catalogue records in the shapes CKAN's Action API returns (package, resource,
organization, group, tag), so existing CKAN clients read dati unchanged.

CKAN's vocabulary stops here: a "package" is a catalogue resource, a CKAN "resource" is a
distribution (id ``distribution_<n>``) or the data the exchange serves for a resource
(id = the resource's name, ``datastore_active: true``), an "organization" is an
institution and a "group" an EU data theme.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from dati.catalog import vocabularies
from dati.catalog.models import Distribution, Resource
from dati.i18n import pick
from dati.orgs.models import Organisation

DISTRIBUTION_PREFIX = "distribution_"
# EU licences CKAN clients treat as open (CKAN's isopen flag).
OPEN_LICENCES = {
    "CC0",
    "CC_BY",
    "CC_BY_4_0",
    "CC_BYSA",
    "CC_BYSA_4_0",
    "ODC_BY",
    "ODC_PDDL",
    "ODC_ODBL",
    "PDM",
}


@dataclass
class PackageContext:
    """What the dictionaries need beyond the records, fetched in bulk by the caller."""

    base_url: str
    datastore: dict[int, DataResource] = field(default_factory=dict)
    harvested: dict[int, tuple[str, str, datetime]] = field(default_factory=dict)


@dataclass(frozen=True)
class DataResource:
    """The exchange's current version of a resource's data, as a CKAN resource."""

    rows: int
    size_bytes: int
    published_at: datetime


def timestamp(value: datetime | date | None) -> str | None:
    """CKAN's timestamps: ISO 8601 without a zone (UTC)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat()
    return datetime(value.year, value.month, value.day).isoformat()


def organization_name(org: Organisation) -> str:
    return org.short_name.lower()


def organization_dict(org: Organisation, package_count: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": str(org.id),
        "name": organization_name(org),
        "title": pick(org.name_lv, org.name_en),
        "display_name": pick(org.name_lv, org.name_en),
        "description": "",
        "image_url": "",
        "image_display_url": "",
        "created": timestamp(org.created_at),
        "is_organization": True,
        "approval_status": "approved",
        "state": "active",
        "type": "organization",
    }
    if package_count is not None:
        out["package_count"] = package_count
    return out


def group_name(code: str) -> str:
    return code.lower()


def group_dict(code: str, package_count: int | None = None) -> dict[str, Any]:
    lv, en = vocabularies.THEMES[code]
    out: dict[str, Any] = {
        "id": group_name(code),
        "name": group_name(code),
        "title": pick(lv, en),
        "display_name": pick(lv, en),
        "description": en if pick(lv, en) == lv else lv,
        "image_url": "",
        "image_display_url": "",
        "is_organization": False,
        "approval_status": "approved",
        "state": "active",
        "type": "group",
    }
    if package_count is not None:
        out["package_count"] = package_count
    return out


def tag_dict(name: str) -> dict[str, Any]:
    return {
        "id": name,
        "name": name,
        "display_name": name,
        "state": "active",
        "vocabulary_id": None,
    }


def licence_fields(value: str | None) -> dict[str, Any]:
    code = vocabularies.licence_code(value)
    if code:
        licence = vocabularies.licences()[code]
        return {
            "license_id": code,
            "license_title": licence.label,
            "license_url": licence.uri,
            "isopen": code in OPEN_LICENCES,
        }
    return {"license_id": value, "license_title": value, "license_url": value, "isopen": False}


def distribution_dict(resource: Resource, dist: Distribution, position: int) -> dict[str, Any]:
    return {
        "id": f"{DISTRIBUTION_PREFIX}{dist.id}",
        "package_id": str(resource.id),
        "name": pick(dist.title_lv, dist.title_en) or dist.format or dist.access_url,
        "description": dist.description,
        "format": vocabularies.format_code(dist.format) or dist.format or "",
        "mimetype": dist.media_type,
        "mimetype_inner": None,
        "url": dist.download_url or dist.access_url,
        "access_url": dist.access_url,
        "download_url": dist.download_url,
        "size": dist.byte_size,
        "hash": "",
        "created": timestamp(dist.issued or resource.created_at),
        "last_modified": timestamp(dist.modified),
        "metadata_modified": timestamp(resource.updated_at),
        "position": position,
        "state": "active",
        "url_type": None,
        "resource_type": None,
        "cache_url": None,
        "datastore_active": False,
    }


def data_resource_dict(
    resource: Resource, data: DataResource, base_url: str, position: int
) -> dict[str, Any]:
    """The exchange's data of an open resource: queryable with datastore_search."""
    return {
        "id": resource.name,
        "package_id": str(resource.id),
        "name": pick("Dati (API)", "Data (API)"),
        "description": pick(
            "Aktuālā publicētā versija, vaicājama ar datastore_search.",
            "The current published version, queryable with datastore_search.",
        ),
        "format": "CSV",
        "mimetype": "text/csv",
        "mimetype_inner": None,
        "url": f"{base_url}/api/v1/data/{resource.name}?format=csv",
        "size": data.size_bytes,
        "hash": "",
        "created": timestamp(data.published_at),
        "last_modified": timestamp(data.published_at),
        "metadata_modified": timestamp(data.published_at),
        "position": position,
        "state": "active",
        "url_type": "datastore",
        "resource_type": None,
        "cache_url": None,
        "datastore_active": True,
        "datastore_rows": data.rows,
    }


def resources_of(resource: Resource, context: PackageContext) -> list[dict[str, Any]]:
    out = [distribution_dict(resource, d, i) for i, d in enumerate(resource.distributions)]
    data = context.datastore.get(resource.id)
    if data is not None:
        out.append(data_resource_dict(resource, data, context.base_url, len(out)))
    return out


def package_dict(resource: Resource, context: PackageContext) -> dict[str, Any]:
    owner = resource.owner
    tags = [*(resource.keywords_lv or []), *(resource.keywords_en or [])]
    themes = [t for t in resource.themes or [] if t in vocabularies.THEMES]
    resources = resources_of(resource, context)
    extras = {
        "access_rights": resource.access_rights.value,
        "title_en": resource.title_en,
        "notes_en": resource.description_en,
        "frequency": resource.frequency,
        "spatial": resource.spatial,
        "temporal_start": resource.temporal_start.isoformat() if resource.temporal_start else None,
        "temporal_end": resource.temporal_end.isoformat() if resource.temporal_end else None,
        "issued": resource.issued.isoformat() if resource.issued else None,
        "modified": resource.modified.isoformat() if resource.modified else None,
        "hvd_category": resource.hvd_category,
        "personal_data": "true" if resource.personal_data else "false",
        "dcat_ap": f"{context.base_url}/dataset/{resource.name}.ttl",
    }
    harvested = context.harvested.get(resource.id)
    if harvested is not None:
        extras |= {
            "harvest_identifier": harvested[0],
            "harvest_source": harvested[1],
            "harvested_at": timestamp(harvested[2]),
        }
    return {
        "id": str(resource.id),
        "name": resource.name,
        "title": pick(resource.title_lv, resource.title_en),
        "notes": pick(resource.description_lv, resource.description_en),
        "type": "dataset",
        "state": "active",
        "private": False,
        "author": None,
        "author_email": None,
        "maintainer": resource.contact_name,
        "maintainer_email": resource.contact_email,
        "url": resource.landing_page or f"{context.base_url}/catalog/{resource.name}",
        "version": None,
        "metadata_created": timestamp(resource.created_at),
        "metadata_modified": timestamp(resource.updated_at),
        "creator_user_id": None,
        "owner_org": str(owner.id),
        "organization": organization_dict(owner),
        "num_resources": len(resources),
        "resources": resources,
        "num_tags": len(tags),
        "tags": [tag_dict(t) for t in tags],
        "groups": [group_dict(t) for t in themes],
        "extras": [{"key": k, "value": v} for k, v in extras.items() if v not in (None, "")],
        "relationships_as_object": [],
        "relationships_as_subject": [],
        **licence_fields(resource.licence),
    }
