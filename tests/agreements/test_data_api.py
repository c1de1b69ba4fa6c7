"""The data API under the gateway, in every format: a recipient gets only what its agreement
gives, pseudonymised as agreed, within its quotas; anything else is refused with the reason;
every read is in the audit log, and the citizen sees it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from dati.audit.models import AuditEntry
from dati.audit.verify import verify_chain
from dati.auth import service as auth_service
from dati.auth.actor import Actor, Role
from dati.auth.schemas import TokenCreate
from dati.catalog.models import Resource
from dati.config import Settings
from dati.exchange import service
from dati.exchange.agreements.schemas import Terms
from dati.exchange.service import SourceSpec
from tests.agreements.conftest import RIGA_ONLY, SECRET, MakeAgreement, People

ROWS = [
    ("150385-11116", "Kristaps", "Demo", "1985-03-15", "LV-RIX", "Brīvības iela 1", "2"),
    ("010101-10006", "Anna", "Ozola", "2001-01-01", "LV-JEL", "Lielā iela 5", "1"),
    ("120277-12345", "Jānis", "Liepa", "1977-02-12", "LV-RIX", "Tērbatas iela 3", "0"),
    ("230490-11111", "Dace", "Kalna", "1990-04-23", "LV-RIX", "=HYPERLINK(1)", "3"),
]
HEADER = "personal_code,first_name,last_name,birth_date,municipality,address,children\n"


@pytest.fixture
def data(
    session: Session, system: Actor, settings: Settings, population: Resource, tmp_path: Path
) -> str:
    path = tmp_path / "people.csv"
    path.write_text(HEADER + "".join(",".join(r) + "\n" for r in ROWS), encoding="utf-8")
    service.publish_version(
        session=session,
        actor=system,
        name=population.name,
        source=SourceSpec(path=path, name="people.csv"),
        store=service.store_for(settings),
    )
    session.commit()
    return f"/api/v1/data/{population.name}"


def token(session: Session, username: str, role: Role, org: str) -> dict[str, str]:
    _row, secret = auth_service.issue_token_for(
        session=session,
        actor=Actor.system("t"),
        username=username,
        data=TokenCreate(name="t", role=role, org=org),
    )
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def reads(session: Session) -> list[AuditEntry]:
    session.expire_all()
    return list(
        session.scalars(
            select(AuditEntry).where(AuditEntry.action == "data.read").order_by(AuditEntry.seq)
        )
    )


@pytest.fixture
def recipient(session: Session, make_agreement: MakeAgreement, people: People) -> dict[str, str]:
    make_agreement()
    return token(session, "vsaa-api", Role.RECIPIENT, "VSAA")


def test_json_pages_give_only_the_agreed_fields_and_rows(
    client: TestClient, session: Session, data: str, recipient: dict[str, str]
) -> None:
    body = client.get(data, headers=recipient).json()
    assert body["fields"] == ["personal_code", "first_name", "municipality", "children"]
    # In key order (the personal code), Rīga's residents only.
    assert [r["first_name"] for r in body["rows"]] == ["Jānis", "Kristaps", "Dace"]
    assert all(r["personal_code"].startswith("ps_") for r in body["rows"])
    assert "150385-11116" not in str(body)
    narrowed = client.get(
        data,
        headers=recipient,
        params={"fields": "first_name", "children__gte": "2", "count": "true"},
    ).json()
    assert (
        narrowed["rows"] == [{"first_name": "Kristaps"}, {"first_name": "Dace"}]
        and narrowed["total"] == 2
    )
    (first, second) = reads(session)
    assert first.row_count == 3 and first.subject_count == 3 and second.row_count == 2
    assert second.filter_data["request"] == [["children", "gte", [2]]]


@pytest.mark.parametrize(
    ("params", "why"),
    [
        ({"fields": "last_name"}, "last_name"),
        ({"address": "x"}, "address"),
        ({"personal_code": "150385-11116"}, "personal_code"),
        ({"sort": "personal_code"}, "personal_code"),
    ],
    ids=[
        "unagreed field",
        "filter on unagreed field",
        "filter on pseudonymised field",
        "sort on pseudonymised field",
    ],
)
def test_anything_else_is_refused_with_the_reason(
    client: TestClient,
    session: Session,
    data: str,
    recipient: dict[str, str],
    params: dict[str, str],
    why: str,
) -> None:
    refused = client.get(data, headers=recipient, params=params)
    assert refused.status_code == 403 and why in refused.json()["detail"]
    assert refused.headers["content-type"] == "application/problem+json"
    session.expire_all()
    assert session.scalars(
        select(AuditEntry.action).where(AuditEntry.action == "data.denied")
    ).all()


def test_no_agreement_no_data(
    client: TestClient, session: Session, data: str, people: People
) -> None:
    assert client.get(data).status_code == 401
    outsider = token(session, "vzd-steward", Role.STEWARD, "VZD")
    refused = client.get(data, headers=outsider)
    assert (
        refused.status_code == 403
        and "Request access"
        in client.get(data, headers=outsider | {"Cookie": "dati_lang=en"}).json()["detail"]
    )


def test_key_lookups(
    client: TestClient, session: Session, data: str, make_agreement: MakeAgreement, people: People
) -> None:
    pseudonymised = make_agreement()
    auth = token(session, "vsaa-api", Role.RECIPIENT, "VSAA")
    refused = client.get(
        f"{data}/rows/150385-11116", headers=auth, params={"agreement": pseudonymised.number}
    )
    assert refused.status_code == 403 and "personal_code" in refused.json()["detail"]
    # The refusal is logged (by the event loop's own path, which awaits the log writer).
    session.expire_all()
    denied = session.scalars(select(AuditEntry).where(AuditEntry.action == "data.denied")).all()
    assert [(e.resource, e.outcome) for e in denied] == [(data.rsplit("/", 1)[1], "denied")]
    clear = make_agreement(
        terms=Terms.model_validate({**RIGA_ONLY.model_dump(), "pseudonymised_fields": []})
    )
    found = client.get(
        f"{data}/rows/150385-11116", headers=auth, params={"agreement": clear.number}
    )
    assert found.status_code == 200 and found.json() == {
        "personal_code": "150385-11116",
        "first_name": "Kristaps",
        "municipality": "LV-RIX",
        "children": 2,
    }
    # A Jelgava resident is outside the agreement: not found, like a key that does not exist.
    assert (
        client.get(
            f"{data}/rows/010101-10006", headers=auth, params={"agreement": clear.number}
        ).status_code
        == 404
    )
    assert client.get(
        f"{data}/rows/999999-99999", headers=auth, params={"agreement": clear.number}
    ).status_code in (404, 422)


def test_csv_and_parquet_exports_are_enforced_and_logged(
    client: TestClient, session: Session, data: str, recipient: dict[str, str]
) -> None:
    exported = client.get(data, headers=recipient, params={"format": "csv"})
    assert exported.status_code == 200
    rows = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert [r["first_name"] for r in rows] == ["Jānis", "Kristaps", "Dace"]
    assert set(rows[0]) == {"personal_code", "first_name", "municipality", "children"}
    assert rows[0]["personal_code"].startswith("ps_")
    parquet = client.get(data, headers=recipient, params={"format": "parquet"})
    table = pq.read_table(io.BytesIO(parquet.content))
    assert (
        table.column_names == ["personal_code", "first_name", "municipality", "children"]
        and table.num_rows == 3
    )
    assert table.column("personal_code").to_pylist() == [r["personal_code"] for r in rows]
    assert [(e.row_count, e.subject_count) for e in reads(session)] == [(3, 3), (3, 3)]


def test_cursors_do_not_carry_personal_codes(
    client: TestClient, data: str, recipient: dict[str, str]
) -> None:
    seen: list[Any] = []
    cursor = None
    while True:
        body = client.get(
            data, headers=recipient, params={"limit": "1"} | ({"cursor": cursor} if cursor else {})
        ).json()
        seen += [r["first_name"] for r in body["rows"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
        assert cursor.startswith("s.") and "150385" not in cursor
    assert seen == ["Jānis", "Kristaps", "Dace"]
    assert client.get(data, headers=recipient, params={"cursor": "s.forged"}).status_code == 422


def test_quotas_answer_429_with_retry_after(
    client: TestClient, session: Session, data: str, make_agreement: MakeAgreement, people: People
) -> None:
    make_agreement(terms=Terms.model_validate({**RIGA_ONLY.model_dump(), "rows_per_day": 4}))
    auth = token(session, "vsaa-api", Role.RECIPIENT, "VSAA")
    assert len(client.get(data, headers=auth).json()["rows"]) == 3
    assert len(client.get(data, headers=auth).json()["rows"]) == 1
    refused = client.get(data, headers=auth)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0


def test_the_citizen_sees_the_accesses(
    client: TestClient, session: Session, data: str, recipient: dict[str, str]
) -> None:
    client.get(data, headers=recipient, params={"format": "csv"})
    client.cookies.clear()
    from tests.conftest import csrf_from

    client.post(
        "/login/citizen",
        data={"personal_code": "150385-11116", "csrf_token": csrf_from(client.get("/login").text)},
    )
    page = client.get("/me/accesses")
    assert (
        "Valsts sociālās apdrošināšanas aģentūra" in page.text
        and "Piešķirt bērna kopšanas pabalstu" in page.text
    )


def test_the_dataset_page_previews_under_the_agreement(
    client: TestClient,
    login: Any,
    session: Session,
    data: str,
    make_agreement: MakeAgreement,
    people: People,
) -> None:
    make_agreement()
    session.commit()
    login("vsaa-api")
    page = client.get(data.replace("/api/v1", ""))
    assert (
        page.status_code == 200
        and "Kristaps" in page.text
        and "Ozola" not in page.text
        and "150385-11116" not in page.text
    )


def test_the_ckan_datastore_serves_the_same_agreement(
    client: TestClient, session: Session, data: str, recipient: dict[str, str], population: Resource
) -> None:
    action = "/api/3/action/datastore_search"
    body = client.post(action, json={"resource_id": population.name}, headers=recipient).json()
    assert body["success"] is True, body
    result = body["result"]
    assert [f["id"] for f in result["fields"]] == [
        "personal_code",
        "first_name",
        "municipality",
        "children",
    ]
    assert [r["first_name"] for r in result["records"]] == ["Jānis", "Kristaps", "Dace"]
    assert result["total"] == 3 and all(
        r["personal_code"].startswith("ps_") for r in result["records"]
    )
    # Free text searches only what the agreement shows: the surname "Demo" is not agreed.
    hidden = client.post(
        action, json={"resource_id": population.name, "q": "Demo"}, headers=recipient
    ).json()
    assert hidden["result"]["records"] == []
    refused = client.post(
        action,
        json={"resource_id": population.name, "filters": {"last_name": "Demo"}},
        headers=recipient,
    )
    assert refused.status_code == 403 and "last_name" in refused.json()["error"]["message"]
    sql = client.post(
        "/api/3/action/datastore_search_sql",
        json={"sql": 'SELECT * FROM "' + population.name + '"'},  # noqa: S608 - a test query
        headers=recipient,
    )
    assert sql.status_code == 404  # SQL runs as an anonymous visitor: only open data is there
    assert [e.row_count for e in reads(session)] == [3, 0]
    # The refusal was logged sealed with the instance secret, like every other entry.
    assert verify_chain(session, secret=SECRET).ok


def test_the_log_never_holds_a_looked_up_personal_code(
    client: TestClient, session: Session, data: str, make_agreement: MakeAgreement, people: People
) -> None:
    clear = make_agreement(
        terms=Terms.model_validate({**RIGA_ONLY.model_dump(), "pseudonymised_fields": []})
    )
    auth = token(session, "vsaa-api", Role.RECIPIENT, "VSAA")
    params = {"agreement": clear.number}
    assert client.get(f"{data}/rows/150385-11116", headers=auth, params=params).status_code == 200
    assert (
        client.get(data, headers=auth, params=params | {"personal_code": "120277-12345"}).json()[
            "rows"
        ][0]["first_name"]
        == "Jānis"
    )
    # The owner's own lookup is logged the same way.
    owner = token(session, "pmlp-steward", Role.STEWARD, "PMLP")
    assert client.get(f"{data}/rows/010101-10006", headers=owner).status_code == 200
    logged = reads(session)
    assert len(logged) == 3
    stored = " ".join(str(e.filter) for e in logged)
    assert "150385" not in stored and "120277" not in stored and "010101" not in stored
    # What was searched for is the same keyed hash the subject index holds.
    from dati.audit import chain
    from tests.agreements.conftest import SECRET

    hashed = chain.subject_hash(chain.subject_key(SECRET), "150385-11116")
    assert json.loads(logged[0].filter)["request"] == [["personal_code", "eq", [hashed]]]
    assert json.loads(logged[2].filter)["request"] == [
        ["personal_code", "eq", [chain.subject_hash(chain.subject_key(SECRET), "010101-10006")]]
    ]


def test_failures_after_a_grant_count_in_the_error_rate(
    session: Session,
    settings: Settings,
    data: str,
    make_agreement: MakeAgreement,
    people: People,
    population: Resource,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dati.audit import service as audit_service
    from dati.exchange import governed

    make_agreement()
    session.commit()

    def plan() -> governed.Read:
        return governed.plan_read(
            session=session,
            actor=people.recipient,
            name=population.name,
            store=service.store_for(settings),
            secret=settings.effective_secret_key,
            limit=None,
        )

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise OSError("the version file went missing")

    assert len(governed.serve_page(plan(), governed.read_page(plan()))) == 3
    monkeypatch.setattr(service, "read_page", broken)
    with pytest.raises(OSError):
        governed.read_page(plan())
    monkeypatch.setattr(type(service.reader()), "stream", broken)
    with pytest.raises(OSError):
        governed.export_batches(plan())
    (pair,) = audit_service.access_times(session=session, actor=people.pmlp_steward).pairs
    assert (pair.recipient, pair.errors) == ("VSAA", 2) and pair.error_rate > 0
