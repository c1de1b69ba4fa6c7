"""The web shell over HTTP: login, logout, CSRF, token scope, role menus, language, errors."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from dati.auth.actor import Role
from tests.conftest import TEST_PASSWORD, MakeUser, csrf_from


def test_home_page_is_latvian_by_default(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert '<html lang="lv">' in r.text
    assert "Pieteikties" in r.text


def test_language_switch_to_english_and_back(client: TestClient) -> None:
    r = client.get("/lang/en?next=/organisations", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/organisations"
    page = client.get("/organisations")
    assert '<html lang="en">' in page.text and "Organisations" in page.text
    client.get("/lang/lv")
    assert '<html lang="lv">' in client.get("/").text


def test_language_switch_is_not_an_open_redirect(client: TestClient) -> None:
    r = client.get("/lang/en?next=//evil.example/", follow_redirects=False)
    assert r.headers["location"] == "/"


def test_healthz(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200 and r.text == "ok"


def test_login_and_logout_through_forms(
    client: TestClient, make_user: MakeUser, login: Callable[[str], TestClient]
) -> None:
    make_user("anna", (Role.STEWARD, "VZD"))
    login("anna")
    me = client.get("/api/v1/me", headers={"accept": "application/json"})
    assert me.status_code == 200 and me.json()["name"] == "Anna"
    token = csrf_from(client.get("/").text)
    r = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/api/v1/me").status_code == 401


def test_wrong_password_rerenders_the_form_with_a_message(
    client: TestClient, make_user: MakeUser
) -> None:
    make_user("anna")
    token = csrf_from(client.get("/login").text)
    r = client.post(
        "/login", data={"username": "anna", "password": "wrong-password", "csrf_token": token}
    )
    assert r.status_code == 401
    assert "Nepareizs lietotājvārds vai parole" in r.text
    assert 'value="anna"' in r.text  # what the user typed is kept


def test_failed_logins_are_counted_even_though_the_request_fails(
    client: TestClient, make_user: MakeUser
) -> None:
    make_user("anna")
    for _ in range(5):
        token = csrf_from(client.get("/login").text)
        client.post(
            "/login", data={"username": "anna", "password": "wrong-password", "csrf_token": token}
        )
    token = csrf_from(client.get("/login").text)
    r = client.post(
        "/login", data={"username": "anna", "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert r.status_code == 429


def test_form_post_without_csrf_token_is_rejected(client: TestClient, make_user: MakeUser) -> None:
    make_user("anna")
    client.get("/login")
    r = client.post(
        "/login", data={"username": "anna", "password": TEST_PASSWORD}, follow_redirects=False
    )
    assert r.status_code == 403
    assert "Veidlapa" in r.text
    r = client.post(
        "/login",
        data={"username": "anna", "password": TEST_PASSWORD, "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert r.status_code == 403


def test_cookie_session_api_write_needs_csrf_header(
    client: TestClient, make_user: MakeUser, login: Callable[[str], TestClient]
) -> None:
    make_user("anna", (Role.STEWARD, "VZD"))
    login("anna")
    body = {"name": "x", "role": "steward", "org": "VZD"}
    assert client.post("/api/v1/tokens", json=body).status_code == 403
    token = csrf_from(client.get("/").text)
    assert (
        client.post("/api/v1/tokens", json=body, headers={"x-csrf-token": token}).status_code == 201
    )


def test_token_is_shown_once_and_works_with_its_scope(
    client: TestClient, make_user: MakeUser, login: Callable[[str], TestClient]
) -> None:
    make_user("anna", (Role.STEWARD, "VZD"))
    login("anna")
    page = client.get("/account")
    r = client.post(
        "/account/tokens",
        data={
            "name": "etl",
            "grant": "steward@VZD",
            "expires_days": "30",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert r.status_code == 200
    secret = r.text.split('data-testid="new-token">')[1].split("<")[0]
    assert secret.startswith("dati_")
    assert secret not in client.get("/account").text
    anonymous = TestClient(client.app)
    me = anonymous.get("/api/v1/me", headers={"authorization": f"Bearer {secret}"})
    assert me.status_code == 200
    assert me.json()["grants"] == [
        {"role": "steward", "org_id": me.json()["grants"][0]["org_id"], "org_short_name": "VZD"}
    ]


def test_bad_token_is_a_401_problem(client: TestClient) -> None:
    r = client.get("/api/v1/me", headers={"authorization": "Bearer dati_nonsense"})
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["type"].endswith("/not-authenticated")


def test_role_denial_is_a_403_problem(
    client: TestClient, make_user: MakeUser, login: Callable[[str], TestClient]
) -> None:
    make_user("anna", (Role.STEWARD, "VZD"))
    login("anna")
    r = client.get("/api/v1/users")
    assert r.status_code == 403
    body = r.json()
    assert body["status"] == 403 and body["permission"] == "auth.user.manage"
    assert client.get("/admin/users").status_code == 403


def test_anonymous_html_page_needing_login_redirects_to_login(client: TestClient) -> None:
    r = client.get("/account", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/account")


@pytest.mark.parametrize(
    ("grants", "visible", "hidden"),
    [
        ((), ["Organizācijas"], ["Lietotāji"]),
        (((Role.ADMIN, None),), ["Organizācijas", "Lietotāji"], []),
        (((Role.STEWARD, "VZD"),), ["Organizācijas"], ["Lietotāji"]),
    ],
)
def test_menu_depends_on_role(
    client: TestClient,
    make_user: MakeUser,
    login: Callable[[str], TestClient],
    grants: tuple,
    visible: list[str],
    hidden: list[str],
) -> None:  # type: ignore[type-arg]
    if grants:
        make_user("anna", *grants)
        login("anna")
    nav = client.get("/").text.split('class="main-nav"')[1].split("</nav>")[0]
    for label in visible:
        assert label in nav
    for label in hidden:
        assert label not in nav


def test_metrics_need_auditor_or_admin(
    client: TestClient, make_user: MakeUser, login: Callable[[str], TestClient]
) -> None:
    assert client.get("/metrics").status_code == 401
    make_user("audit", (Role.AUDITOR, "VKONTROLE"))
    login("audit")
    r = client.get("/metrics")
    assert r.status_code == 200 and "dati_http_requests_total" in r.text


def test_request_id_is_returned(client: TestClient) -> None:
    r = client.get("/healthz", headers={"x-request-id": "abcdef123456"})
    assert r.headers["x-request-id"] == "abcdef123456"


def test_openapi_is_served(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    assert "/api/v1/organisations" in spec["paths"]
    assert client.get("/api/docs").status_code == 200


def test_session_cookie_is_httponly_and_samesite(client: TestClient) -> None:
    r = client.get("/login")
    cookie = r.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()


def test_metrics_label_requests_by_full_route_template(
    client: TestClient, make_user: MakeUser, login: Callable[[str], TestClient]
) -> None:
    client.get("/api/v1/organisations/VZD")
    make_user("audit", (Role.AUDITOR, "VKONTROLE"))
    login("audit")
    text = client.get("/metrics").text
    assert 'route="/api/v1/organisations/{short_name}"' in text
