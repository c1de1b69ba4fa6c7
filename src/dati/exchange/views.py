"""Pages: a resource's data with its versions, the upload form, rollback and refused rows."""

from __future__ import annotations

import shutil
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from starlette.datastructures import UploadFile

from dati.auth.permissions import allowed
from dati.exchange import governed, service
from dati.exchange.permissions import MANAGE_VERSIONS, PUBLISH_VERSION
from dati.exchange.service import SourceSpec
from dati.i18n import gettext as _
from dati.web.deps import AppSettings, CurrentActor, DbSession
from dati.web.templating import flash, redirect, remember_form, render

router = APIRouter(include_in_schema=False)


def _context(request: Request, session: Any, actor: Any, name: str) -> dict[str, Any]:
    resource, versions = service.list_versions(session=session, actor=actor, name=name)
    current = versions[0] if versions else None
    preview: list[dict[str, Any]] = []
    columns: list[str] = []
    if current is not None and current.files_removed_at is None:
        settings = request.app.state.settings
        read = governed.plan_read(
            session=session,
            actor=actor,
            name=name,
            store=service.store_for(settings),
            secret=settings.effective_secret_key,
            limit=10,
        )
        page = governed.read_page(read)
        preview, columns = governed.serve_page(read, page), governed.columns(read)
    return {
        "resource": resource,
        "versions": versions,
        "current": current,
        "preview": preview,
        "columns": columns,
        "may_publish": allowed(actor, PUBLISH_VERSION, resource),
        "may_manage": allowed(actor, MANAGE_VERSIONS, resource),
        "modes": [
            ("replace", _("Replace all data")),
            ("append", _("Append rows")),
            ("upsert", _("Add or update rows by key")),
        ],
    }


@router.get("/data", name="exchange_datasets")
def datasets_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    return render(
        request,
        "exchange/list.html",
        {"datasets": service.list_datasets(session=session, actor=actor)},
    )


@router.get("/data/{name}", name="exchange_dataset")
def dataset_page(name: str, request: Request, session: DbSession, actor: CurrentActor) -> Response:
    return render(request, "exchange/dataset.html", _context(request, session, actor, name))


@router.post("/data/{name}/upload", name="exchange_upload")
async def upload(
    name: str, request: Request, session: DbSession, actor: CurrentActor, settings: AppSettings
) -> Response:
    form = await request.form()
    context = _context(request, session, actor, name)
    mode = str(form.get("mode") or "replace")
    quarantine = form.get("quarantine") == "1"
    context["form"] = {"mode": mode, "quarantine": quarantine}
    remember_form(request, "exchange/dataset.html", context)
    file = form.get("file")
    store = service.store_for(settings)
    upload_path = store.temp_path(".upload")
    filename = file.filename if isinstance(file, UploadFile) and file.filename else ""
    try:
        if isinstance(file, UploadFile) and filename:
            with upload_path.open("wb") as out:
                shutil.copyfileobj(file.file, out, 1 << 20)
        spec = SourceSpec(
            path=upload_path if filename else None, name=filename.rsplit("/", 1)[-1][-200:]
        )
        result = service.publish_version(
            session=session,
            actor=actor,
            name=name,
            source=spec,
            store=store,
            mode=mode,
            quarantine=quarantine,
        )
    finally:
        upload_path.unlink(missing_ok=True)
    version = result.version
    message = _(
        "Version {number} published: {rows} rows.", number=version.number, rows=version.rows
    )
    if version.rows_rejected:
        message += " " + _(
            "{count} rows were refused; download them below.", count=version.rows_rejected
        )
    flash(request, message, "warning" if version.rows_rejected else "success")
    return redirect(f"/data/{name}")


@router.post("/data/{name}/versions/{number}/rollback", name="exchange_rollback")
def rollback(
    name: str, number: int, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    version = service.rollback(session=session, actor=actor, name=name, number=number)
    flash(
        request,
        _("Version {number} is served again as version {new}.", number=number, new=version.number),
    )
    return redirect(f"/data/{name}")


@router.get("/data/{name}/versions/{number}/refused.csv", name="exchange_refused")
def refused(
    name: str, number: int, session: DbSession, actor: CurrentActor, settings: AppSettings
) -> FileResponse:
    filename, path = service.quarantine_file(
        session=session, actor=actor, name=name, number=number, store=service.store_for(settings)
    )
    return FileResponse(path, media_type="text/csv; charset=utf-8", filename=filename)
