"""datastore_search_sql: what it answers, and every way of abusing it refused, data intact."""

from __future__ import annotations

import hashlib
from pathlib import Path

import ckanapi
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dati.catalog.models import Resource
from dati.exchange.models import DatasetVersion
from dati.interop import datastore_sql

ACTION = "/api/3/action/datastore_search_sql"


@pytest.fixture
def roads(published, session: Session, data_dir: Path) -> list[Path]:  # type: ignore[no-untyped-def]
    published("autoceli")
    published(
        "skolas",
        "id,nosaukums,novads\n1,Rīgas 1. vidusskola,Rīga\n2,Cēsu Valsts ģimnāzija,Cēsis\n",
        schema={
            "fields": [
                {"name": "id", "type": "integer"},
                {"name": "nosaukums", "type": "string"},
                {"name": "novads", "type": "string"},
            ],
            "primaryKey": ["id"],
        },
    )
    return sorted((data_dir / "exchange").rglob("*.parquet"))


def _fingerprint(session: Session, files: list[Path]) -> tuple:  # type: ignore[type-arg]
    return (
        [hashlib.sha256(f.read_bytes()).hexdigest() for f in files],
        session.scalar(select(func.count()).select_from(Resource)),
        session.scalar(select(func.count()).select_from(DatasetVersion)),
    )


def test_a_select_over_resources_by_id_answers_like_ckan(
    ckan: ckanapi.RemoteCKAN,
    roads: list[Path],
) -> None:
    result = ckan.action.datastore_search_sql(
        sql="SELECT a.novads, count(*) AS celi, round(sum(a.garums_km), 1) AS km, "
        'max(s.nosaukums) AS skola FROM "autoceli" a LEFT JOIN "skolas" s ON s.novads = a.novads '
        "GROUP BY a.novads ORDER BY km DESC"
    )
    assert result["records"][0] == {
        "novads": "Rīga",
        "celi": 2,
        "km": 44.6,
        "skola": "Rīgas 1. vidusskola",
    }
    assert [f["id"] for f in result["fields"]] == ["novads", "celi", "km", "skola"]
    assert {f["type"] for f in result["fields"]} >= {"text", "int"}
    with_cte = ckan.action.datastore_search_sql(
        sql='WITH garie AS (SELECT * FROM "autoceli" WHERE garums_km > 10) SELECT _id, id FROM garie ORDER BY id'
    )
    assert with_cte["records"] == [{"_id": 1, "id": 1}, {"_id": 2, "id": 2}, {"_id": 3, "id": 3}]


HOSTILE = [
    ('DELETE FROM "autoceli"', "SELECT"),
    ('DROP TABLE "autoceli"', "SELECT"),
    ("UPDATE \"autoceli\" SET nosaukums = 'x'", "SELECT"),
    ('INSERT INTO "autoceli" VALUES (9)', "SELECT"),
    ('SELECT * FROM "autoceli"; DROP TABLE "autoceli"', "tieši vienu"),
    ("SELECT 1; SELECT 2", "tieši vienu"),
    ('CREATE TABLE x AS SELECT * FROM "autoceli"', "SELECT"),
    ('SELECT * INTO kopija FROM "autoceli"', "SELECT"),
    ('SELECT * FROM "autoceli" FOR UPDATE', "SELECT"),
    ("COPY (SELECT 1) TO '/tmp/x.csv'", "SELECT"),
    ("ATTACH '/tmp/x.db' AS x", "parsēt"),
    ("INSTALL httpfs", "SELECT"),
    ("LOAD httpfs", "SELECT"),
    ("SET enable_external_access = true", "SELECT"),
    ("PRAGMA database_list", "SELECT"),
    ("SELECT * FROM read_csv('/etc/passwd')", "Tabulu funkcijas"),
    ("SELECT * FROM read_parquet('/tmp/*.parquet')", "Tabulu funkcijas"),
    ("SELECT read_blob('/etc/passwd')", "read_blob"),
    (
        "SELECT (SELECT count(*) FROM read_csv_auto('/etc/hosts')) FROM \"autoceli\"",
        "Tabulu funkcijas",
    ),
    ("SELECT * FROM read_text('/etc/passwd')", "Tabulu funkcijas"),
    ("SELECT * FROM glob('/*')", "parsēt"),
    ("SELECT * FROM duckdb_settings()", "Tabulu funkcijas"),
    ("SELECT * FROM range(100000000)", "Tabulu funkcijas"),
    ("SELECT getenv('HOME')", "getenv"),
    ("SELECT current_setting('memory_limit')", "current_setting"),
    ("SELECT pg_read_file('/etc/passwd')", "pg_read_file"),
    ("SELECT * FROM information_schema.tables", "Kvalificēti"),
    ("SELECT * FROM pg_catalog.pg_tables", "Kvalificēti"),
    ('SELECT * FROM main."autoceli"', "Kvalificēti"),
    ("SELECT * FROM sqlite_master", "nepastāv"),
    ("SELECT * FROM duckdb_tables", "nepastāv"),
    ('SELECT * FROM "slepens"', "nepastāv"),
    ('SELECT * FROM "autoceli" WHERE id = $1', "SELECT"),
    ("SELECT 1", "resurs"),
    ("", "Trūkst"),
]


@pytest.mark.parametrize(("sql", "message"), HOSTILE, ids=[h[0][:40] for h in HOSTILE])
def test_hostile_sql_is_refused_and_the_data_is_untouched(
    client: TestClient,
    session: Session,
    roads: list[Path],
    published,
    sql: str,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    from dati.catalog.models import AccessRights

    published("slepens", access=AccessRights.NON_PUBLIC)
    files = sorted(roads[0].parent.parent.rglob("*.parquet"))
    before = _fingerprint(session, files)
    response = client.post(ACTION, json={"sql": sql})
    body = response.json()
    assert response.status_code in (400, 404, 409), body
    assert body["success"] is False
    assert message in str(body["error"]), body["error"]
    assert _fingerprint(session, files) == before
    assert client.post(ACTION, json={"sql": 'SELECT count(*) AS n FROM "autoceli"'}).json()[
        "result"
    ]["records"] == [{"n": 4}]


def test_slow_queries_are_stopped_at_the_timeout(
    client: TestClient, roads: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(datastore_sql, "TIMEOUT_SECONDS", 0.5)
    sql = (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000) "
        'SELECT count(*) FROM n, "autoceli"'
    )
    response = client.post(ACTION, json={"sql": sql})
    assert response.status_code == 409
    assert "apturēts" in response.json()["error"]["query"][0]  # where CKAN puts it


def test_results_stop_at_the_row_limit(
    client: TestClient, roads: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(datastore_sql, "MAX_ROWS", 3)
    result = client.post(ACTION, json={"sql": 'SELECT * FROM "autoceli"'}).json()["result"]
    assert len(result["records"]) == 3 and result["records_truncated"] is True


def test_memory_hungry_queries_fail_cleanly(client: TestClient, roads: list[Path]) -> None:
    response = client.post(
        ACTION,
        json={"sql": "SELECT string_agg(repeat(nosaukums, 100000000), '') FROM \"autoceli\""},
    )
    assert response.status_code == 409
    assert response.json()["success"] is False
