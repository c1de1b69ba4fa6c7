"""Catalogue operations on information resources and their field schemas.

Information systems are in ``catalog/systems.py``, distributions and data services in
``catalog/distributions.py``, the glossary in ``catalog/glossary.py``, search in
``catalog/search.py``, quality in ``catalog/quality.py``, spreadsheet import in
``catalog/spreadsheet.py``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from dati import clock
from dati.auth.actor import Actor, Role
from dati.auth.permissions import require
from dati.catalog import history, indexer, quality, tableschema, validation, vocabularies
from dati.catalog.models import (
    FieldClassification,
    GlossaryTerm,
    Resource,
    ResourceField,
)
from dati.catalog.permissions import (
    EDIT_RESOURCE,
    EDIT_TABLE_SCHEMA,
    VIEW_CATALOGUE,
)
from dati.catalog.schemas import ResourceCreate, ResourceUpdate
from dati.errors import Conflict, Invalid, NotFound
from dati.i18n import gettext as _
from dati.orgs import service as orgs_service
from dati.orgs.models import Organisation

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


def unique_name(session: Session, model: Any, wanted: str) -> str:
    name, n = wanted, 2
    while session.scalar(select(model.id).where(model.name == name)) is not None:
        name, n = f"{wanted}-{n}", n + 1
    return name


def find_org(session: Session, short_name: str | None, field: str) -> Organisation:
    org = orgs_service.find_by_short_name(session, short_name) if short_name else None
    if org is None:
        raise Invalid(
            _("Organisation {name} does not exist.", name=short_name or "—"),
            errors={field: _("Unknown organisation.")},
        )
    return org


def after_change(session: Session, resources: list[Resource]) -> None:
    """Keep the cached quality score and the search index in step with the metadata."""
    session.flush()
    for resource in resources:
        session.refresh(resource)
    quality.refresh(session, resources)
    session.flush()
    indexer.index_resources(session, resources)


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
    owner = find_org(session, data.owner, "owner")
    require(actor, EDIT_RESOURCE, owner.id)
    values = data.model_dump(exclude={"name", "owner", "publisher", "system", "steward"})
    errors = validation.validate_properties(values)
    links = validation.resolve_links(
        session, owner, data.publisher, data.system, data.steward, errors
    )
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
        name=name or unique_name(session, Resource, slugify(values["title_lv"])),
        owner_org_id=owner.id,
        primary_key=[],
        foreign_keys=[],
        created_at=now,
        updated_at=now,
        **validation.clean(values),
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
    after_change(session, [resource])
    return resource


def update_resource(*, session: Session, actor: Actor, name: str, data: ResourceUpdate) -> Resource:
    """Change a resource's description; only the properties sent change, each is recorded."""
    resource = find_resource(session, name)
    require(actor, EDIT_RESOURCE, resource)
    changes = data.model_dump(exclude_unset=True)
    link_changes = {k: changes.pop(k) for k in ("publisher", "system", "steward") if k in changes}
    merged = {k: getattr(resource, k) for k in RESOURCE_ATTRIBUTES} | changes
    errors = validation.validate_properties(merged)
    links = validation.resolve_links(
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
    for key, value in (validation.clean(changes) | links).items():
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
    after_change(session, [resource])
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


# --- field schema ----------------------------------------------------------------------------


def draft_table_schema(
    *, session: Session, actor: Actor, filename: str, content: bytes
) -> dict[str, Any]:
    """A field schema drafted from a CSV/XLSX header (types and classifications guessed from
    sample rows) or read from a Table Schema JSON file, for the steward to review; not saved."""
    require(actor, VIEW_CATALOGUE)
    return tableschema.schema_from_file(filename, content)


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
    after_change(session, [resource])
    return resource


def referenced_resources(
    session: Session, resource: Resource
) -> tuple[dict[str, Resource], list[Resource]]:
    """The resources this one's foreign keys point to (by name), and those pointing to it."""
    names = {fk["reference"]["resource"] for fk in resource.foreign_keys} - {"", resource.name}
    targets = {r.name: r for r in session.scalars(select(Resource).where(Resource.name.in_(names)))}
    # Foreign keys are stored as JSON text written by json.dumps on both databases.
    pattern = f'%"resource": "{resource.name}"%'
    incoming = session.scalars(
        select(Resource)
        .where(cast(Resource.foreign_keys, String).like(pattern), Resource.id != resource.id)
        .order_by(Resource.title_lv)
        .limit(100)
    )
    return targets, list(incoming)


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
