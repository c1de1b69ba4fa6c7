"""Smoke test in a real browser (Debian's chromium driven by Playwright): log in, see the
role's menu, switch the language."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from dati.auth import factories as auth_factories
from dati.auth.actor import Actor
from dati.config import Settings
from dati.db import migrate
from dati.db.database import Database
from dati.orgs import factories as orgs_factories
from dati.web.app import create_app
from tests.conftest import fresh_database_url

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists() or not shutil.which("chromium"):
    if os.environ.get("DATI_REQUIRE_BROWSER"):
        raise RuntimeError("DATI_REQUIRE_BROWSER is set but /usr/bin/chromium is missing")
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("browser")
    url = fresh_database_url(tmp, "browser")
    migrate.upgrade(url)
    database = Database(url)
    with database.session() as session:
        orgs_factories.load_demo(session, Actor.system("tests"))
        auth_factories.load_demo(session, Actor.system("tests"))
    settings = Settings(
        data_dir=tmp, secret_key="browser-test-secret-0123456789", log_level="warning"
    )
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, database), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    database.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield b
        b.close()


def test_login_menu_and_language_switch(live_server: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    page.goto(live_server + "/")
    assert page.locator("html").get_attribute("lang") == "lv"
    page.get_by_role("link", name="Pieteikties").click()
    page.get_by_label("Lietotājvārds").fill("admin")
    page.get_by_label("Parole").fill(auth_factories.DEMO_PASSWORD)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_load_state()
    menu = page.get_by_role("navigation", name="Galvenā izvēlne")
    assert menu.get_by_role("link", name="Lietotāji").is_visible()
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert (
        page.get_by_role("navigation", name="Main menu")
        .get_by_role("link", name="Users")
        .is_visible()
    )
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Log in").is_visible()
    page.close()


def test_wrong_password_message_is_announced(live_server: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    page.goto(live_server + "/login")
    page.get_by_label("Lietotājvārds").fill("admin")
    page.get_by_label("Parole").fill("wrong-password")
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").inner_text().startswith("Nepareizs")
    page.close()
