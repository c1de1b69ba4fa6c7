"""The pages: public dashboard, indicator detail with value entry, champion, report, import."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dati import clock
from dati.auth.actor import Actor, Role
from dati.monitoring import service
from dati.monitoring.models import ActualValue
from dati.monitoring.schemas import LoadResult
from tests.conftest import MakeUser, csrf_from
from tests.monitoring.conftest import PAST_YEAR, value

Login = Callable[[str], TestClient]


def _count(session: Session) -> int:
    return session.scalar(select(func.count(ActualValue.id))) or 0


def test_dashboard_is_public_latvian_and_accessible(
    client: TestClient, indicators: LoadResult
) -> None:
    page = client.get("/monitoring?year=2026")
    assert page.status_code == 200
    text = page.text
    assert '<a href="/monitoring"' in text  # the menu entry, for everyone
    assert "Uzraudzība: valsts mērķi un rādītāji" in text and "Dati sabiedrībai" in text
    assert "vēl nav mērīts" in text and "Atbilst plānam" in text
    assert 'role="img"' in text and "<title id=" in text and "<desc id=" in text
    assert text.count("<caption>") >= 10 and 'scope="col"' in text
    assert "Kā nosaka statusu." in text  # the rule is on the page
    assert "Atjaunināt aprēķinātos rādītājus" not in text  # the refresh button is for admins


def test_dashboard_in_english(client: TestClient, indicators: LoadResult) -> None:
    page = client.get("/monitoring?year=2026&lang=en")
    assert (
        "Monitoring: national targets and indicators" in page.text
        and "not yet measured" in page.text
    )


def test_empty_instance_explains_what_to_do(client: TestClient) -> None:
    assert "dati monitoring refresh" in client.get("/monitoring").text


def test_indicator_page_shows_chart_table_printed_values_and_notes(
    client: TestClient, indicators: LoadResult
) -> None:
    page = client.get("/monitoring/indicators/5g_coverage?year=2026").text
    assert "53,15 %" in page and "MISPRINT KEPT AS PRINTED" in page
    assert 'aria-labelledby="chart-5g_coverage-title chart-5g_coverage-desc"' in page
    assert "Trajektorija un faktiskās vērtības: 5G pārklājums" in page  # the table beside the chart
    skills = client.get("/monitoring/indicators/basic_digital_skills").text
    assert "Vismaz 70%" in skills
    assert "Faktiskās vērtības ievada atbildīgās iestādes (IZM) datu pārvaldnieks" in skills
    assert client.get("/monitoring/indicators/nope").status_code == 404


def test_steward_records_a_value_through_the_form(
    client: TestClient, login: Login, make_user: MakeUser, session: Session, indicators: LoadResult
) -> None:
    make_user("izm-steward", (Role.STEWARD, "IZM"))
    login("izm-steward")
    page = client.get("/monitoring/indicators/basic_digital_skills")
    assert 'action="/monitoring/indicators/basic_digital_skills/values"' in page.text
    ids = re.findall(r'\sid="([^"]+)"', page.text)
    assert len(ids) == len(set(ids)), "duplicate ids break label associations"
    form = {
        "csrf_token": csrf_from(page.text),
        "year": str(PAST_YEAR),
        "value": "61,5",
        "measured_on": f"{PAST_YEAR}-12-31",
        "source": "Eurostat",
        "comment": "DESI 2026",
    }
    r = client.post(
        "/monitoring/indicators/basic_digital_skills/values", data=form, follow_redirects=False
    )
    assert r.status_code == 303
    after = client.get(r.headers["location"]).text
    assert (
        "Vērtība par 2025. gadu ievadīta." in after and "61,5 %" in after and "Izm-Steward" in after
    )


def test_a_wrong_form_keeps_the_input_and_saves_nothing(
    client: TestClient, login: Login, make_user: MakeUser, session: Session, indicators: LoadResult
) -> None:
    make_user("izm-steward", (Role.STEWARD, "IZM"))
    login("izm-steward")
    token = csrf_from(client.get("/monitoring/indicators/basic_digital_skills").text)
    form = {
        "csrf_token": token,
        "year": str(PAST_YEAR),
        "value": "sešdesmit",
        "measured_on": "",
        "source": "Eurostat",
    }
    r = client.post("/monitoring/indicators/basic_digital_skills/values", data=form)
    assert r.status_code == 422
    assert "Ievadiet skaitli, piemēram, 93,9." in r.text and 'aria-invalid="true"' in r.text
    assert 'value="sešdesmit"' in r.text and "Ievadiet datumu formātā GGGG-MM-DD." in r.text
    too_big = dict(form, value="140", measured_on=f"{PAST_YEAR}-12-31")
    r = client.post("/monitoring/indicators/basic_digital_skills/values", data=too_big)
    assert r.status_code == 422 and "nevar pārsniegt 100" in r.text
    assert _count(session) == 0


def test_another_institutions_steward_sees_no_form_and_is_refused(
    client: TestClient, login: Login, make_user: MakeUser, session: Session, indicators: LoadResult
) -> None:
    make_user("em-steward", (Role.STEWARD, "EM"))
    login("em-steward")
    page = client.get("/monitoring/indicators/basic_digital_skills").text
    assert '/values"' not in page
    form = {
        "csrf_token": csrf_from(page),
        "year": "2025",
        "value": "1",
        "measured_on": "2025-12-31",
        "source": "x",
    }
    assert (
        client.post("/monitoring/indicators/basic_digital_skills/values", data=form).status_code
        == 403
    )
    assert _count(session) == 0


def test_admin_refreshes_from_the_dashboard(
    client: TestClient, login: Login, make_user: MakeUser, indicators: LoadResult
) -> None:
    make_user("root-admin", (Role.ADMIN, None))
    login("root-admin")
    page = client.get("/monitoring").text
    assert "Platforma savus rādītājus vēl nav aprēķinājusi." in page
    r = client.post(
        "/monitoring/refresh", data={"csrf_token": csrf_from(page)}, follow_redirects=True
    )
    assert (
        r.status_code == 200
        and "Atjaunināts: izmērīti" in r.text
        and "aprēķināmie rādītāji" in r.text
    )
    today = clock.now().strftime("%d.%m.%Y")
    assert f"Platforma savus rādītājus pēdējo reizi aprēķināja {today}" in r.text


def test_champion_pages(
    client: TestClient, session: Session, system: Actor, make_user: MakeUser, indicators: LoadResult
) -> None:
    make_user("vzd-steward", (Role.STEWARD, "VZD"))
    service.refresh(session=session, actor=system)
    session.commit()
    page = client.get("/monitoring/champion").text
    assert "Datu čempions" in page and "Nosauktas datu pārvaldības lomas" in page
    assert page.count("Vēl nav mērīts: platformā šo datu vēl nav.") == 2
    assert "Valsts zemes dienests" in page and "Katrā kategorijā iestādes sarindo" in page
    drill = client.get("/monitoring/champion/VZD").text
    assert (
        "Kopvērtējumā: 1. vieta no 1, 33,3 punkti." in drill and drill.count("vēl nav mērīts") == 2
    )


def test_report_html_and_pdf_in_both_languages(
    client: TestClient, session: Session, system: Actor, indicators: LoadResult
) -> None:
    service.record_actual(session=session, actor=system, code="cloud", data=value(PAST_YEAR, 40.0))
    session.commit()
    html = client.get(f"/monitoring/report?year={PAST_YEAR}").text
    assert "Datu pārvaldības progresa ziņojums par 2025. gadu" in html
    sections = re.findall(r'<h2 id="section-(\w+)"', html)
    assert sections[:5] == ["RV1", "RV2", "RV3", "RV4", "RV5"] and "PLATFORM" in sections
    assert html.count('role="img"') >= 30
    pdf = client.get(f"/monitoring/report.pdf?year={PAST_YEAR}")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and b"/Lang (lv)" in pdf.content
    english = client.get(f"/monitoring/report.pdf?year={PAST_YEAR}&lang=en").content
    assert b"/Lang (en)" in english and b"/Title (Data governance progress report 2025)" in english
    assert (
        "Data governance progress report 2025"
        in client.get(f"/monitoring/report?year={PAST_YEAR}&lang=en").text
    )


def test_import_page_lists_row_errors(
    client: TestClient, login: Login, make_user: MakeUser, session: Session, indicators: LoadResult
) -> None:
    assert (
        client.get("/monitoring/import", follow_redirects=False).status_code == 303
    )  # to the login
    make_user("auditor-x", (Role.AUDITOR, "VKONTROLE"))
    login("auditor-x")
    assert 'href="/monitoring/import"' not in client.get("/monitoring").text  # it would refuse
    make_user("em-steward", (Role.STEWARD, "EM"))
    login("em-steward")
    assert 'href="/monitoring/import"' in client.get("/monitoring").text
    page = client.get("/monitoring/import").text
    assert "<code>cloud</code>" in page and "<code>basic_digital_skills</code>" not in page
    bad = "indicator_code,year,value,measured_on,source\ncloud,2025,40,2025-12-31,x\nai,2025,nav,2025-12-31,x\n"
    r = client.post(
        "/monitoring/import",
        data={"csrf_token": csrf_from(page)},
        files={"file": ("v.csv", bad.encode(), "text/csv")},
    )
    assert r.status_code == 422 and "<strong>3. rinda</strong>: Ievadiet skaitli" in r.text
    assert "nekas netika importēts" in r.text
    assert _count(session) == 0
    good = bad.splitlines()[0] + "\n" + bad.splitlines()[1] + "\n"
    r = client.post(
        "/monitoring/import",
        data={"csrf_token": csrf_from(page)},
        files={"file": ("v.csv", good.encode(), "text/csv")},
    )
    assert r.status_code == 200 and "Importētas vērtības: 1." in r.text


def test_a_file_in_another_encoding_is_refused_beside_the_file_field(
    client: TestClient, login: Login, make_user: MakeUser, session: Session, indicators: LoadResult
) -> None:
    make_user("em-steward", (Role.STEWARD, "EM"))
    login("em-steward")
    page = client.get("/monitoring/import").text
    windows = "indicator_code,year,value,measured_on,source\ncloud,2025,40,2025-12-31,Centrālā statistikas pārvalde\n"
    r = client.post(
        "/monitoring/import",
        data={"csrf_token": csrf_from(page)},
        files={"file": ("v.csv", windows.encode("cp1257"), "text/csv")},
    )
    assert r.status_code == 422
    assert re.search(r'<p class="field-error" id="e-file">[^<]*UTF-8', r.text)
    assert 'aria-invalid="true"' in r.text and "<strong>file</strong>" not in r.text
    assert _count(session) == 0
