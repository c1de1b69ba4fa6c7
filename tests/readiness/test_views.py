"""The readiness pages in a browser's terms: forms with CSRF, messages beside fields, charts
with their tables, role-dependent content, Latvian by default."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dati.auth.actor import Role
from dati.readiness.models import AssessmentStatus, QuestionnaireVersion, Round
from dati.readiness.services import answers as answers_service
from tests.conftest import MakeUser, csrf_from
from tests.readiness.conftest import COMPLETE, MakeRound, SubmitAs, assessment_of

Login = Callable[[str], TestClient]


def _form_answers(answers: dict[str, object]) -> dict[str, object]:
    return {f"q_{k}": v for k, v in answers.items()}


def _post(client: TestClient, url: str, page: str, data: dict[str, object]) -> object:
    return client.post(
        url, data={**data, "csrf_token": csrf_from(client.get(page).text)}, follow_redirects=False
    )


def test_the_menu_shows_readiness_to_institution_staff_only(
    client: TestClient, make_user: MakeUser, login: Login
) -> None:
    assert "/readiness" not in client.get("/").text
    make_user("bezlomas")
    login("bezlomas")
    assert 'href="/readiness"' not in client.get("/").text
    make_user("janis", (Role.STEWARD, "VZD"))
    login("janis")
    home = client.get("/").text
    assert 'href="/readiness"' in home and "Gatavība" in home


def test_a_steward_fills_in_saves_and_submits_the_assessment(
    client: TestClient, make_user: MakeUser, login: Login, make_round: MakeRound, session: Session
) -> None:
    rnd = make_round("VZD", "PMLP")
    target = assessment_of(rnd, "VZD")
    session.commit()
    make_user("janis", (Role.STEWARD, "VZD"))
    login("janis")
    index = client.get("/readiness").text
    assert f'href="/readiness/assessments/{target.id}">Aizpildīt' in index
    page = client.get(f"/readiness/assessments/{target.id}")
    assert page.status_code == 200
    assert "<legend>Kā iestāde šobrīd izmanto mākslīgā intelekta (MI) risinājumus?" in page.text
    assert 'aria-describedby="h-ai_use"' in page.text and "(obligāts)" in page.text
    url = f"/readiness/assessments/{target.id}"
    # A bad number: the page comes back with the message beside the question and the typed values.
    bad = _post(
        client,
        url,
        url,
        {
            **_form_answers({"ai_use": "active", "e_services_share": "daudz"}),
            "revision": "0",
            "action": "save",
        },
    )
    assert bad.status_code == 422  # type: ignore[attr-defined]
    html = bad.text  # type: ignore[attr-defined]
    assert 'id="e-e_services_share">Ievadiet skaitli.' in html and 'value="daudz"' in html
    assert re.search(r'value="active"\s+checked', html)
    # Saving a draft.
    saved = _post(
        client,
        url,
        url,
        {
            **_form_answers({"ai_use": "active", "obstacles": ["finance", "legal"]}),
            "revision": "0",
            "action": "save",
        },
    )
    assert saved.status_code == 303  # type: ignore[attr-defined]
    assert "Melnraksts saglabāts." in client.get(url).text
    # Submitting without the required answers keeps the draft and lists what is missing.
    missing = _post(
        client,
        url,
        url,
        {
            **_form_answers({"ai_use": "active", "ai_in_policy": "yes"}),
            "revision": "1",
            "action": "submit",
        },
    )
    assert missing.status_code == 422 and "Šis jautājums ir obligāts." in missing.text  # type: ignore[attr-defined]
    session.expire_all()
    assert answers_service.answer_values(target)["ai_in_policy"] == "yes"
    done = _post(
        client,
        url,
        url,
        {
            **_form_answers({**COMPLETE, "obstacles": ["finance"]}),
            "revision": str(target.revision),
            "action": "submit",
        },
    )
    assert (
        done.status_code == 303
        and done.headers["location"] == f"/readiness/assessments/{target.id}/results"
    )  # type: ignore[attr-defined]
    session.expire_all()
    assert target.status is AssessmentStatus.SUBMITTED
    # Once submitted, the page shows the answers instead of a form.
    view = client.get(url).text
    assert "Saglabāt melnrakstu" not in view and "Finanšu trūkums" in view


def test_a_concurrent_save_is_refused_without_losing_the_typed_answers(
    client: TestClient,
    make_user: MakeUser,
    login: Login,
    make_round: MakeRound,
    session: Session,
    system,
) -> None:  # type: ignore[no-untyped-def]
    target = assessment_of(make_round("VZD"), "VZD")
    answers_service.save_answers(
        session=session, actor=system, assessment_id=target.id, answers={"ai_use": "planned"}
    )
    session.commit()
    make_user("janis", (Role.STEWARD, "VZD"))
    login("janis")
    url = f"/readiness/assessments/{target.id}"
    r = _post(
        client,
        url,
        url,
        {
            **_form_answers({"ai_use": "active", "language_tools": "Tulkotājs"}),
            "revision": "0",
            "action": "save",
        },
    )
    assert r.status_code == 409  # type: ignore[attr-defined]
    assert "Kamēr rediģējāt" in r.text and "Tulkotājs" in r.text  # type: ignore[attr-defined]


def test_results_page_has_an_accessible_radar_with_its_table_and_next_steps(
    client: TestClient,
    make_user: MakeUser,
    login: Login,
    make_round: MakeRound,
    submit: SubmitAs,
    session: Session,
) -> None:
    rnd = make_round("VZD", "PMLP")
    mine = submit(rnd, "VZD", ai_guidelines="no", ai_act_awareness=1, compliance_procedure="no")
    submit(rnd, "PMLP")
    session.commit()
    make_user("janis", (Role.STEWARD, "VZD"))
    login("janis")
    page = client.get(f"/readiness/assessments/{mine.id}/results").text
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page and 'role="img"' in page
    assert (
        f'<title id="radar-{mine.id}-title">' in page
        and f'<desc id="radar-{mine.id}-desc">' in page
    )
    assert "<caption>Vērtējums pa dimensijām (0–100)</caption>" in page
    assert (
        '<th scope="row">Normatīvais regulējums un vadlīnijas <span class="weak">(vāja)</span></th>'
        in page
    )
    assert 'href="/readiness/guidelines"' in page  # a next step linked to the platform
    report = client.get(f"/readiness/assessments/{mine.id}/report")
    assert report.status_code == 200 and "Kā iestāde šobrīd izmanto" in report.text
    pdf = client.get(f"/readiness/assessments/{mine.id}/report.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    other = assessment_of(rnd, "PMLP")
    assert client.get(f"/readiness/assessments/{other.id}/results").status_code == 404


@pytest.mark.parametrize(
    "username, role, org, sees_all",
    [("maris", Role.AUDITOR, "VKONTROLE", True), ("janis", Role.STEWARD, "VZD", False)],
)
def test_national_overview_by_role(
    client: TestClient,
    make_user: MakeUser,
    login: Login,
    make_round: MakeRound,
    submit: SubmitAs,
    session: Session,
    username: str,
    role: Role,
    org: str,
    sees_all: bool,
) -> None:
    rnd = make_round("VZD", "PMLP")
    submit(rnd, "VZD")
    session.commit()
    make_user(username, (role, org))
    login(username)
    page = client.get(f"/readiness/rounds/{rnd.id}/results").text
    assert "Valsts vidējais vērtējums pa dimensijām" in page and 'role="img"' in page
    assert "Valsts kontrole, 2024" in page  # the published share beside ours
    assert ("Pa pārraugošajām ministrijām" in page) is sees_all
    assert ("answers.csv" in page) is sees_all
    csv_response = client.get(f"/readiness/rounds/{rnd.id}/answers.csv")
    assert csv_response.status_code == (200 if sees_all else 403)


def test_an_administrator_opens_a_round_through_the_form(
    client: TestClient,
    make_user: MakeUser,
    login: Login,
    version: QuestionnaireVersion,
    session: Session,
) -> None:
    session.commit()
    make_user("root", (Role.ADMIN, None))
    login("root")
    form_page = client.get("/readiness/rounds/new")
    assert 'name="all_kinds" value="municipality"' in form_page.text
    empty = _post(
        client,
        "/readiness/rounds",
        "/readiness/rounds/new",
        {
            "title_lv": "2027",
            "opens_on": "2027-01-10",
            "deadline": "2027-02-10",
            "version_id": str(version.id),
        },
    )
    assert empty.status_code == 422 and 'value="2027"' in empty.text  # type: ignore[attr-defined]
    created = _post(
        client,
        "/readiness/rounds",
        "/readiness/rounds/new",
        {
            "title_lv": "2027",
            "opens_on": "2027-01-10",
            "deadline": "2027-02-10",
            "version_id": str(version.id),
            "all_kinds": "municipality",
            "institutions": ["VZD"],
        },
    )
    assert created.status_code == 303  # type: ignore[attr-defined]
    round_page = client.get(created.headers["location"]).text  # type: ignore[attr-defined]
    assert "Kārta atvērta 44 iestādēm." in round_page and "Šajā kārtā ir 44 iestādes" in round_page


def test_an_administrator_reopens_an_assessment_and_closes_the_round(
    client: TestClient,
    make_user: MakeUser,
    login: Login,
    make_round: MakeRound,
    submit: SubmitAs,
    session: Session,
) -> None:
    rnd: Round = make_round("VZD")
    target = submit(rnd, "VZD")
    session.commit()
    make_user("root", (Role.ADMIN, None))
    login("root")
    page = f"/readiness/rounds/{rnd.id}"
    r = _post(
        client, f"/readiness/assessments/{target.id}/reopen", page, {"reason": "Precizēt budžetu"}
    )
    assert r.status_code == 303 and "atkal var mainīt" in client.get(page).text  # type: ignore[attr-defined]
    bad_deadline = _post(client, f"{page}/deadline", page, {"deadline": "nav datums"})
    assert bad_deadline.status_code == 422 and 'id="e-deadline"' in bad_deadline.text  # type: ignore[attr-defined]
    closed = _post(client, f"{page}/close", page, {})
    assert closed.status_code == 303 and "rezultāti ir galīgi" in client.get(page).text  # type: ignore[attr-defined]


def test_an_administrator_edits_a_draft_question_and_a_recommendation(
    client: TestClient,
    make_user: MakeUser,
    login: Login,
    version: QuestionnaireVersion,
    session: Session,
) -> None:
    session.commit()
    make_user("root", (Role.ADMIN, None))
    login("root")
    page = f"/readiness/questionnaires/{version.id}"
    draft = _post(client, f"{page}/draft", page, {})
    draft_url = draft.headers["location"]  # type: ignore[attr-defined]
    draft_page = client.get(draft_url).text
    edit_url = re.search(r'href="(/readiness/questions/\d+/edit)"', draft_page).group(1)  # type: ignore[union-attr]
    form = client.get(edit_url).text
    question_id = edit_url.split("/")[3]
    fields = dict(re.findall(r'name="([a-z_0-9]+)" value="([^"]*)"', form))
    fields.update(
        text_lv="Kā iestāde izmanto MI šodien?",
        dimension="digital_maturity",
        kind="single",
        weight="2",
    )
    fields.pop("csrf_token", None)
    saved = _post(client, f"/readiness/questions/{question_id}", edit_url, fields)
    assert saved.status_code == 303  # type: ignore[attr-defined]
    assert "Kā iestāde izmanto MI šodien?" in client.get(draft_url).text
    bad = _post(
        client,
        f"/readiness/questions/{question_id}",
        edit_url,
        {**fields, "kind": "number", "thresholds": "daudz"},
    )
    assert bad.status_code == 422 and "vērtība:punkti" in bad.text  # type: ignore[attr-defined]
    # Recommendations: a javascript: link is refused beside the field.
    recs = client.get("/readiness/recommendations").text
    rec_edit = re.search(r'href="(/readiness/recommendations/\d+/edit)"', recs).group(1)  # type: ignore[union-attr]
    rec_id = rec_edit.split("/")[3]
    refused = _post(
        client,
        f"/readiness/recommendations/{rec_id}",
        rec_edit,
        {
            "dimension_code": "digital_maturity",
            "title_lv": "Jauns",
            "link_url": "javascript:alert(1)",
            "link_label_lv": "x",
            "max_score": "60",
        },
    )
    assert refused.status_code == 422 and "https:// adresi" in refused.text  # type: ignore[attr-defined]
    ok = _post(
        client,
        f"/readiness/recommendations/{rec_id}",
        rec_edit,
        {
            "dimension_code": "digital_maturity",
            "title_lv": "Jauns ieteikums",
            "link_url": "/catalog",
            "link_label_lv": "Katalogs",
            "max_score": "60",
        },
    )
    assert (
        ok.status_code == 303 and "Jauns ieteikums" in client.get("/readiness/recommendations").text
    )  # type: ignore[attr-defined]


def test_pages_switch_to_english(
    client: TestClient,
    make_user: MakeUser,
    login: Login,
    version: QuestionnaireVersion,
    session: Session,
) -> None:
    session.commit()
    make_user("janis", (Role.STEWARD, "VZD"))
    login("janis")
    client.get("/lang/en")
    page = client.get("/readiness").text
    assert '<html lang="en">' in page and "Readiness self-assessment" in page
    guidelines = client.get("/readiness/guidelines").text
    assert "Data that must not be entered" in guidelines


def test_staff_cannot_reach_administration_pages(
    client: TestClient,
    make_user: MakeUser,
    login: Login,
    version: QuestionnaireVersion,
    session: Session,
) -> None:
    session.commit()
    make_user("janis", (Role.STEWARD, "VZD"))
    login("janis")
    assert client.get("/readiness/rounds/new").status_code == 403
    assert client.get("/readiness/recommendations/new").status_code == 403
    r = _post(client, f"/readiness/questionnaires/{version.id}/draft", "/readiness", {})
    assert r.status_code == 403  # type: ignore[attr-defined]
