"""Audit pages and API: the log with filters, CSV, the integrity check, access times, and the
citizen view reached through the demo citizen login."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from dati import clock
from dati.audit import metrics
from dati.audit.models import AuditEntry
from dati.auth.actor import Role
from dati.orgs import service as orgs_service
from tests.audit.conftest import Append
from tests.conftest import MakeUser, csrf_from

Login = Callable[..., TestClient]


def _seed(session: Session, append: Append) -> None:
    vsaa = orgs_service.find_by_short_name(session, "VSAA")
    pmlp = orgs_service.find_by_short_name(session, "PMLP")
    assert vsaa and pmlp
    append(3, subjects=("150385-11116",), actor_org_id=vsaa.id, provider_org_id=pmlp.id)
    metrics.observe(
        session, resource="population", recipient_org_id=vsaa.id, recipient_name="VSAA",
        provider_org_id=pmlp.id, outcome="ok", duration_us=4_000, at=clock.now(),
    )  # fmt: skip
    session.commit()


def test_auditor_reads_filters_and_downloads_the_log(
    client: TestClient, login: Login, make_user: MakeUser, session: Session, append: Append
) -> None:
    _seed(session, append)
    make_user("auditor1", (Role.AUDITOR, "VKONTROLE"))
    login("auditor1")
    page = client.get("/audit/log?org=VSAA")
    assert (
        page.status_code == 200 and "population" in page.text and "Auditācijas žurnāls" in page.text
    )
    assert 'href="/audit/log" aria-current="page"' in page.text or "/audit/log" in page.text
    bad = client.get("/audit/log?org=NOPE")
    assert bad.status_code == 422 and "Nezināma organizācija" in bad.text
    csv_response = client.get("/audit/log.csv?org=VSAA")
    assert csv_response.status_code == 200 and csv_response.headers["content-type"].startswith(
        "text/csv"
    )
    assert csv_response.text.count("data.read") == 3
    api = client.get("/api/v1/audit/entries", params={"person": "150385-11116"})
    assert api.status_code == 200 and len(api.json()["entries"]) == 3


def test_integrity_check_reports_tampering(
    client: TestClient, login: Login, make_user: MakeUser, session: Session, append: Append
) -> None:
    _seed(session, append)
    make_user("auditor1", (Role.AUDITOR, "VKONTROLE"))
    login("auditor1")
    page = client.get("/audit/integrity")
    ok = client.post("/audit/integrity", data={"csrf_token": csrf_from(page.text)})
    assert ok.status_code == 200 and "Nekas nav mainīts" in ok.text
    session.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(row_count=7))
    session.commit()
    bad = client.post("/audit/integrity", data={"csrf_token": csrf_from(page.text)})
    assert "#2" in bad.text and "mainīts" in bad.text
    api = client.get("/api/v1/audit/verification").json()
    assert api["ok"] is False and api["problems"][0] == {
        "kind": "modified", "seq": 2, "entry_id": api["problems"][0]["entry_id"],
        "message": api["problems"][0]["message"],
    }  # fmt: skip


def test_access_times_page_has_chart_and_table(
    client: TestClient, login: Login, make_user: MakeUser, session: Session, append: Append
) -> None:
    _seed(session, append)
    make_user("recip", (Role.RECIPIENT, "VSAA"))
    login("recip")
    page = client.get("/audit/access-times")
    assert page.status_code == 200 and "<svg" in page.text and "<title" in page.text
    assert "population" in page.text
    assert client.get("/api/v1/audit/access-times").json()["pairs"][0]["recipient"] == "VSAA"


def test_citizen_logs_in_and_sees_who_used_their_data(
    client: TestClient, session: Session, append: Append
) -> None:
    _seed(session, append)
    token = csrf_from(client.get("/login").text)
    r = client.post(
        "/login/citizen", data={"personal_code": "150385-11116", "csrf_token": token},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == "/me/accesses"
    page = client.get("/me/accesses")
    assert (
        page.status_code == 200 and page.text.count("Valsts sociālās apdrošināšanas aģentūra") >= 3
    )
    assert "personal_code, name" in page.text
    assert client.get("/audit/log").status_code == 403


def test_pages_need_login(client: TestClient) -> None:
    for url in ("/audit/log", "/me/accesses", "/audit/access-times"):
        r = client.get(url, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert client.get("/api/v1/audit/entries").status_code == 401
    assert client.get("/api/v1/audit/keys").status_code == 200


def test_log_table_words_the_basis_and_shows_what_was_searched(
    client: TestClient, login: Login, make_user: MakeUser, session: Session
) -> None:
    from dati.audit import chain
    from tests.audit.conftest import SECRET

    hashed = chain.subject_hash(chain.subject_key(SECRET), "150385-11116")
    chain.append(
        session,
        chain.Event(
            action="data.read", actor_name="Test", resource="population", fields=["name"],
            filter={"request": [["personal_code", "eq", [hashed]], ["municipality", "in", ["LV-RIX"]]],
                    "conditions": []},
            row_count=1, detail="agreement",
        ),
        secret=SECRET,
    )  # fmt: skip
    session.commit()
    make_user("auditor1", (Role.AUDITOR, "VKONTROLE"))
    login("auditor1")
    page = client.get("/audit/log").text
    assert "saskaņā ar vienošanos" in page and ">agreement<" not in page
    assert f"Meklēts: personal_code eq {hashed[:16]}…" in page
    assert "Meklēts: municipality in LV-RIX" in page


def test_access_times_per_recipient_over_time(
    client: TestClient, login: Login, make_user: MakeUser, session: Session, append: Append
) -> None:
    _seed(session, append)
    make_user("prov", (Role.STEWARD, "PMLP"))
    login("prov")
    page = client.get("/audit/access-times")
    assert "recipient=VSAA" in page.text  # each pair links to its own series
    one = client.get("/audit/access-times", params={"recipient": "VSAA", "resource": "population"})
    assert one.status_code == 200 and "<svg" in one.text and 'value="VSAA"' in one.text
    unknown = client.get("/audit/access-times", params={"recipient": "NOPE"})
    assert unknown.status_code == 422 and 'value="NOPE"' in unknown.text
    assert "Nezināma organizācija" in unknown.text
    api = client.get("/api/v1/audit/access-times", params={"recipient": "VSAA"}).json()
    assert api["daily"][0]["recipient"] == "VSAA" and api["daily"][0]["requests"] == 1
