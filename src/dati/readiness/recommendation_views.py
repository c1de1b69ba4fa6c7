"""Recommendations and model guidelines: read by institution staff, edited by the administrator."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from dati.auth.permissions import allowed
from dati.i18n import gettext as _
from dati.readiness.forms import Form, text
from dati.readiness.permissions import MANAGE_RECOMMENDATIONS
from dati.readiness.schemas import RecommendationIn
from dati.readiness.services import recommendations as recommendations_service
from dati.web.deps import CurrentActor, DbSession
from dati.web.templating import flash, redirect, remember_form, render

router = APIRouter(include_in_schema=False)


# --- editing -------------------------------------------------------------------------


def _recommendation_values(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: text(form, name)
        for name in (
            "dimension_code",
            "title_lv",
            "title_en",
            "body_lv",
            "body_en",
            "link_url",
            "link_label_lv",
            "link_label_en",
        )
    }
    values["max_score"] = text(form, "max_score").replace(",", ".") or "50"
    values["position"] = text(form, "position") or "0"
    return values


@router.get("/readiness/recommendations/new", name="readiness_recommendation_new")
def new_recommendation(
    request: Request, session: DbSession, actor: CurrentActor, dimension: str = ""
) -> Response:
    names = recommendations_service.dimension_choices(session=session, actor=actor)
    form = {"dimension_code": dimension, "max_score": "50", "position": "0"}
    return render(
        request,
        "readiness/recommendation_form.html",
        {"names": names, "form": form, "recommendation": None},
    )


@router.post("/readiness/recommendations")
def create_recommendation(
    request: Request, session: DbSession, actor: CurrentActor, form: Form
) -> Response:
    names = recommendations_service.dimension_choices(session=session, actor=actor)
    values = _recommendation_values(form)
    remember_form(
        request,
        "readiness/recommendation_form.html",
        {"names": names, "form": values, "recommendation": None},
    )
    recommendations_service.create_recommendation(
        session=session, actor=actor, data=RecommendationIn.model_validate(values)
    )
    flash(request, _("Recommendation added."))
    return redirect("/readiness/recommendations")


@router.get(
    "/readiness/recommendations/{recommendation_id}/edit", name="readiness_recommendation_edit"
)
def edit_recommendation(
    recommendation_id: int, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    names = recommendations_service.dimension_choices(session=session, actor=actor)
    row = recommendations_service.get_recommendation(
        session=session, actor=actor, recommendation_id=recommendation_id
    )
    form = RecommendationIn.model_validate(row, from_attributes=True).model_dump()
    form["max_score"] = f"{row.max_score:g}"
    return render(
        request,
        "readiness/recommendation_form.html",
        {"names": names, "form": form, "recommendation": row},
    )


@router.post("/readiness/recommendations/{recommendation_id}")
def update_recommendation(
    recommendation_id: int, request: Request, session: DbSession, actor: CurrentActor, form: Form
) -> Response:
    names = recommendations_service.dimension_choices(session=session, actor=actor)
    row = recommendations_service.get_recommendation(
        session=session, actor=actor, recommendation_id=recommendation_id
    )
    values = _recommendation_values(form)
    remember_form(
        request,
        "readiness/recommendation_form.html",
        {"names": names, "form": values, "recommendation": row},
    )
    recommendations_service.update_recommendation(
        session=session,
        actor=actor,
        recommendation_id=recommendation_id,
        data=RecommendationIn.model_validate(values),
    )
    flash(request, _("Recommendation saved."))
    return redirect("/readiness/recommendations")


@router.post("/readiness/recommendations/{recommendation_id}/delete")
def delete_recommendation(
    recommendation_id: int, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    recommendations_service.delete_recommendation(
        session=session, actor=actor, recommendation_id=recommendation_id
    )
    flash(request, _("Recommendation deleted."))
    return redirect("/readiness/recommendations")


# --- guidance --------------------------------------------------------------------------------


@router.get("/readiness/recommendations", name="readiness_recommendations")
def recommendations_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    rows = recommendations_service.list_recommendations(session=session, actor=actor)
    names = recommendations_service.dimension_names(session)
    return render(
        request,
        "readiness/recommendations.html",
        {
            "recommendations": rows,
            "dimension_names": names,
            "can_manage": allowed(actor, MANAGE_RECOMMENDATIONS),
        },
    )


@router.get("/readiness/guidelines", name="readiness_guidelines")
def guidelines_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    sections = recommendations_service.model_guidelines(session=session, actor=actor)
    return render(request, "readiness/guidelines.html", {"sections": sections})
