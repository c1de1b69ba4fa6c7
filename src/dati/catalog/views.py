"""Public catalogue pages: browse and search, resource, systems, glossary, quality.

The steward's forms are in ``catalog/forms.py``; their router is included first so that
/catalog/new is not taken for a resource called "new".
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from dati.ai.services import lineage as ai_lineage
from dati.auth.permissions import allowed
from dati.catalog import (
    distributions,
    forms,
    forms_registry,
    glossary,
    history,
    presenters,
    quality,
    search,
    service,
    systems,
    vocabularies,
)
from dati.catalog.models import FieldClassification
from dati.catalog.permissions import EDIT_GLOSSARY, EDIT_RESOURCE, EDIT_SYSTEM
from dati.web.deps import CurrentActor, DbSession
from dati.web.templating import render

router = APIRouter(include_in_schema=False)
router.include_router(forms.router)
router.include_router(forms_registry.router)

FACET_TITLES = {
    "org": "Institution",
    "theme": "Theme",
    "format": "Format",
    "access": "Access rights",
    "licence": "Licence",
    "hvd": "High-value dataset",
    "personal": "Personal data",
}
SORT_LABELS = {
    "relevance": "Relevance",
    "title": "Title",
    "modified": "Last changed",
    "quality": "Metadata quality",
    "newest": "Newest in the catalogue",
}
CLASSIFICATION_LABELS = {
    FieldClassification.PERSONAL_IDENTIFIER: "Personal identifier",
    FieldClassification.PERSONAL_DATA: "Personal data",
    FieldClassification.SPECIAL_CATEGORY: "Special category",
    FieldClassification.OPEN: "Open",
}


def common() -> dict[str, object]:
    """Vocabularies and labels every catalogue template may use."""
    return {
        "themes": vocabularies.THEMES,
        "hvd_categories": vocabularies.HVD_CATEGORIES,
        "frequencies": vocabularies.FREQUENCIES,
        "access_labels": presenters.ACCESS_LABELS,
        "classification_labels": CLASSIFICATION_LABELS,
        "rating_labels": quality.RATING_LABELS,
        "licence_label": vocabularies.licence_label,
        "spatial_label": vocabularies.spatial_label,
    }


@router.get("/catalog", name="catalog")
def catalogue(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    params = request.query_params
    filters = {f: params.getlist(f) for f in FACET_TITLES if params.getlist(f)}
    sort = params.get("sort", "relevance")
    page = params.get("page", "1")
    query = search.SearchQuery(
        q=params.get("q", "")[:200],
        filters=filters,
        sort=search.Sort(sort) if sort in SORT_LABELS else search.Sort.RELEVANCE,
        page=int(page) if page.isdigit() else 1,
    )
    result = search.search_resources(session=session, actor=actor, query=query)
    read = presenters.search_result_read(result, session)
    keep = [(k, v) for k, v in params.multi_items() if k not in ("page",)]
    return render(
        request,
        "catalog/search.html",
        {
            **common(),
            "q": query.q,
            "result": result,
            "read": read,
            "filters": filters,
            "facet_titles": FACET_TITLES,
            "sort_labels": SORT_LABELS,
            "keep": keep,
        },
    )


@router.get("/catalog/systems", name="catalog_systems")
def system_list(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    found = systems.list_systems(session=session, actor=actor)
    return render(request, "catalog/systems.html", {**common(), "systems": found})


@router.get("/catalog/systems/{name}", name="catalog_system")
def system_page(name: str, request: Request, session: DbSession, actor: CurrentActor) -> Response:
    system = systems.get_system(session=session, actor=actor, name=name)
    changes = history.entity_changes(
        session=session, actor=actor, entity="system", entity_id=system.id
    )
    return render(
        request,
        "catalog/system.html",
        {
            **common(),
            "system": system,
            "changes": changes,
            "can_edit": allowed(actor, EDIT_SYSTEM, system),
        },
    )


@router.get("/catalog/data-services/{name}", name="catalog_data_service")
def data_service_page(
    name: str, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    found = distributions.get_data_service(session=session, actor=actor, name=name)
    return render(request, "catalog/data_service.html", {**common(), "service": found})


@router.get("/catalog/glossary", name="catalog_glossary")
def glossary_list(
    request: Request, session: DbSession, actor: CurrentActor, q: str = ""
) -> Response:
    terms = glossary.list_terms(session=session, actor=actor, q=q[:200])
    return render(
        request,
        "catalog/glossary.html",
        {
            **common(),
            "terms": terms,
            "q": q,
            "usage": glossary.count_fields(session),
            "can_edit": allowed(actor, EDIT_GLOSSARY, None),
        },
    )


@router.get("/catalog/glossary/{name}", name="catalog_term")
def term_page(name: str, request: Request, session: DbSession, actor: CurrentActor) -> Response:
    term = glossary.get_term(session=session, actor=actor, name=name)
    return render(
        request,
        "catalog/term.html",
        {
            **common(),
            "term": term,
            "narrower": glossary.narrower(session, term),
            "fields": glossary.fields_using(session=session, actor=actor, term=term),
            "can_edit": allowed(actor, EDIT_GLOSSARY, term),
        },
    )


@router.get("/catalog/quality", name="catalog_quality")
def quality_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    national, rows = quality.overview(session=session, actor=actor)
    return render(request, "catalog/quality.html", {**common(), "national": national, "rows": rows})


@router.get("/catalog/{name}", name="catalog_resource")
def resource_page(name: str, request: Request, session: DbSession, actor: CurrentActor) -> Response:
    resource = service.get_resource(session=session, actor=actor, name=name)
    assessment = quality.assess_resource(session=session, actor=actor, resource=resource)
    changes = history.list_changes(session=session, actor=actor, resource=resource, limit=100)
    referenced = service.referenced_resources(session, resource)
    return render(
        request,
        "catalog/resource.html",
        {
            **common(),
            "resource": resource,
            "assessment": assessment,
            "indicators": quality.INDICATORS,
            "dimensions": quality.DIMENSIONS,
            "checks": quality.url_checks(session, resource),
            "changes": changes,
            "referenced": referenced,
            "can_edit": allowed(actor, EDIT_RESOURCE, resource),
            "ai_systems": ai_lineage.systems_using_resource(
                session=session, actor=actor, resource_id=resource.id
            ),
        },
    )
