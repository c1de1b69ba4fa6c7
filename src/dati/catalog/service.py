"""Catalogue operations: information systems, information resources and their field schemas.

Distributions and data services are in ``catalog/distributions.py``, the glossary in
``catalog/glossary.py``, search in ``catalog/search.py``, quality in ``catalog/quality.py``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dati import clock
from dati.auth.actor import Actor, Role
from dati.auth.models import Membership, User
from dati.auth.permissions import require
from dati.catalog import history, tableschema, vocabularies
from dati.catalog.models import (
    FieldClassification,
    GlossaryTerm,
    InformationSystem,
    Resource,
    ResourceField,
)
from dati.catalog.permissions import (
    EDIT_RESOURCE,
    EDIT_SYSTEM,
    EDIT_TABLE_SCHEMA,
    VIEW_CATALOGUE,
)
from dati.catalog.schemas import ResourceCreate, ResourceUpdate, SystemCreate, SystemUpdate
from dati.errors import Conflict, Invalid, NotFound
from dati.i18n import gettext as _
from dati.orgs import service as orgs_service
from dati.orgs.models import Organisation

SYSTEM_ATTRIBUTES = (
    "title_lv",
    "title_en",
    "description_lv",
    "description_en",
    "legal_basis",
    "status",
    "homepage",
)
RESOURCE_ATTRIBUTES = (
    "title_lv",
    "title_en",
    "description_lv",
    "description_en",
    "keywords_lv",
    "keywords_en",
    "themes",
    "contact_name",
    "contact_email",
    "spatial",
    "temporal_start",
    "temporal_end",
    "frequency",
    "issued",
    "modified",
    "access_rights",
    "licence",
    "rights",
    "conforms_to",
    "landing_page",
    "hvd_category",
    "legal_basis",
    "personal_data",
    "primary_key",
    "foreign_keys",
)
FIELD_ATTRIBUTES = (
    "position",
    "type",
    "format",
    "title_lv",
    "title_en",
    "description",
    "constraints",
    "classification",
)
PERSONAL = {
    FieldClassification.PERSONAL_IDENTIFIER,
    FieldClassification.PERSONAL_DATA,
    FieldClassification.SPECIAL_CATEGORY,
}


def slugify(text: str) -> str:
    """'Uzņēmumu reģistrs' -> 'uznemumu-registrs'."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:90] or "resurss"


def _unique_name(session: Session, model: Any, wanted: str) -> str:
    name, n = wanted, 2
    while session.scalar(select(model.id).where(model.name == name)) is not None:
        name, n = f"{wanted}-{n}", n + 1
    return name


def _org(session: Session, short_name: str | None, field: str) -> Organisation:
    org = orgs_service.find_by_short_name(session, short_name) if short_name else None
    if org is None:
        raise Invalid(
            _("Organisation {name} does not exist.", name=short_name or "—"),
            errors={field: _("Unknown organisation.")},
        )
    return org


# --- information systems ---------------------------------------------------------------------


def list_systems(
    *, session: Session, actor: Actor, owner: str | None = None
) -> list[InformationSystem]:
    """All information systems, or one institution's."""
    require(actor, VIEW_CATALOGUE)
    stmt = select(InformationSystem).order_by(InformationSystem.title_lv)
    if owner:
        org = orgs_service.find_by_short_name(session, owner)
        stmt = stmt.where(InformationSystem.owner_org_id == (org.id if org else -1))
    return list(session.scalars(stmt))


def get_system(*, session: Session, actor: Actor, name: str) -> InformationSystem:
    """One information system by name or numeric id."""
    require(actor, VIEW_CATALOGUE)
    return find_system(session, name)


def find_system(session: Session, key: str) -> InformationSystem:
    system = session.scalars(select(InformationSystem).where(InformationSystem.name == key)).first()
    if system is None and key.isdigit():
        system = session.get(InformationSystem, int(key))
    if system is None:
        raise NotFound(_("Information system {name} does not exist.", name=key))
    return system


def create_system(*, session: Session, actor: Actor, data: SystemCreate) -> InformationSystem:
    """Register an information system of the actor's institution."""
    owner = _org(session, data.owner, "owner")
    require(actor, EDIT_SYSTEM, owner.id)
    errors = _system_errors(data.title_lv, data.homepage)
    name = data.name.strip() if data.name else ""
    if name and not vocabularies.is_slug(name):
        errors["name"] = _("Use 3-100 lowercase letters, digits and hyphens.")
    if errors:
        raise Invalid(_("The information system has errors; nothing was saved."), errors=errors)
    if name and session.scalar(select(InformationSystem.id).where(InformationSystem.name == name)):
        raise Conflict(
            _("An information system called {name} exists.", name=name),
            errors={"name": _("Already taken.")},
        )
    system = InformationSystem(
        name=name or _unique_name(session, InformationSystem, slugify(data.title_lv)),
        title_lv=data.title_lv.strip(),
        title_en=data.title_en.strip(),
        description_lv=data.description_lv.strip(),
        description_en=data.description_en.strip(),
        owner_org_id=owner.id,
        legal_basis=data.legal_basis.strip(),
        status=data.status,
        homepage=data.homepage or None,
    )
    session.add(system)
    session.flush()
    history.record(
        session,
        actor,
        entity="system",
        entity_id=system.id,
        resource_id=None,
        before=None,
        after=history.snapshot(system, SYSTEM_ATTRIBUTES),
    )
    return system


def update_system(
    *, session: Session, actor: Actor, name: str, data: SystemUpdate
) -> InformationSystem:
    """Change an information system's description; every changed property is recorded."""
    system = find_system(session, name)
    require(actor, EDIT_SYSTEM, system)
    changes = data.model_dump(exclude_unset=True)
    errors = _system_errors(changes.get("title_lv", system.title_lv), changes.get("homepage"))
    if errors:
        raise Invalid(_("The information system has errors; nothing was saved."), errors=errors)
    before = history.snapshot(system, SYSTEM_ATTRIBUTES)
    for key, value in changes.items():
        setattr(system, key, value.strip() if isinstance(value, str) else value)
    system.updated_at = clock.now()
    session.flush()
    history.record(
        session,
        actor,
        entity="system",
        entity_id=system.id,
        resource_id=None,
        before=before,
        after=history.snapshot(system, SYSTEM_ATTRIBUTES),
    )
    return system


def _system_errors(title_lv: str | None, homepage: str | None) -> dict[str, str]:
    errors = {}
    if not (title_lv or "").strip():
        errors["title_lv"] = _("Enter the title in Latvian.")
    if homepage and not homepage.startswith(("http://", "https://")):
        errors["homepage"] = _("Enter a web address starting with http:// or https://.")
    return errors


# --- information resources -------------------------------------------------------------------


def get_resource(*, session: Session, actor: Actor, name: str) -> Resource:
    """One resource by name or numeric id. Catalogue metadata of every resource is public."""
    require(actor, VIEW_CATALOGUE)
    return find_resource(session, name)


def find_resource(session: Session, key: str) -> Resource:
    """Internal lookup by name or numeric id; raises NotFound."""
    resource = session.scalars(select(Resource).where(Resource.name == key)).first()
    if resource is None and key.isdigit():
        resource = session.get(Resource, int(key))
    if resource is None:
        raise NotFound(_("Information resource {name} does not exist.", name=key))
    return resource


def create_resource(*, session: Session, actor: Actor, data: ResourceCreate) -> Resource:
    """Describe a new information resource of the actor's institution."""
    owner = _org(session, data.owner, "owner")
    require(actor, EDIT_RESOURCE, owner.id)
    values = data.model_dump(exclude={"name", "owner", "publisher", "system", "steward"})
    errors = validate_properties(values)
    links = _links(session, owner, data.publisher, data.system, data.steward, errors)
    name = (data.name or "").strip()
    if name and not vocabularies.is_slug(name):
        errors["name"] = _("Use 3-100 lowercase letters, digits and hyphens.")
    if errors:
        raise Invalid(_("The description has errors; nothing was saved."), errors=errors)
    if name and session.scalar(select(Resource.id).where(Resource.name == name)):
        raise Conflict(
            _("A resource called {name} exists.", name=name), errors={"name": _("Already taken.")}
        )
    if "steward_user_id" not in links and actor.user_id and actor.has_role(Role.STEWARD, owner.id):
        links["steward_user_id"] = actor.user_id
    now = clock.now()
    resource = Resource(
        name=name or _unique_name(session, Resource, slugify(values["title_lv"])),
        owner_org_id=owner.id,
        primary_key=[],
        foreign_keys=[],
        created_at=now,
        updated_at=now,
        **_clean(values),
        **links,
    )
    session.add(resource)
    session.flush()
    history.record(
        session,
        actor,
        entity="resource",
        entity_id=resource.id,
        resource_id=resource.id,
        before=None,
        after=resource_snapshot(resource),
    )
    return resource


def update_resource(*, session: Session, actor: Actor, name: str, data: ResourceUpdate) -> Resource:
    """Change a resource's description; only the properties sent change, each is recorded."""
    resource = find_resource(session, name)
    require(actor, EDIT_RESOURCE, resource)
    changes = data.model_dump(exclude_unset=True)
    link_changes = {k: changes.pop(k) for k in ("publisher", "system", "steward") if k in changes}
    merged = {k: getattr(resource, k) for k in RESOURCE_ATTRIBUTES} | changes
    errors = validate_properties(merged)
    links = _links(
        session,
        resource.owner,
        link_changes.get("publisher"),
        link_changes.get("system"),
        link_changes.get("steward"),
        errors,
        only=set(link_changes),
    )
    if errors:
        raise Invalid(_("The description has errors; nothing was saved."), errors=errors)
    before = resource_snapshot(resource)
    for key, value in (_clean(changes) | links).items():
        setattr(resource, key, value)
    resource.updated_at = clock.now()
    session.flush()
    session.refresh(resource)
    history.record(
        session,
        actor,
        entity="resource",
        entity_id=resource.id,
        resource_id=resource.id,
        before=before,
        after=resource_snapshot(resource),
    )
    return resource


def resource_snapshot(resource: Resource) -> history.Snapshot:
    return history.snapshot(
        resource,
        RESOURCE_ATTRIBUTES,
        {
            "name": resource.name,
            "publisher": resource.publisher.short_name if resource.publisher else None,
            "system": resource.system.name if resource.system else None,
            "steward": resource.steward.username if resource.steward else None,
        },
    )


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    """Trim text, drop empty keywords, upper-case codes, store empty optional text as None."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, str):
            value = value.strip()
            if key in ("themes", "frequency", "spatial"):
                value = value.upper()
            if not value and key not in ("title_en", "description_lv", "description_en"):
                value = "" if key in ("title_lv", "legal_basis") else None
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = [v.strip() for v in value if v.strip()]
            if key == "themes":
                value = [v.upper() for v in value]
        out[key] = value
    return out


def validate_properties(values: dict[str, Any]) -> dict[str, str]:
    """Domain checks on DCAT-AP properties; returns {field: message} (empty when valid)."""
    errors: dict[str, str] = {}
    if not str(values.get("title_lv") or "").strip():
        errors["title_lv"] = _("Enter the title in Latvian.")
    unknown = [
        t for t in values.get("themes") or [] if t.strip().upper() not in vocabularies.THEMES
    ]
    if unknown:
        errors["themes"] = _(
            "Unknown theme(s): {codes}. Use EU data-theme codes such as GOVE or SOCI.",
            codes=", ".join(unknown),
        )
    start, end = values.get("temporal_start"), values.get("temporal_end")
    if start and end and end < start:
        errors["temporal_end"] = _("The end date is before the start date.")
    frequency = (values.get("frequency") or "").strip().upper()
    if frequency and frequency not in vocabularies.FREQUENCIES:
        errors["frequency"] = _("Unknown frequency {code}.", code=frequency)
    spatial = (values.get("spatial") or "").strip().upper()
    if spatial and spatial not in vocabularies.spatial_codes():
        errors["spatial"] = _("Use LV or a municipality code such as LV-RIX.")
    hvd = (values.get("hvd_category") or "").strip()
    if hvd and hvd not in vocabularies.HVD_CATEGORIES:
        errors["hvd_category"] = _("Unknown high-value dataset category {code}.", code=hvd)
    licence = (values.get("licence") or "").strip()
    if licence and not (vocabularies.licence_code(licence) or _is_url(licence)):
        errors["licence"] = _("Use an EU licence code (such as CC_BY_4_0) or a licence URL.")
    email = (values.get("contact_email") or "").strip()
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        errors["contact_email"] = _("Enter an e-mail address such as info@iestade.gov.lv.")
    for key in ("landing_page", "conforms_to"):
        if values.get(key) and not _is_url(values[key].strip()):
            errors[key] = _("Enter a web address starting with http:// or https://.")
    return errors


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://")) and " " not in value and len(value) > 10


def _links(
    session: Session,
    owner: Organisation,
    publisher: str | None,
    system: str | None,
    steward: str | None,
    errors: dict[str, str],
    only: set[str] | None = None,
) -> dict[str, Any]:
    """Resolve publisher, system and steward names to ids, collecting errors by field."""
    links: dict[str, Any] = {}
    wanted = only if only is not None else {"publisher", "system", "steward"}
    if "publisher" in wanted:
        found = orgs_service.find_by_short_name(session, publisher) if publisher else None
        if publisher and found is None:
            errors["publisher"] = _("Unknown organisation.")
        links["publisher_org_id"] = found.id if found else (owner.id if only is None else None)
    if "system" in wanted:
        links["system_id"] = None
        if system:
            sys_row = session.scalars(
                select(InformationSystem).where(InformationSystem.name == system)
            ).first()
            if sys_row is None:
                errors["system"] = _("Unknown information system.")
            elif sys_row.owner_org_id != owner.id:
                errors["system"] = _("The system belongs to another institution.")
            else:
                links["system_id"] = sys_row.id
    if "steward" in wanted and (steward or only is not None):
        links["steward_user_id"] = None
        if steward:
            user = session.scalars(
                select(User).where(func.lower(User.username) == steward.strip().lower())
            ).first()
            is_steward = user is not None and session.scalar(
                select(Membership.id).where(
                    Membership.user_id == user.id,
                    Membership.org_id == owner.id,
                    Membership.role == Role.STEWARD,
                )
            )
            if not is_steward:
                errors["steward"] = _(
                    "{name} is not a data steward of {org}.", name=steward, org=owner.short_name
                )
            else:
                links["steward_user_id"] = user.id if user else None
    return links


# --- field schema ----------------------------------------------------------------------------


def table_schema(session: Session, resource: Resource) -> dict[str, Any]:
    """The resource's Frictionless Table Schema (internal lookup for other features)."""
    return tableschema.to_dict(resource.fields, resource.primary_key, resource.foreign_keys)


def set_table_schema(
    *, session: Session, actor: Actor, name: str, schema: dict[str, Any]
) -> Resource:
    """Replace a resource's field schema, validated; foreign keys must name existing resources."""
    resource = find_resource(session, name)
    require(actor, EDIT_TABLE_SCHEMA, resource)
    return _replace_schema(session, actor, resource, schema)


def _replace_schema(
    session: Session, actor: Actor, resource: Resource, schema: dict[str, Any]
) -> Resource:
    try:
        parsed = tableschema.parse(schema)
        errors: dict[str, str] = {}
    except Invalid as exc:
        parsed, errors = None, dict(exc.errors)
    terms: dict[str, int] = {}
    if parsed is not None:
        _check_foreign_keys(session, resource, parsed, errors)
        for index, spec in enumerate(parsed.fields):
            term_name = spec["glossary_term"]
            if not term_name:
                continue
            term_id = session.scalar(select(GlossaryTerm.id).where(GlossaryTerm.name == term_name))
            if term_id is None:
                errors[f"fields.{index}.glossary_term"] = _(
                    "Field “{name}”: glossary term {term} does not exist.",
                    name=spec["name"],
                    term=term_name,
                )
            else:
                terms[term_name] = term_id
    if errors or parsed is None:
        raise Invalid(_("The field schema has errors; nothing was changed."), errors=errors)
    old_fields = {f.name: f for f in resource.fields}
    old_schema = {"primary_key": resource.primary_key, "foreign_keys": resource.foreign_keys}
    before_resource = resource_snapshot(resource)
    kept = []
    for position, spec in enumerate(parsed.fields, start=1):
        row = old_fields.pop(spec["name"], None)
        before = history.snapshot(row, FIELD_ATTRIBUTES) | _term_of(row) if row else None
        if row is None:
            row = ResourceField(resource=resource, name=spec["name"])
            session.add(row)
        row.position = position
        for key in ("type", "format", "title_lv", "title_en", "description", "constraints"):
            setattr(row, key, spec[key])
        row.classification = spec["classification"]
        row.glossary_term_id = terms.get(spec["glossary_term"] or "")
        kept.append((row, before))
    for gone in old_fields.values():
        resource.fields.remove(gone)
        history.record(
            session,
            actor,
            entity="field",
            entity_id=gone.id,
            resource_id=resource.id,
            before=history.snapshot(gone, FIELD_ATTRIBUTES),
            after=None,
            label=gone.name,
        )
    resource.primary_key = parsed.primary_key
    resource.foreign_keys = parsed.foreign_keys
    if any(spec["classification"] in PERSONAL for spec in parsed.fields):
        resource.personal_data = True
    resource.updated_at = clock.now()
    session.flush()
    session.expire(resource, ["fields"])
    for row, before in kept:
        session.refresh(row)
        history.record(
            session,
            actor,
            entity="field",
            entity_id=row.id,
            resource_id=resource.id,
            before=before,
            after=history.snapshot(row, FIELD_ATTRIBUTES) | _term_of(row),
            label=row.name,
        )
    if old_schema != {
        "primary_key": resource.primary_key,
        "foreign_keys": resource.foreign_keys,
    } or (before_resource.get("personal_data") != history.as_text(resource.personal_data)):
        history.record(
            session,
            actor,
            entity="resource",
            entity_id=resource.id,
            resource_id=resource.id,
            before=before_resource,
            after=resource_snapshot(resource),
        )
    return resource


def _term_of(row: ResourceField) -> dict[str, str | None]:
    return {"glossary_term": row.glossary_term.name if row.glossary_term else None}


def _check_foreign_keys(
    session: Session, resource: Resource, parsed: tableschema.ParsedSchema, errors: dict[str, str]
) -> None:
    own = {spec["name"] for spec in parsed.fields}
    for index, fk in enumerate(parsed.foreign_keys):
        target_name = fk["reference"]["resource"]
        if target_name in ("", resource.name):
            target_fields = own
        else:
            target = session.scalars(select(Resource).where(Resource.name == target_name)).first()
            if target is None:
                errors[f"foreignKeys.{index}.reference.resource"] = _(
                    "Foreign key on {fields}: resource {name} does not exist in the catalogue.",
                    fields=", ".join(fk["fields"]),
                    name=target_name,
                )
                continue
            target_fields = {f.name for f in target.fields}
        missing = [f for f in fk["reference"]["fields"] if target_fields and f not in target_fields]
        if missing:
            errors[f"foreignKeys.{index}.reference.fields"] = _(
                "Resource {name} has no field(s) {fields}.",
                name=target_name or resource.name,
                fields=", ".join(missing),
            )
