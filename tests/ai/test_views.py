"""The pages: public register, the questionnaire without JavaScript, the officer's register."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from fastapi.testclient import TestClient

from dati import clock
from dati.ai.factories import answers_with
from dati.ai.questionnaire import params_of
from dati.auth.actor import Actor
from tests.ai.conftest import NewSystem
from tests.conftest import csrf_from

Login = Callable[[str], TestClient]


def test_anonymous_visitors_land_on_the_public_register(
    client: TestClient, new_system: NewSystem
) -> None:
    new_system(yes=["interacts_with_people"])
    new_system(name_lv="Nepublicēta", publish=False, publish_exemption="Drošība", yes=[])
    assert client.get("/ai", follow_redirects=False).headers["location"] == "/ai/register"
    page = client.get("/ai/register")
    assert page.status_code == 200 and "MI pārredzamības reģistrs" in page.text
    assert "Tērzēšanas robots" in page.text and "Nepublicēta" not in page.text
    assert "Ierobežots risks (pārredzamība)" in page.text
    assert 'href="/api/v1/ai/register.csv"' in page.text
    assert (
        client.get("/ai/systems", follow_redirects=False).headers["location"].startswith("/login")
    )


def test_public_entry_page(client: TestClient, new_system: NewSystem) -> None:
    created = new_system(yes=["interacts_with_people"])
    page = client.get(f"/ai/register/{created.id}")
    assert "Cilvēka virsuzraudzība" in page.text and "Art. 50(1)" in page.text
    assert client.get("/ai/register/999999").status_code == 404


def test_the_questionnaire_works_step_by_step_without_javascript(client: TestClient) -> None:
    first = client.get("/ai/classify")
    assert first.status_code == 200
    assert "<legend>Vai tā ir mašīnbāzēta sistēma" in first.text
    assert 'type="radio" name="machine_based" value="yes"' in first.text
    second = client.get(
        "/ai/classify",
        params={
            "started": "1",
            "step": "1",
            "machine_based": "yes",
            "infers_outputs": "yes",
            "autonomy": "yes",
        },
    )
    # earlier answers travel on as hidden fields
    assert 'type="hidden" name="machine_based" value="yes"' in second.text
    assert "Vai uz to attiecas MI akts?" in second.text


def test_the_result_page_explains_itself(client: TestClient) -> None:
    answers = answers_with(["area_essential_services", "public_benefits"])
    del answers["profiling"]
    page = client.get(
        "/ai/classify", params=[("started", "1"), ("step", "99"), *params_of(answers)]
    )
    assert page.status_code == 200
    assert "Augsta riska" in page.text and "provizorisks" in page.text
    assert "Trūkstošās atbildes" in page.text and "#q-profiling" in page.text
    assert '<blockquote class="law" lang="en">' in page.text and "Annex III 5(a)" in page.text
    assert "Ietekmes uz pamattiesībām novērtējums" in page.text  # FRIA for a deployer by default
    provider_only = client.get(
        "/ai/classify",
        params=[("started", "1"), ("step", "99"), ("role", "provider"), *params_of(answers)],
    )
    assert "Ietekmes uz pamattiesībām novērtējums" not in provider_only.text
    download = client.get("/ai/classify/answers.json", params=params_of(answers))
    assert (
        download.json()["answers"]["public_benefits"] is True
        and "profiling" not in download.json()["answers"]
    )


def test_format_page_lists_every_question(client: TestClient) -> None:
    page = client.get("/ai/classify/format")
    assert "<code>gpai_systemic</code>" in page.text and "<code>manipulation</code>" in page.text


def test_an_officer_registers_classifies_and_keeps_evidence(
    client: TestClient, officer: Actor, login: Login, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clock, "today", lambda: date(2026, 11, 22))
    login("dace")
    form = client.get("/ai/systems/new")
    assert form.status_code == 200 and "Reģistrēt MI sistēmu" in form.text
    token = csrf_from(form.text)
    refused = client.post(
        "/ai/systems/new",
        data={
            "csrf_token": token,
            "org": "VID",
            "name_lv": "",
            "purpose_lv": "x",
            "technique": "other",
            "role": "deployer",
            "lifecycle": "production",
            "sourcing": "vendor",
            "vendor": "",
            "publish": "on",
        },
    )
    assert refused.status_code == 422
    assert 'id="e-vendor"' in refused.text or 'id="e-name_lv"' in refused.text
    created = client.post(
        "/ai/systems/new",
        data={
            "csrf_token": token,
            "org": "VID",
            "name_lv": "Klientu robots",
            "purpose_lv": "Atbild klientiem.",
            "technique": "generative",
            "role": "both",
            "lifecycle": "production",
            "sourcing": "in_house",
            "in_service_since": "2026-09-01",
            "build_cost_eur": "12000",
            "publish": "on",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303 and created.headers["location"].endswith("/classify")
    system_id = int(re.search(r"/ai/systems/(\d+)/", created.headers["location"]).group(1))  # type: ignore[union-attr]
    result = client.get(
        created.headers["location"],
        params=[
            ("started", "1"),
            ("step", "99"),
            *params_of(answers_with(["interacts_with_people"])),
        ],
    )
    assert "Saglabāt šo klasifikāciju" in result.text
    hidden = re.findall(r'<input type="hidden" name="([a-z0-9_]+)" value="([^"]*)">', result.text)
    saved = client.post(
        f"/ai/systems/{system_id}/classify", data=dict(hidden), follow_redirects=False
    )
    assert saved.status_code == 303
    page = client.get(f"/ai/systems/{system_id}")
    assert (
        "Ierobežots risks (pārredzamība)" in page.text and "Informēt par saziņu ar MI" in page.text
    )
    assert "Nokavēts kopš 2025-02-02" in page.text
    obligation = int(re.search(r'action="/ai/obligations/(\d+)"', page.text).group(1))  # type: ignore[union-attr]
    token = csrf_from(page.text)
    done_without_evidence = client.post(
        f"/ai/obligations/{obligation}",
        data={"csrf_token": token, "system_id": system_id, "status": "done", "note": ""},
    )
    assert (
        done_without_evidence.status_code == 422
        and "Vispirms nepieciešams pierādījums" in done_without_evidence.text
    )
    upload = client.post(
        f"/ai/obligations/{obligation}/evidence",
        data={"csrf_token": token, "system_id": system_id, "title": "Plāns"},
        files={"file": ("plans.md", b"# Plans\n", "text/markdown")},
        follow_redirects=False,
    )
    assert upload.status_code == 303
    done = client.post(
        f"/ai/obligations/{obligation}",
        data={
            "csrf_token": token,
            "system_id": system_id,
            "status": "done",
            "note": "Apmācīti visi",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    page = client.get(f"/ai/systems/{system_id}")
    evidence = int(re.search(r'href="/ai/evidence/(\d+)"', page.text).group(1))  # type: ignore[union-attr]
    assert client.get(f"/ai/evidence/{evidence}").content == b"# Plans\n"
    assert "Apmācīti visi" in page.text and "Izmaiņu vēsture" in page.text
    bad_link = client.post(
        f"/ai/obligations/{obligation}/evidence",
        data={"csrf_token": token, "system_id": system_id, "title": "x", "url": "nav-saite"},
    )
    assert bad_link.status_code == 422
    board = client.get("/ai/obligations")
    assert board.status_code == 200 and "Klientu robots" in board.text and "<caption>" in board.text


def test_edit_form_keeps_values_and_records_changes(
    client: TestClient, officer: Actor, login: Login, new_system: NewSystem
) -> None:
    created = new_system(yes=[])
    login("dace")
    form = client.get(f"/ai/systems/{created.id}/edit")
    assert 'value="Tērzēšanas robots"' in form.text
    token = csrf_from(form.text)
    data = {
        "csrf_token": token,
        "name_lv": "Tērzēšanas robots",
        "purpose_lv": "Jauns mērķis.",
        "technique": "generative",
        "role": "both",
        "lifecycle": "production",
        "sourcing": "in_house",
        "publish": "",
    }
    refused = client.post(f"/ai/systems/{created.id}/edit", data=data)
    assert (
        refused.status_code == 422 and "Norādiet, kāpēc sistēma netiek publicēta." in refused.text
    )
    saved = client.post(
        f"/ai/systems/{created.id}/edit", data={**data, "publish": "on"}, follow_redirects=False
    )
    assert saved.status_code == 303
    assert "Jauns mērķis." in client.get(f"/ai/systems/{created.id}").text


def test_overview_page_has_an_accessible_chart_and_the_survey_shares(
    client: TestClient, auditor: Actor, login: Login, new_system: NewSystem
) -> None:
    new_system(yes=["interacts_with_people"])
    login("maris")
    page = client.get("/ai/overview")
    assert page.status_code == 200
    assert '<svg role="img"' in page.text and "<title id=" in page.text and "<desc id=" in page.text
    assert "aktīvi izmanto MI risinājumus" in page.text and "17 %" in page.text
    assert '<th scope="col"' in page.text


def test_other_institutions_get_404_and_stewards_no_register(
    client: TestClient, other_officer: Actor, steward: Actor, login: Login, new_system: NewSystem
) -> None:
    created = new_system(yes=[])
    login("ilze")
    assert client.get(f"/ai/systems/{created.id}").status_code == 404
    assert client.get(f"/ai/systems/{created.id}/classify").status_code == 404


def test_menu_shows_ai_entries_by_role(client: TestClient, officer: Actor, login: Login) -> None:
    anonymous = client.get("/").text
    assert 'href="/ai/register"' in anonymous and 'href="/ai/systems"' not in anonymous
    login("dace")
    page = client.get("/").text
    assert 'href="/ai/systems"' in page and 'href="/ai/classify"' in page


def test_linking_a_dataset_from_the_system_page(
    client: TestClient,
    officer: Actor,
    login: Login,
    new_system: NewSystem,
    make_resource: Callable[..., object],
) -> None:
    created = new_system(yes=[])
    resource = make_resource()
    login("dace")
    page = client.get(f"/ai/systems/{created.id}")
    token = csrf_from(page.text)
    unknown = client.post(
        f"/ai/systems/{created.id}/datasets",
        data={"csrf_token": token, "resource": "nav-tada", "usage": "input"},
    )
    assert unknown.status_code == 422 and "Nezināms kataloga resurss." in unknown.text
    linked = client.post(
        f"/ai/systems/{created.id}/datasets",
        data={"csrf_token": token, "resource": resource.name, "usage": "training"},  # type: ignore[attr-defined]
        follow_redirects=False,
    )
    assert linked.status_code == 303
    page = client.get(f"/ai/systems/{created.id}")
    assert "Nodokļu maksātāju reģistrs" in page.text and "Apmācības dati" in page.text
    lineage_page = client.get(f"/ai/datasets/{resource.name}")  # type: ignore[attr-defined]
    assert (
        "MI sistēmas, kas izmanto šo datu kopu" in lineage_page.text
        and "Tērzēšanas robots" in lineage_page.text
    )


def test_catalogue_resource_page_lists_the_ai_systems_using_it(client, session, system) -> None:  # type: ignore[no-untyped-def]
    from dati.ai import factories as ai_factories
    from dati.ai.services import lineage
    from dati.auth import factories as auth_factories
    from dati.catalog import factories as catalog_factories
    from dati.catalog.models import Resource

    auth_factories.load_demo(session, system)
    catalog_factories.load_demo(session, system)
    ai_factories.load_demo(session, system, client.app.state.settings.data_dir)
    session.commit()
    linked = next(
        r
        for r in session.query(Resource).all()
        if lineage.systems_using_resource(session=session, actor=system, resource_id=r.id)
    )
    page = client.get(f"/catalog/{linked.name}")
    assert page.status_code == 200
    assert 'id="h-ai-systems"' in page.text
