"""The public AI transparency register: pages anyone can read, linking to the JSON and CSV."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from dati.ai import pages
from dati.ai.services import lineage, transparency
from dati.ai.verdict import RiskClass
from dati.catalog import service as catalog_service
from dati.web.deps import AppSettings, CurrentActor, DbSession
from dati.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/ai/register", name="ai_register")
def register_page(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    settings: AppSettings,
    q: str = "",
    org: str = "",
    risk_class: str = "",
) -> Response:
    chosen = RiskClass(risk_class) if risk_class in RiskClass._value2member_map_ else None
    found = transparency.public_register(
        session=session, actor=actor, q=q or None, org=org or None, risk_class=chosen
    )
    query = urlencode(
        {k: v for k, v in {"q": q, "org": org, "risk_class": risk_class}.items() if v}
    )
    suffix = f"?{query}" if query else ""
    datasets = lineage.dataset_names(session, found)
    entries = [
        transparency.entry(
            s, base_url=settings.base_url, provisions=[], datasets=datasets.get(s.id, [])
        )
        for s in found
    ]
    return render(
        request,
        "ai/register.html",
        pages.context(
            entries=entries,
            filters={"q": q, "org": org, "risk_class": risk_class},
            classes=[c for c in RiskClass],
            json_url=f"/api/v1/ai/register{suffix}",
            csv_url=f"/api/v1/ai/register.csv{suffix}",
        ),
    )


@router.get("/ai/register/{system_id}", name="ai_register_entry")
def register_entry_page(
    system_id: int,
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    settings: AppSettings,
) -> Response:
    system = transparency.public_system(session=session, actor=actor, system_id=system_id)
    provisions = transparency.class_provisions(session, [system]).get(system.id, [])
    entry = transparency.entry(
        system,
        base_url=settings.base_url,
        provisions=provisions,
        datasets=lineage.dataset_names(session, [system]).get(system.id, []),
    )
    return render(
        request,
        "ai/register_entry.html",
        pages.context(entry=entry, system=system, json_url=f"/api/v1/ai/register/{system.id}"),
    )


@router.get("/ai/datasets/{resource}", name="ai_dataset_systems")
def dataset_systems_page(
    resource: str, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    """The AI systems that use one catalogue resource (the lineage seen from the dataset)."""
    found = catalog_service.get_resource(session=session, actor=actor, name=resource)
    links = lineage.systems_using_resource(session=session, actor=actor, resource_id=found.id)
    return render(
        request, "ai/dataset_systems.html", pages.context(resource=found, ai_systems=links)
    )
