"""Harvesting pages: upload a DCAT-AP file, harvest a URL once, keep scheduled sources,
and read each run's report."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from dati.auth.actor import Actor, Role
from dati.i18n import gettext as _
from dati.interop import harvest_fetch, service, sources
from dati.interop.models import HarvestRun
from dati.interop.schemas import HarvestSourceCreate, HarvestSourceUpdate
from dati.orgs import service as orgs_service
from dati.orgs.models import Organisation
from dati.web.deps import CurrentActor, DbSession
from dati.web.templating import flash, redirect, remember_form, render

router = APIRouter(include_in_schema=False)


def _organisations(session: Session, actor: Actor) -> list[Organisation]:
    """The institutions the actor may harvest into, for the forms' choices."""
    every = orgs_service.list_organisations(session=session, actor=actor)
    if actor.is_admin:
        return every
    mine = actor.org_ids(Role.STEWARD)
    return [o for o in every if o.id in mine]


def _page(session: Session, actor: Actor, **extra: Any) -> dict[str, Any]:
    return {
        "sources": sources.list_sources(session=session, actor=actor),
        "runs": sources.list_runs(session=session, actor=actor, limit=20),
        "organisations": _organisations(session, actor),
        "upload_form": {},
        "url_form": {},
        **extra,
    }


def _done(request: Request, run: HarvestRun) -> Response:
    flash(
        request,
        _(
            "Harvest finished: {created} created, {updated} updated, {unchanged} unchanged, {failed} failed.",
            created=run.created,
            updated=run.updated,
            unchanged=run.unchanged,
            failed=run.failed,
        ),
        "success" if not run.failed and not run.message else "error",
    )
    return redirect(f"/harvest/runs/{run.id}")


@router.get("/harvest", name="harvest")
def harvest_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    return render(request, "interop/harvest.html", _page(session, actor))


@router.post("/harvest/upload")
async def harvest_upload(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    org: Annotated[str, Form()] = "",
    file: UploadFile | None = None,
) -> Response:
    remember_form(request, "interop/harvest.html", _page(session, actor, upload_form={"org": org}))
    data, name, content_type = b"", "", ""
    if file is not None:
        data = await file.read(harvest_fetch.MAX_BYTES + 1)
        name, content_type = file.filename or "", file.content_type or ""
    document = harvest_fetch.from_upload(data, name, content_type)
    run = service.harvest_document(session=session, actor=actor, org=org, document=document)
    return _done(request, run)


@router.post("/harvest/url")
def harvest_url(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    url: Annotated[str, Form()] = "",
    org: Annotated[str, Form()] = "",
) -> Response:
    remember_form(
        request, "interop/harvest.html", _page(session, actor, url_form={"url": url, "org": org})
    )
    run = service.harvest_url(session=session, actor=actor, org=org, url=url.strip())
    return _done(request, run)


@router.post("/harvest/sources")
def create_source(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    title: Annotated[str, Form()] = "",
    url: Annotated[str, Form()] = "",
    org: Annotated[str, Form()] = "",
    interval_hours: Annotated[int, Form()] = 24,
) -> Response:
    form = {"title": title, "url": url, "org": org, "interval_hours": interval_hours}
    remember_form(request, "interop/harvest.html", _page(session, actor, form=form))
    source = sources.create_source(
        session=session,
        actor=actor,
        data=HarvestSourceCreate(title=title, url=url, org=org, interval_hours=interval_hours),
    )
    flash(
        request,
        _("Harvest source {title} added; it runs at the next scheduled job.", title=source.title),
    )
    return redirect("/harvest")


@router.get("/harvest/sources/{source_id}", name="harvest_source")
def source_page(
    source_id: int, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    source = sources.get_source(session=session, actor=actor, source_id=source_id)
    runs = sources.list_runs(session=session, actor=actor, source_id=source.id)
    form = {
        "title": source.title,
        "url": source.url,
        "interval_hours": source.interval_hours,
        "enabled": source.enabled,
    }
    return render(request, "interop/source.html", {"source": source, "runs": runs, "form": form})


@router.post("/harvest/sources/{source_id}")
def update_source(
    source_id: int,
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    title: Annotated[str, Form()] = "",
    url: Annotated[str, Form()] = "",
    interval_hours: Annotated[int, Form()] = 24,
    enabled: Annotated[bool, Form()] = False,
) -> Response:
    source = sources.get_source(session=session, actor=actor, source_id=source_id)
    form = {"title": title, "url": url, "interval_hours": interval_hours, "enabled": enabled}
    runs = sources.list_runs(session=session, actor=actor, source_id=source.id)
    remember_form(request, "interop/source.html", {"source": source, "runs": runs, "form": form})
    sources.update_source(
        session=session,
        actor=actor,
        source_id=source_id,
        data=HarvestSourceUpdate(
            title=title, url=url, interval_hours=interval_hours, enabled=enabled
        ),
    )
    flash(request, _("Changes saved."))
    return redirect(f"/harvest/sources/{source_id}")


@router.post("/harvest/sources/{source_id}/run")
def run_source(
    source_id: int, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    run = sources.run_source(session=session, actor=actor, source_id=source_id)
    return _done(request, run)


@router.post("/harvest/sources/{source_id}/delete")
def delete_source(
    source_id: int, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    sources.delete_source(session=session, actor=actor, source_id=source_id)
    flash(request, _("Harvest source removed; the datasets it brought in stay in the catalogue."))
    return redirect("/harvest")


@router.get("/harvest/runs/{run_id}", name="harvest_run")
def run_page(run_id: int, request: Request, session: DbSession, actor: CurrentActor) -> Response:
    run = sources.get_run(session=session, actor=actor, run_id=run_id)
    return render(request, "interop/run.html", {"run": run})
