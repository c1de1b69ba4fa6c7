"""The pages end to end: request, review, sign twice, read, download, verify; refused forms keep
what was typed and say what is wrong, in Latvian."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dati import clock
from dati.catalog.models import Resource
from dati.exchange.agreements.services import requests
from tests.agreements.conftest import MakeAgreement, People, request_data
from tests.conftest import csrf_from

Login = Callable[..., TestClient]


def as_user(client: TestClient, login: Login, username: str) -> TestClient:
    client.cookies.clear()
    return login(username)


def test_request_review_and_sign_through_the_pages(
    client: TestClient, login: Login, session: Session, population: Resource, people: People
) -> None:
    session.commit()
    as_user(client, login, "vsaa-api")
    form_page = client.get(f"/access-requests/new?resource={population.name}")
    assert form_page.status_code == 200 and "first_name" in form_page.text
    today = clock.today()
    sent = client.post(
        "/access-requests/new",
        data={
            "csrf_token": csrf_from(form_page.text),
            "resource": population.name,
            "fields": ["personal_code", "first_name", "municipality"],
            "purpose": "Pabalstu piešķiršana Rīgā",
            "legal_basis": "Likums par sociālajiem pabalstiem",
            "valid_from": today.isoformat(),
            "valid_until": (today + timedelta(days=90)).isoformat(),
            "requests_per_day": "50",
            "rows_per_day": "500",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    detail_url = sent.headers["location"]
    number = detail_url.rsplit("/", 1)[1]
    assert "Gaida izskatīšanu" in client.get(detail_url).text

    as_user(client, login, "pmlp-steward")
    page = client.get(detail_url)
    assert "Apstiprināt" in page.text
    approved = client.post(
        f"{detail_url}/approve",
        data={
            "csrf_token": csrf_from(page.text),
            "fields": ["personal_code", "municipality"],
            "pseudonymised_fields": ["personal_code"],
            "cond_field_0": "municipality",
            "cond_op_0": "eq",
            "cond_values_0": "LV-RIX",
            "valid_from": today.isoformat(),
            "valid_until": (today + timedelta(days=90)).isoformat(),
            "requests_per_day": "50",
            "rows_per_day": "500",
            "retention_days": "30",
            "version_policy": "latest",
            "note": "Tikai Rīga",
        },
        follow_redirects=False,
    )
    assert approved.status_code == 303, approved.text
    agreement_url = approved.headers["location"]
    history = client.get(detail_url).text
    assert "Netika piešķirti lauki: first_name" in history

    for signer in ("pmlp-sign", "vsaa-sign"):
        as_user(client, login, signer)
        page = client.get(agreement_url)
        assert "Parakstīt savas iestādes vārdā" in page.text, signer
        sha = page.text.split('name="document_sha256" value="')[1].split('"')[0]
        signed = client.post(
            f"{agreement_url}/sign",
            data={"csrf_token": csrf_from(page.text), "document_sha256": sha},
            follow_redirects=False,
        )
        assert signed.status_code == 303
    final = client.get(agreement_url).text
    assert "Parakstīta un ir spēkā" in final and "municipality vienāds ar LV-RIX" in final
    english = client.get(agreement_url + "?lang=en").text
    assert "Signed and in force" in english and "municipality equals LV-RIX" in english

    api_base = agreement_url.replace("/agreements/", "/api/v1/agreements/").replace(
        "/v/", "/versions/"
    )
    pdf = client.get(f"{api_base}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    signed_file = client.get(f"{api_base}/signed")
    assert signed_file.status_code == 200
    page = client.get("/agreements/verify")
    result = client.post(
        "/agreements/verify",
        data={"csrf_token": csrf_from(page.text)},
        files={"file": ("a.signed.json", signed_file.content, "application/json")},
    )
    assert "Derīgs: parakstījušas abas puses" in result.text
    tampered = signed_file.content.replace(b'"rows_per_day": ', b'"rows_per_day": 9')
    refused = client.post(
        "/agreements/verify",
        data={"csrf_token": csrf_from(page.text)},
        files={"file": ("a.signed.json", tampered, "application/json")},
    )
    assert "Derīgs" not in refused.text and "SHA-256" in refused.text
    huge = client.post(
        "/agreements/verify",
        data={"csrf_token": csrf_from(page.text)},
        files={"file": ("big.json", b" " * (1024 * 1024 + 1), "application/json")},
    )
    assert huge.status_code == 413 and "1024 kB" in huge.text
    assert client.get(f"/agreements/{number}").status_code in (200, 404)


def test_a_refused_request_form_keeps_the_input_and_names_the_field(
    client: TestClient, login: Login, session: Session, population: Resource, people: People
) -> None:
    session.commit()
    as_user(client, login, "vsaa-api")
    page = client.get(f"/access-requests/new?resource={population.name}")
    today = clock.today()
    refused = client.post(
        "/access-requests/new",
        data={
            "csrf_token": csrf_from(page.text),
            "resource": population.name,
            "fields": ["first_name"],
            "purpose": "Pārāk īss?",
            "legal_basis": "Likums",
            "valid_from": today.isoformat(),
            "valid_until": (today - timedelta(days=1)).isoformat(),
            "requests_per_day": "5",
            "rows_per_day": "5",
        },
    )
    assert refused.status_code == 422
    assert "Beigu datums ir pirms sākuma datuma." in refused.text
    assert 'value="Likums"' in refused.text and "aria-invalid" in refused.text


def test_form_mistakes_are_explained_in_the_page_language(
    client: TestClient, login: Login, session: Session, population: Resource, people: People
) -> None:
    session.commit()
    as_user(client, login, "vsaa-api")
    page = client.get(f"/access-requests/new?resource={population.name}")
    form = {
        "csrf_token": csrf_from(page.text),
        "resource": population.name,
        "purpose": "Īss",
        "legal_basis": "Likums par X",
        "valid_from": "rīt",
        "requests_per_day": "0",
        "rows_per_day": "daudz",
    }
    refused = client.post("/access-requests/new", data=form)
    assert refused.status_code == 422
    for message in (
        "Izvēlieties vismaz 1.",  # no field chosen
        "Rakstzīmju skaits: vismaz 10.",
        "Ievadiet datumu formātā GGGG-MM-DD.",
        "Ne mazāk kā 1.",
        "Ievadiet veselu skaitli.",
    ):
        assert message in refused.text, message
    assert "should have" not in refused.text and 'value="Likums par X"' in refused.text
    english = client.post("/access-requests/new", data=form, cookies={"dati_lang": "en"})
    assert "At least 10 characters." in english.text


def test_bad_review_values_are_shown_beside_the_condition(
    client: TestClient,
    login: Login,
    session: Session,
    make_agreement: MakeAgreement,
    people: People,
) -> None:
    pending = requests.submit_request(
        session=session,
        actor=people.recipient,
        data=request_data(session.get(Resource, make_agreement(signed_by="none").resource_id)),
        secret="test-secret-key-0123456789",
    )
    session.commit()
    as_user(client, login, "pmlp-steward")
    page = client.get(f"/access-requests/{pending.number}")
    refused = client.post(
        f"/access-requests/{pending.number}/approve",
        data={
            "csrf_token": csrf_from(page.text),
            "fields": ["children"],
            "cond_field_0": "children",
            "cond_op_0": "gt",
            "cond_values_0": "daudz",
        },
    )
    assert refused.status_code == 422 and 'value="daudz"' in refused.text
    assert "nav derīga" in refused.text


def test_outsiders_get_404_and_anonymous_users_the_login(
    client: TestClient,
    login: Login,
    session: Session,
    make_agreement: MakeAgreement,
    people: People,
) -> None:
    agreement = make_agreement()
    session.commit()
    url = f"/agreements/{agreement.number}/v/{agreement.version}"
    assert client.get(url, follow_redirects=False).headers["location"].startswith("/login")
    as_user(client, login, "vzd-steward")
    assert client.get(url).status_code == 404
    assert client.get(f"/api/v1/agreements/{agreement.number}").status_code == 404
    as_user(client, login, "auditor-x")
    assert client.get(url).status_code == 200
