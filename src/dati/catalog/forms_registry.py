"""The steward's pages for information systems, glossary terms and spreadsheet import.
(Resources, fields and distributions are in ``catalog/forms.py``.)"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile

from dati.catalog import glossary, spreadsheet, systems
from dati.catalog.forms import form_options, split_list
from dati.catalog.schemas import GlossaryTermCreate, GlossaryTermUpdate, SystemCreate, SystemUpdate
from dati.errors import Invalid
from dati.i18n import gettext as _
from dati.web.deps import CurrentActor, DbSession
from dati.web.templating import flash, redirect, remember_form, render

router = APIRouter(include_in_schema=False)


# --- systems ---------------------------------------------------------------------------------


def _system_values(form: FormData) -> dict[str, Any]:
    keys = ("name", "title_lv", "title_en", "description_lv", "description_en", "owner",
            "legal_basis", "status", "homepage")  # fmt: skip
    return {k: str(form.get(k) or "").strip() for k in keys}


@router.get("/catalog/systems/new", name="catalog_system_new")
def new_system(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    options = form_options(session, actor)
    first = next(iter(options["steward_orgs"].values()), None)
    form = {"owner": first.short_name if first else "", "status": "production"}
    return render(request, "catalog/system_form.html", {**options, "form": form, "new": True})


@router.post("/catalog/systems/new")
async def create_system(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    values = _system_values(await request.form())
    remember_form(
        request,
        "catalog/system_form.html",
        {**form_options(session, actor), "form": values, "new": True},
    )
    system = systems.create_system(
        session=session,
        actor=actor,
        data=SystemCreate(
            **{**values, "name": values["name"] or None, "homepage": values["homepage"] or None}
        ),
    )
    flash(request, _("Information system registered."))
    return redirect(f"/catalog/systems/{system.name}")


@router.get("/catalog/systems/{name}/edit", name="catalog_system_edit")
def edit_system(name: str, request: Request, session: DbSession, actor: CurrentActor) -> Response:
    system = systems.get_system(session=session, actor=actor, name=name)
    form = {k: getattr(system, k) or "" for k in systems.SYSTEM_ATTRIBUTES}
    form |= {"name": system.name, "owner": system.owner.short_name, "status": system.status.value}
    return render(
        request,
        "catalog/system_form.html",
        {**form_options(session, actor), "form": form, "system": system, "new": False},
    )


@router.post("/catalog/systems/{name}/edit")
async def update_system(
    name: str, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    system = systems.get_system(session=session, actor=actor, name=name)
    values = _system_values(await request.form())
    remember_form(
        request,
        "catalog/system_form.html",
        {**form_options(session, actor), "form": values, "system": system, "new": False},
    )
    data = {k: v for k, v in values.items() if k not in ("name", "owner")}
    data["homepage"] = data["homepage"] or None
    systems.update_system(session=session, actor=actor, name=name, data=SystemUpdate(**data))
    flash(request, _("Changes saved."))
    return redirect(f"/catalog/systems/{name}")


# --- glossary --------------------------------------------------------------------------------


def _term_values(form: FormData) -> dict[str, Any]:
    keys = (
        "name",
        "term_lv",
        "term_en",
        "definition_lv",
        "definition_en",
        "source",
        "owner",
        "broader",
    )
    values: dict[str, Any] = {k: str(form.get(k) or "").strip() for k in keys}
    values["related"] = split_list(str(form.get("related") or ""))
    return values


@router.get("/catalog/glossary/new", name="catalog_term_new")
def new_term(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    options = form_options(session, actor)
    first = next(iter(options["steward_orgs"].values()), None)
    form = {"owner": first.short_name if first else ""}
    return render(request, "catalog/term_form.html", {**options, "form": form, "new": True})


@router.post("/catalog/glossary/new")
async def create_term(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    values = _term_values(await request.form())
    echo = {**values, "related": ", ".join(values["related"])}
    remember_form(
        request,
        "catalog/term_form.html",
        {**form_options(session, actor), "form": echo, "new": True},
    )
    term = glossary.create_term(
        session=session,
        actor=actor,
        data=GlossaryTermCreate(
            **{**values, "name": values["name"] or None, "owner": values["owner"] or None,
               "broader": values["broader"] or None}
        ),
    )  # fmt: skip
    flash(request, _("Term defined."))
    return redirect(f"/catalog/glossary/{term.name}")


@router.get("/catalog/glossary/{name}/edit", name="catalog_term_edit")
def edit_term(name: str, request: Request, session: DbSession, actor: CurrentActor) -> Response:
    term = glossary.get_term(session=session, actor=actor, name=name)
    form = {
        k: getattr(term, k)
        for k in ("name", "term_lv", "term_en", "definition_lv", "definition_en", "source")
    }
    form |= {
        "broader": term.broader.name if term.broader else "",
        "related": ", ".join(term.related),
    }
    return render(
        request,
        "catalog/term_form.html",
        {**form_options(session, actor), "form": form, "term": term, "new": False},
    )


@router.post("/catalog/glossary/{name}/edit")
async def update_term(
    name: str, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    term = glossary.get_term(session=session, actor=actor, name=name)
    values = _term_values(await request.form())
    echo = {**values, "related": ", ".join(values["related"])}
    remember_form(
        request,
        "catalog/term_form.html",
        {**form_options(session, actor), "form": echo, "term": term, "new": False},
    )
    data = {k: v for k, v in values.items() if k not in ("name", "owner")}
    data["broader"] = data["broader"] or None
    glossary.update_term(session=session, actor=actor, name=name, data=GlossaryTermUpdate(**data))
    flash(request, _("Changes saved."))
    return redirect(f"/catalog/glossary/{name}")


# --- spreadsheet import ----------------------------------------------------------------------


@router.get("/catalog/import", name="catalog_import")
def import_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    return render(request, "catalog/import.html", {**form_options(session, actor), "report": None})


@router.get("/catalog/import/template.{kind}", name="catalog_import_template")
def import_template(kind: str, session: DbSession, actor: CurrentActor) -> Response:
    content, media_type = spreadsheet.template(session=session, actor=actor, kind=kind)
    return Response(
        content,
        media_type=media_type,
        headers={"content-disposition": f'attachment; filename="resursi.{kind}"'},
    )


@router.post("/catalog/import")
async def run_import(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    form = await request.form()
    remember_form(request, "catalog/import.html", {**form_options(session, actor), "report": None})
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise Invalid(_("Choose a file to import."), errors={"file": _("Choose a file.")})
    report = spreadsheet.import_resources(
        session=session, actor=actor, filename=upload.filename, content=await upload.read()
    )
    return render(
        request, "catalog/import.html", {**form_options(session, actor), "report": report}
    )
