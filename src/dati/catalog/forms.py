"""The steward's pages: describe systems, resources, fields, distributions and glossary terms;
draft a field schema from a file; import a spreadsheet. Refusals re-render the form with a
message beside each field (``remember_form``)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile

from dati.auth.actor import Actor
from dati.catalog import (
    distributions,
    glossary,
    service,
    steward,
    tableschema,
)
from dati.catalog.models import AccessRights, FieldClassification, SystemStatus
from dati.catalog.schemas import (
    DistributionCreate,
    ResourceCreate,
    ResourceUpdate,
)
from dati.errors import Invalid
from dati.i18n import gettext as _
from dati.web.deps import CurrentActor, DbSession
from dati.web.templating import flash, redirect, remember_form, render

router = APIRouter(include_in_schema=False)

RESOURCE_TEXT = (
    "name", "title_lv", "title_en", "description_lv", "description_en", "owner", "publisher",
    "system", "steward", "contact_name", "contact_email", "spatial", "temporal_start",
    "temporal_end", "frequency", "issued", "modified", "licence", "rights", "conforms_to",
    "landing_page", "hvd_category", "legal_basis", "access_rights",
)  # fmt: skip
MAX_FIELD_ROWS = 200


def form_options(session: DbSession, actor: Actor) -> dict[str, Any]:
    from dati.catalog.views import common

    return {
        **common(),
        "access_rights": list(AccessRights),
        "statuses": list(SystemStatus),
        "classifications": list(FieldClassification),
        "types": tableschema.TYPES,
        "steward_orgs": steward.steward_organisations(session, actor),
    }


def split_list(value: str) -> list[str]:
    return [v.strip() for v in re.split(r"[;,\n]", value or "") if v.strip()]


def _resource_values(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in RESOURCE_TEXT:
        raw = form.get(key)
        text = raw.strip() if isinstance(raw, str) else ""
        values[key] = text or None
    for key in ("title_lv", "title_en", "description_lv", "description_en", "legal_basis"):
        values[key] = values[key] or ""
    values["keywords_lv"] = split_list(str(form.get("keywords_lv") or ""))
    values["keywords_en"] = split_list(str(form.get("keywords_en") or ""))
    values["themes"] = [str(t) for t in form.getlist("themes")]
    values["personal_data"] = form.get("personal_data") == "on"
    return values


def _form_echo(values: dict[str, Any]) -> dict[str, Any]:
    """What the template shows back in the inputs after a refusal."""
    echo = {k: ("" if v is None else v) for k, v in values.items()}
    echo["keywords_lv"] = "; ".join(values.get("keywords_lv") or [])
    echo["keywords_en"] = "; ".join(values.get("keywords_en") or [])
    return echo


# --- the steward's desk ----------------------------------------------------------------------


@router.get("/catalog/steward", name="catalog_steward")
def steward_home(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    resources = steward.steward_resources(session=session, actor=actor)
    return render(
        request,
        "catalog/steward.html",
        {**form_options(session, actor), "resources": resources},
    )


# --- resources -------------------------------------------------------------------------------


@router.get("/catalog/new", name="catalog_new")
def new_resource(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    options = form_options(session, actor)
    first = next(iter(options["steward_orgs"].values()), None)
    form = {"owner": first.short_name if first else "", "access_rights": "public"}
    return render(request, "catalog/resource_form.html", {**options, "form": form, "new": True})


@router.post("/catalog/new")
async def create_resource(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    form = await request.form()
    values = _resource_values(form)
    remember_form(
        request,
        "catalog/resource_form.html",
        {**form_options(session, actor), "form": _form_echo(values), "new": True},
    )
    upload = form.get("schema_file")
    draft = None
    if isinstance(upload, UploadFile) and upload.filename:
        content = await upload.read()
        draft = _draft_or_refuse(session, actor, upload.filename, content)
    values["access_rights"] = values["access_rights"] or ""
    resource = service.create_resource(session=session, actor=actor, data=ResourceCreate(**values))
    if draft is not None:
        service.set_table_schema(session=session, actor=actor, name=resource.name, schema=draft)
        flash(
            request,
            _("Resource created with {count} fields. Check their types and classification.",
              count=len(draft.get("fields", []))),
        )  # fmt: skip
        return redirect(f"/catalog/{resource.name}/fields")
    flash(request, _("Resource created."))
    return redirect(f"/catalog/{resource.name}")


def _draft_or_refuse(
    session: DbSession, actor: Actor, filename: str, content: bytes
) -> dict[str, Any]:
    try:
        return service.draft_table_schema(
            session=session, actor=actor, filename=filename, content=content
        )
    except Invalid as exc:
        raise Invalid(
            exc.detail, errors={"schema_file": exc.errors.get("file", exc.detail)}
        ) from None


@router.get("/catalog/{name}/edit", name="catalog_edit")
def edit_resource(name: str, request: Request, session: DbSession, actor: CurrentActor) -> Response:
    resource = service.get_resource(session=session, actor=actor, name=name)
    form = {key: getattr(resource, key) for key in service.RESOURCE_ATTRIBUTES}
    form |= {
        "owner": resource.owner.short_name,
        "publisher": resource.publisher.short_name if resource.publisher else "",
        "system": resource.system.name if resource.system else "",
        "steward": resource.steward.username if resource.steward else "",
        "access_rights": resource.access_rights.value,
    }
    return render(
        request,
        "catalog/resource_form.html",
        {
            **form_options(session, actor),
            "form": _form_echo(form),
            "resource": resource,
            "new": False,
        },
    )


@router.post("/catalog/{name}/edit")
async def update_resource(
    name: str, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    resource = service.get_resource(session=session, actor=actor, name=name)
    values = _resource_values(await request.form())
    remember_form(
        request,
        "catalog/resource_form.html",
        {
            **form_options(session, actor),
            "form": _form_echo(values),
            "resource": resource,
            "new": False,
        },
    )
    values.pop("name")
    values.pop("owner")
    service.update_resource(session=session, actor=actor, name=name, data=ResourceUpdate(**values))
    flash(request, _("Changes saved."))
    return redirect(f"/catalog/{name}")


# --- fields ----------------------------------------------------------------------------------


def _field_rows(schema: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for f in schema.get("fields", []):
        constraints = f.get("constraints") or {}
        rows.append(
            {
                "name": f.get("name", ""),
                "title_lv": f.get("title_lv") or f.get("title") or "",
                "title_en": f.get("title_en", ""),
                "type": f.get("type", "string"),
                "format": f.get("format") or "",
                "description": f.get("description", ""),
                "classification": f.get("classification", "open"),
                "glossary_term": f.get("glossaryTerm") or "",
                "required": bool(constraints.get("required")),
                "unique": bool(constraints.get("unique")),
                "other": {k: v for k, v in constraints.items() if k not in ("required", "unique")},
            }
        )
    return rows


def _fields_context(
    session: DbSession, actor: Actor, resource: Any, schema: dict[str, Any]
) -> dict[str, Any]:
    fks = schema.get("foreignKeys", [])
    return {
        **form_options(session, actor),
        "resource": resource,
        "rows": _field_rows(schema)
        + [{"name": "", "type": "string", "classification": "open"}] * 3,
        "primary_key": ", ".join(schema.get("primaryKey", [])),
        "foreign_keys": [
            {
                "fields": ", ".join(fk["fields"]),
                "resource": fk["reference"]["resource"],
                "ref_fields": ", ".join(fk["reference"]["fields"]),
            }
            for fk in fks
        ]
        + [{"fields": "", "resource": "", "ref_fields": ""}] * 2,
        "terms": glossary.list_terms(session=session, actor=actor),
    }


@router.get("/catalog/{name}/fields", name="catalog_fields")
def edit_fields(name: str, request: Request, session: DbSession, actor: CurrentActor) -> Response:
    resource = service.get_resource(session=session, actor=actor, name=name)
    schema = service.table_schema(session, resource)
    return render(
        request, "catalog/fields_form.html", _fields_context(session, actor, resource, schema)
    )


def _schema_from_form(form: FormData) -> dict[str, Any]:
    """Rebuild a Table Schema from the field table; rows without a name are skipped."""
    fields = []
    for i in range(MAX_FIELD_ROWS):
        name = str(form.get(f"f{i}_name") or "").strip()
        if f"f{i}_name" not in form:
            break
        if not name:
            continue
        constraints: dict[str, Any] = {}
        if form.get(f"f{i}_required") == "on":
            constraints["required"] = True
        if form.get(f"f{i}_unique") == "on":
            constraints["unique"] = True
        other = str(form.get(f"f{i}_other") or "").strip()
        if other:
            import json

            try:
                constraints |= json.loads(other)
            except (json.JSONDecodeError, TypeError):
                constraints["invalid"] = other
        fields.append(
            {
                "name": name,
                "title_lv": str(form.get(f"f{i}_title_lv") or "").strip(),
                "title_en": str(form.get(f"f{i}_title_en") or "").strip(),
                "type": str(form.get(f"f{i}_type") or "string"),
                "format": str(form.get(f"f{i}_format") or "").strip() or None,
                "description": str(form.get(f"f{i}_description") or "").strip(),
                "classification": str(form.get(f"f{i}_classification") or "open"),
                "glossaryTerm": str(form.get(f"f{i}_glossary_term") or "") or None,
                "constraints": constraints,
            }
        )
    foreign_keys = []
    for i in range(20):
        if f"fk{i}_fields" not in form:
            break
        own = split_list(str(form.get(f"fk{i}_fields") or ""))
        target = str(form.get(f"fk{i}_resource") or "").strip()
        if own or target:
            foreign_keys.append(
                {
                    "fields": own,
                    "reference": {
                        "resource": target,
                        "fields": split_list(str(form.get(f"fk{i}_ref_fields") or "")),
                    },
                }
            )
    return {
        "fields": fields,
        "primaryKey": split_list(str(form.get("primary_key") or "")),
        "foreignKeys": foreign_keys,
    }


@router.post("/catalog/{name}/fields")
async def save_fields(
    name: str, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    resource = service.get_resource(session=session, actor=actor, name=name)
    form = await request.form()
    upload = form.get("schema_file")
    if isinstance(upload, UploadFile) and upload.filename:
        # A file replaces the table on screen only; the steward reviews it and saves.
        remember_form(
            request,
            "catalog/fields_form.html",
            _fields_context(session, actor, resource, service.table_schema(session, resource)),
        )
        draft = _draft_or_refuse(session, actor, upload.filename, await upload.read())
        tableschema.parse(draft)
        context = _fields_context(session, actor, resource, draft)
        flash_text = _("Drafted {count} fields from {file}. Review them and save.",
                       count=len(draft.get("fields", [])), file=upload.filename)  # fmt: skip
        return render(request, "catalog/fields_form.html", {**context, "notice": flash_text})
    schema = _schema_from_form(form)
    remember_form(
        request, "catalog/fields_form.html", _fields_context(session, actor, resource, schema)
    )
    service.set_table_schema(session=session, actor=actor, name=name, schema=schema)
    flash(request, _("Field schema saved."))
    return redirect(f"/catalog/{name}#fields")


# --- distributions ---------------------------------------------------------------------------


@router.post("/catalog/{name}/distributions")
async def add_distribution(
    name: str, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    resource = service.get_resource(session=session, actor=actor, name=name)
    form = await request.form()
    values = {
        k: (str(form.get(k) or "").strip() or None)
        for k in ("title_lv", "access_url", "download_url", "format", "media_type", "licence")
    }
    size = str(form.get("byte_size") or "").strip()
    remember_form(
        request,
        "catalog/distribution_form.html",
        {
            **form_options(session, actor),
            "resource": resource,
            "form": {**values, "byte_size": size},
        },
    )
    data = DistributionCreate(
        title_lv=values["title_lv"] or "",
        access_url=values["access_url"] or "",
        download_url=values["download_url"],
        format=values["format"],
        media_type=values["media_type"],
        licence=values["licence"],
        byte_size=int(size) if size.isdigit() else None,
    )
    distributions.add_distribution(session=session, actor=actor, name=name, data=data)
    flash(request, _("Distribution added."))
    return redirect(f"/catalog/{name}#distributions")


@router.get("/catalog/{name}/distributions/new", name="catalog_distribution_new")
def new_distribution(
    name: str, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    resource = service.get_resource(session=session, actor=actor, name=name)
    return render(
        request,
        "catalog/distribution_form.html",
        {**form_options(session, actor), "resource": resource, "form": {}},
    )


@router.post("/catalog/{name}/distributions/{distribution_id}/delete")
def delete_distribution(
    name: str, distribution_id: int, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    distributions.delete_distribution(
        session=session, actor=actor, name=name, distribution_id=distribution_id
    )
    flash(request, _("Distribution removed."))
    return redirect(f"/catalog/{name}#distributions")
