"""Recommendations: defaults, administrator edits, safe links, who may change them."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from dati.auth.actor import Actor, Role
from dati.errors import Forbidden, Invalid
from dati.readiness.models import QuestionnaireVersion
from dati.readiness.schemas import RecommendationIn
from dati.readiness.services import recommendations as service
from tests.conftest import MakeUser


def test_defaults_cover_every_dimension_with_platform_links(
    session: Session, system: Actor, version: QuestionnaireVersion
) -> None:
    rows = service.list_recommendations(session=session, actor=system)
    assert {r.dimension_code for r in rows} == {d.code for d in version.dimensions}
    links = {r.link_url for r in rows}
    assert {"/ai", "/admin/users", "/catalog", "/readiness/guidelines"} <= links
    # Listed in the order of the questionnaire's dimensions.
    assert rows[0].dimension_code == "digital_maturity"


def test_an_administrator_edits_a_recommendation(
    session: Session, system: Actor, version: QuestionnaireVersion
) -> None:
    row = service.list_recommendations(session=session, actor=system)[0]
    data = RecommendationIn(
        dimension_code=row.dimension_code,
        max_score=70,
        title_lv="Aprakstiet vismaz desmit datu kopas",
        body_lv="Sāciet ar pamatdatiem.",
        link_url="/catalog",
        link_label_lv="Datu katalogs",
    )
    updated = service.update_recommendation(
        session=session, actor=system, recommendation_id=row.id, data=data
    )
    assert (updated.title_lv, updated.max_score) == ("Aprakstiet vismaz desmit datu kopas", 70)
    applies = service.for_scores(session, {row.dimension_code: 65.0})
    assert updated in applies[row.dimension_code]
    assert updated not in service.for_scores(session, {row.dimension_code: 70.0}).get(
        row.dimension_code, []
    )


@pytest.mark.parametrize(
    "url, ok",
    [
        ("/ai", True),
        ("https://www.vestnesis.lv/", True),
        ("javascript:alert(1)", False),
        ("//evil.example/", False),
        ("http://insecure.example/", False),
        ("data:text/html,x", False),
        ("/\\evil", False),
    ],
)
def test_links_are_platform_paths_or_https(url: str, ok: bool) -> None:
    assert service.is_safe_link(url) is ok


def test_a_bad_recommendation_is_refused_field_by_field(
    session: Session, system: Actor, version: QuestionnaireVersion
) -> None:
    with pytest.raises(Invalid) as exc:
        service.create_recommendation(
            session=session,
            actor=system,
            data=RecommendationIn(
                dimension_code="nowhere", title_lv="X", link_url="javascript:alert(1)"
            ),
        )
    assert set(exc.value.errors) == {"dimension_code", "link_url", "link_label_lv"}


@pytest.mark.parametrize("role, org", [(Role.STEWARD, "VZD"), (Role.AUDITOR, "VKONTROLE")])
def test_staff_read_but_do_not_edit_recommendations(
    session: Session, make_user: MakeUser, version: QuestionnaireVersion, role: Role, org: str
) -> None:
    user = make_user("lietotajs", (role, org))
    rows = service.list_recommendations(session=session, actor=user)
    assert rows
    assert service.model_guidelines(session=session, actor=user)[0]["title_lv"]
    with pytest.raises(Forbidden):
        service.delete_recommendation(session=session, actor=user, recommendation_id=rows[0].id)
    with pytest.raises(Forbidden):
        service.dimension_choices(session=session, actor=user)
