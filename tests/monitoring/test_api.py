"""The JSON API: public reads, authenticated writes, problem details on refusal."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dati.auth import service as auth_service
from dati.auth.actor import Actor, Role
from dati.auth.schemas import TokenCreate
from dati.monitoring.schemas import LoadResult
from tests.conftest import MakeUser
from tests.monitoring.conftest import PAST_YEAR

BASE = "/api/v1/monitoring"
Bearer = Callable[..., dict[str, str]]


@pytest.fixture
def bearer(session: Session, make_user: MakeUser) -> Bearer:
    """Authorization headers for a new user holding one role."""

    def make(username: str, role: Role, org: str | None) -> dict[str, str]:
        actor = make_user(username, (role, org))
        _token, secret = auth_service.create_token(
            session=session, actor=actor, data=TokenCreate(name="t", role=role, org=org)
        )
        session.commit()
        return {"authorization": f"Bearer {secret}"}

    return make


def _value(year: int = PAST_YEAR, number: float = 61.5) -> dict[str, object]:
    return {"year": year, "value": number, "measured_on": f"{year}-12-31", "source": "Eurostat"}


def test_anyone_lists_indicators_with_status(client: TestClient, indicators: LoadResult) -> None:
    r = client.get(f"{BASE}/indicators", params={"year": 2026, "framework": "digital_decade"})
    assert r.status_code == 200
    body = {i["code"]: i for i in r.json()}
    assert len(body) == 14
    assert (
        body["basic_digital_skills"]["expected"] == 64
        and body["basic_digital_skills"]["status"] == "not_measured"
    )


def test_indicator_detail_keeps_printed_values(client: TestClient, indicators: LoadResult) -> None:
    r = client.get(f"{BASE}/indicators/basic_digital_skills", params={"year": 2028})
    body = r.json()
    assert r.status_code == 200 and body["responsible"] == "IZM" and "10 %" in body["status_rule"]
    printed = [c["value_text"] for c in body["references"] if c["year"] == 2028]
    assert printed == ["Vismaz 70%"]
    assert {s["year"]: s["status"] for s in body["statuses"]}[2028] == "not_measured"
    assert client.get(f"{BASE}/indicators/nope").json()["status"] == 404


def test_recording_needs_the_responsible_steward(
    client: TestClient, bearer: Bearer, indicators: LoadResult
) -> None:
    url = f"{BASE}/indicators/basic_digital_skills/values"
    assert client.post(url, json=_value()).status_code == 401
    wrong = client.post(url, json=_value(), headers=bearer("em-person", Role.STEWARD, "EM"))
    assert wrong.status_code == 403 and wrong.headers["content-type"] == "application/problem+json"
    right = client.post(url, json=_value(), headers=bearer("izm-person", Role.STEWARD, "IZM"))
    assert right.status_code == 201, right.text
    assert right.json()["value"] == 61.5 and right.json()["recorded_by"] == "Izm-Person"
    history = client.get(url).json()
    assert [v["value"] for v in history] == [61.5] and history[0][
        "recorded_by"
    ] == ""  # hidden from the public


def test_invalid_values_answer_422_with_fields(
    client: TestClient, bearer: Bearer, indicators: LoadResult
) -> None:
    headers = bearer("izm-person", Role.STEWARD, "IZM")
    url = f"{BASE}/indicators/basic_digital_skills/values"
    r = client.post(url, json=_value(number=140.0), headers=headers)
    assert r.status_code == 422 and "value" in r.json()["errors"]
    computed = client.post(
        f"{BASE}/indicators/institutions_data_steward_share/values",
        json=_value(),
        headers=bearer("root", Role.ADMIN, None),
    )
    assert computed.status_code == 409


def test_import_and_export_over_http(
    client: TestClient, bearer: Bearer, indicators: LoadResult
) -> None:
    headers = bearer("em-person", Role.STEWARD, "EM")
    csv_text = "indicator_code,year,value,measured_on,source\ncloud,2025,40.5,2025-12-31,Eurostat\n"
    r = client.post(
        f"{BASE}/values/import",
        headers=headers,
        files={"file": ("v.csv", csv_text.encode(), "text/csv")},
    )
    assert r.status_code == 200 and r.json() == {"imported": 1}
    bad = client.post(
        f"{BASE}/values/import",
        headers=headers,
        files={"file": ("v.csv", "x;ā".encode("cp1257"), "text/csv")},
    )
    assert bad.status_code == 422 and "UTF-8" in bad.json()["detail"]
    anonymous = client.post(
        f"{BASE}/values/import", files={"file": ("v.csv", "x;ā".encode("cp1257"), "text/csv")}
    )
    assert anonymous.status_code == 401  # the permission first, then the file
    exported = client.get(f"{BASE}/values.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    assert (
        exported.text.startswith("\ufeffindicator_code,year,value")
        and "cloud,2025,40.5" in exported.text
    )
    assert "Vismaz 70%" in client.get(f"{BASE}/indicators.csv").text


def test_refresh_and_load_are_for_administrators(
    client: TestClient, bearer: Bearer, indicators: LoadResult
) -> None:
    steward = bearer("varam-person", Role.STEWARD, "VARAM")
    assert client.post(f"{BASE}/refresh", headers=steward).status_code == 403
    admin = bearer("root", Role.ADMIN, None)
    r = client.post(f"{BASE}/refresh", headers=admin, params={"year": 2025})
    assert r.status_code == 200 and "institutions_data_steward_share" in r.json()["measured"]
    assert client.post(f"{BASE}/definitions", headers=admin).json()["unchanged"] == 40


def test_champion_and_report_are_public(
    client: TestClient, system: Actor, session: Session, indicators: LoadResult
) -> None:
    from dati.monitoring import service

    service.refresh(session=session, actor=system, year=2025)
    session.commit()
    champion = client.get(f"{BASE}/champion", params={"year": 2025}).json()
    measured = [c["code"] for c in champion["categories"] if c["measured"]]
    assert measured == ["open_data", "exchange_distribution", "governance_roles"]  # empty but there
    assert client.get(f"{BASE}/champion/VZD", params={"year": 2025}).status_code == 200
    assert client.get(f"{BASE}/champion/NOPE").status_code == 404
    report = client.get(f"{BASE}/report", params={"year": 2026}).json()
    assert [s["code"] for s in report["sections"]][:5] == ["RV1", "RV2", "RV3", "RV4", "RV5"]
    # Every result indicator: not the savings estimate, not the platform's own measures.
    assert sum(report["counts"].values()) == 33


def test_year_outside_the_range_is_refused(client: TestClient, indicators: LoadResult) -> None:
    assert client.get(f"{BASE}/indicators", params={"year": 1990}).status_code == 422
