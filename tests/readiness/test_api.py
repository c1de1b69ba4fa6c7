"""The JSON API under /api/v1/readiness, with bearer tokens; errors are problem details."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dati import clock
from dati.auth import service as auth_service
from dati.auth.actor import Actor, Role
from dati.auth.schemas import TokenCreate
from dati.readiness.models import QuestionnaireVersion
from tests.conftest import MakeUser
from tests.readiness.conftest import COMPLETE, MakeRound, assessment_of

API = "/api/v1/readiness"


@pytest.fixture
def bearer(session: Session, make_user: MakeUser):  # type: ignore[no-untyped-def]
    """Authorization headers for a new user holding one role."""

    def make(username: str, role: Role, org: str | None) -> dict[str, str]:
        actor: Actor = make_user(username, (role, org))
        _token, secret = auth_service.create_token(
            session=session, actor=actor, data=TokenCreate(name="t", role=role, org=org)
        )
        session.commit()
        return {"authorization": f"Bearer {secret}"}

    return make


def test_an_administrator_opens_a_round_and_a_steward_answers_it(
    client: TestClient,
    bearer,
    version: QuestionnaireVersion,
    session: Session,  # type: ignore[no-untyped-def]
) -> None:
    session.commit()
    admin = bearer("root", Role.ADMIN, None)
    steward = bearer("janis", Role.STEWARD, "VZD")
    today = clock.today()
    created = client.post(
        f"{API}/rounds",
        headers=admin,
        json={
            "title_lv": "2026",
            "opens_on": str(today),
            "deadline": str(today + timedelta(days=10)),
            "institutions": ["VZD", "PMLP"],
        },
    )
    assert created.status_code == 201, created.text
    round_id = created.json()["id"]
    mine = client.get(f"{API}/assessments", headers=steward).json()
    assert [(a["institution"], a["status"]) for a in mine] == [("VZD", "not_started")]
    assessment_id = mine[0]["id"]
    saved = client.patch(
        f"{API}/assessments/{assessment_id}/answers",
        headers=steward,
        json={
            "answers": {"ai_use": "active", "obstacles": ["finance"], "ai_specialists": 2.5},
            "revision": 0,
        },
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["answers"] == {
        "ai_use": "active",
        "obstacles": ["finance"],
        "ai_specialists": 2.5,
    }
    stale = client.patch(
        f"{API}/assessments/{assessment_id}/answers",
        headers=steward,
        json={"answers": {"ai_use": "planned"}, "revision": 0},
    )
    assert stale.status_code == 409 and stale.headers["content-type"] == "application/problem+json"
    assert stale.json()["current_revision"] == saved.json()["revision"]
    incomplete = client.post(f"{API}/assessments/{assessment_id}/submit", headers=steward, json={})
    assert incomplete.status_code == 422 and "ai_guidelines" in incomplete.json()["errors"]
    submitted = client.post(
        f"{API}/assessments/{assessment_id}/submit", headers=steward, json={"answers": COMPLETE}
    )
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    result = client.get(f"{API}/assessments/{assessment_id}/result", headers=steward).json()
    assert (
        result["final"]
        and len(result["dimensions"]) == 9
        and result["overall"] == submitted.json()["overall_score"]
    )
    progress = client.get(f"{API}/rounds/{round_id}/progress", headers=admin).json()
    assert {(p["institution"], p["status"]) for p in progress} == {
        ("VZD", "submitted"),
        ("PMLP", "not_started"),
    }
    national = client.get(f"{API}/rounds/{round_id}/national", headers=steward).json()
    assert (national["submitted"], national["total"]) == (1, 2)
    reopened = client.post(
        f"{API}/assessments/{assessment_id}/reopen",
        headers=admin,
        json={"reason": "Jālabo budžets"},
    )
    assert reopened.json()["status"] == "draft"


def test_answers_errors_are_problem_details_per_question(
    client: TestClient,
    bearer,
    make_round: MakeRound,
    session: Session,  # type: ignore[no-untyped-def]
) -> None:
    rnd = make_round("VZD", "PMLP")
    session.commit()
    steward = bearer("janis", Role.STEWARD, "VZD")
    target = assessment_of(rnd, "VZD").id
    bad = client.patch(
        f"{API}/assessments/{target}/answers",
        headers=steward,
        json={"answers": {"ai_use": "maybe", "data_described": 9}},
    )
    assert bad.status_code == 422
    body = bad.json()
    assert body["type"].endswith("/invalid") and set(body["errors"]) == {"ai_use", "data_described"}
    other = assessment_of(rnd, "PMLP").id
    assert client.get(f"{API}/assessments/{other}", headers=steward).status_code == 404
    assert (
        client.patch(
            f"{API}/assessments/{other}/answers", headers=steward, json={"answers": {}}
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    "path",
    [
        "/rounds/{round_id}/ministries",
        "/rounds/{round_id}/institutions",
        "/rounds/{round_id}/answers.csv",
    ],
)
def test_per_institution_data_is_refused_to_a_steward(
    client: TestClient,
    bearer,
    make_round: MakeRound,
    session: Session,
    path: str,  # type: ignore[no-untyped-def]
) -> None:
    rnd = make_round("VZD")
    session.commit()
    steward = bearer("janis", Role.STEWARD, "VZD")
    auditor = bearer("maris", Role.AUDITOR, "VKONTROLE")
    url = API + path.format(round_id=rnd.id)
    assert client.get(url, headers=steward).status_code == 403
    assert client.get(url, headers=auditor).status_code == 200


def test_distributions_and_csv_over_http(
    client: TestClient,
    bearer,
    make_round: MakeRound,
    submit,
    session: Session,  # type: ignore[no-untyped-def]
) -> None:
    rnd = make_round("VZD", "PMLP")
    submit(rnd, "VZD", ai_guidelines="planned")
    submit(rnd, "PMLP")
    session.commit()
    auditor = bearer("maris", Role.AUDITOR, "VKONTROLE")
    dists = {
        d["question"]: d
        for d in client.get(f"{API}/rounds/{rnd.id}/distributions", headers=auditor).json()
    }
    guidelines = {
        o["code"]: (o["percent"], o["published_percent"]) for o in dists["ai_guidelines"]["options"]
    }
    assert guidelines == {"yes": (50.0, 6), "planned": (50.0, 69), "no": (0.0, 25)}
    csv_response = client.get(f"{API}/rounds/{rnd.id}/answers.csv", headers=auditor)
    assert csv_response.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv_response.headers["content-disposition"]
    assert "ai_guidelines" in csv_response.text


def test_questionnaire_versions_and_recommendations_over_http(
    client: TestClient,
    bearer,
    version: QuestionnaireVersion,
    session: Session,  # type: ignore[no-untyped-def]
) -> None:
    session.commit()
    admin = bearer("root", Role.ADMIN, None)
    steward = bearer("janis", Role.STEWARD, "VZD")
    listed = client.get(f"{API}/questionnaires", headers=steward).json()
    assert [v["version"] for v in listed] == [1]
    full = client.get(f"{API}/questionnaires/{version.id}", headers=steward).json()
    assert len(full["dimensions"]) == 9 and full["questions"][0]["dimension"] == "digital_maturity"
    question = full["questions"][0]
    assert (
        client.put(
            f"{API}/questions/{question['id']}", headers=admin, json={**question, "text_lv": "Cits"}
        ).status_code
        == 409
    )
    draft = client.post(f"{API}/questionnaires/{version.id}/drafts", headers=admin)
    assert (
        draft.status_code == 201
        and draft.json()["version"] == 2
        and draft.json()["status"] == "draft"
    )
    assert (
        client.post(f"{API}/questionnaires/{version.id}/drafts", headers=steward).status_code == 403
    )
    assert client.post(f"{API}/questionnaires/standard", headers=admin).json()["created"] is False
    recs = client.get(f"{API}/recommendations", headers=steward).json()
    changed = client.put(
        f"{API}/recommendations/{recs[0]['id']}",
        headers=admin,
        json={**recs[0], "link_url": "javascript:alert(1)"},
    )
    assert changed.status_code == 422 and "link_url" in changed.json()["errors"]


def test_anonymous_callers_must_authenticate(client: TestClient) -> None:
    r = client.get(f"{API}/rounds")
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
