"""Recommendations: concrete next steps for weak dimensions, edited by the administrator."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dati import clock
from dati.auth.actor import Actor
from dati.auth.permissions import require
from dati.errors import Invalid, NotFound
from dati.i18n import gettext as _
from dati.readiness.models import Dimension, Recommendation
from dati.readiness.permissions import MANAGE_RECOMMENDATIONS, VIEW_RECOMMENDATIONS
from dati.readiness.schemas import RecommendationIn

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@lru_cache(maxsize=1)
def reference_dimensions() -> tuple[tuple[str, str, str], ...]:
    """The nine dimensions of the State Audit Office study: (code, name_lv, name_en)."""
    with (DATA_DIR / "dimensions.csv").open(encoding="utf-8") as fh:
        return tuple((r["code"], r["name_lv"], r["name_en"]) for r in csv.DictReader(fh))


def dimension_codes(session: Session) -> list[str]:
    """Codes a recommendation may target: the reference nine plus any used in a questionnaire."""
    codes = [code for code, _lv, _en in reference_dimensions()]
    for code in session.scalars(select(Dimension.code).distinct()):
        if code not in codes:
            codes.append(code)
    return codes


def dimension_names(session: Session) -> dict[str, tuple[str, str]]:
    """Display names by code: the newest questionnaire's wording, else the reference list."""
    names: dict[str, tuple[str, str]] = {}
    stmt = select(Dimension).order_by(Dimension.version_id.desc(), Dimension.position)
    for dim in session.scalars(stmt):
        names.setdefault(dim.code, (dim.name_lv, dim.name_en))
    for code, name_lv, name_en in reference_dimensions():
        names.setdefault(code, (name_lv.capitalize(), name_en))
    return names


def dimension_choices(*, session: Session, actor: Actor) -> dict[str, tuple[str, str]]:
    """The dimensions an administrator can attach a recommendation to."""
    require(actor, MANAGE_RECOMMENDATIONS)
    return dimension_names(session)


def model_guidelines(*, session: Session, actor: Actor) -> list[dict[str, str]]:
    """The model structure of internal guidelines for the safe use of AI."""
    require(actor, VIEW_RECOMMENDATIONS)
    sections: list[dict[str, str]] = json.loads((DATA_DIR / "guidelines.json").read_text("utf-8"))
    return sections


def list_recommendations(*, session: Session, actor: Actor) -> list[Recommendation]:
    """All recommendations, grouped by dimension in the questionnaire's order."""
    require(actor, VIEW_RECOMMENDATIONS)
    order = {code: i for i, code in enumerate(dimension_names(session))}
    rows = session.scalars(select(Recommendation).order_by(Recommendation.position))
    return sorted(rows, key=lambda r: (order.get(r.dimension_code, 99), r.position, r.id))


def get_recommendation(*, session: Session, actor: Actor, recommendation_id: int) -> Recommendation:
    require(actor, VIEW_RECOMMENDATIONS)
    return _get(session, recommendation_id)


def _get(session: Session, recommendation_id: int) -> Recommendation:
    row = session.get(Recommendation, recommendation_id)
    if row is None:
        raise NotFound(_("No such recommendation."))
    return row


def create_recommendation(
    *, session: Session, actor: Actor, data: RecommendationIn
) -> Recommendation:
    """Add a next step for a dimension."""
    require(actor, MANAGE_RECOMMENDATIONS)
    _check(session, data)
    row = Recommendation(**data.model_dump(), updated_at=clock.now())
    session.add(row)
    session.flush()
    return row


def update_recommendation(
    *, session: Session, actor: Actor, recommendation_id: int, data: RecommendationIn
) -> Recommendation:
    """Change a recommendation's texts, link or the score below which it is shown."""
    require(actor, MANAGE_RECOMMENDATIONS)
    row = _get(session, recommendation_id)
    _check(session, data)
    for name, value in data.model_dump().items():
        setattr(row, name, value)
    row.updated_at = clock.now()
    session.flush()
    return row


def delete_recommendation(*, session: Session, actor: Actor, recommendation_id: int) -> None:
    require(actor, MANAGE_RECOMMENDATIONS)
    session.delete(_get(session, recommendation_id))
    session.flush()


def _check(session: Session, data: RecommendationIn) -> None:
    errors: dict[str, str] = {}
    if data.dimension_code not in dimension_codes(session):
        errors["dimension_code"] = _("Unknown dimension.")
    if data.link_url and not is_safe_link(data.link_url):
        errors["link_url"] = _("Use a platform path such as /ai, or an https:// address.")
    if data.link_url and not data.link_label_lv:
        errors["link_label_lv"] = _("A link needs a Latvian label.")
    if errors:
        raise Invalid(_("The recommendation cannot be saved."), errors=errors)


def is_safe_link(url: str) -> bool:
    """A local path or an https address; never javascript:, data: or protocol-relative URLs."""
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return True
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.netloc) and " " not in url


def install_defaults(session: Session) -> int:
    """Load the shipped recommendations when there are none yet; returns how many were added."""
    if session.scalar(select(func.count()).select_from(Recommendation)):
        return 0
    items = json.loads((DATA_DIR / "recommendations.json").read_text("utf-8"))
    for position, item in enumerate(items):
        data = RecommendationIn(dimension_code=item.pop("dimension"), position=position, **item)
        _check(session, data)
        session.add(Recommendation(**data.model_dump(), updated_at=clock.now()))
    session.flush()
    return len(items)


def for_scores(
    session: Session, scores: Mapping[str, float | None]
) -> dict[str, list[Recommendation]]:
    """The recommendations that apply to each dimension's score (below their ``max_score``)."""
    applicable: dict[str, list[Recommendation]] = {}
    rows = session.scalars(
        select(Recommendation).order_by(Recommendation.position, Recommendation.id)
    )
    for row in rows:
        score = scores.get(row.dimension_code)
        if score is not None and score < row.max_score:
            applicable.setdefault(row.dimension_code, []).append(row)
    return applicable
