"""CKAN package_search over 100 000 datasets, as CKAN clients call it, through a real server:
p95 against the target (<= 100 ms), with the catalogue's own search on the same queries as
the floor (the work package_search adds is parsing, paging and CKAN's package dicts).

    python -m bench interop_package_search
    DATI_BENCH_RESOURCES=20000 python -m bench interop_package_search
    DATI_BENCH_KEEP=1 ...   keep the generated rows in /tmp and reuse them next time
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select

from bench.catalog_search import QUERIES, generate
from bench.common import p95, summary, timed
from dati.auth.actor import Actor
from dati.catalog.models import Resource
from dati.catalog.search import SearchQuery, Sort, search_resources
from dati.db import migrate
from dati.db.database import Database
from dati.orgs import factories as orgs_factories

FACETS = json.dumps(["organization", "groups", "res_format", "license_id"])
# What portals and scripts send: words, words with the portal's facets, filtered listings,
# later pages, newest first.
CALLS: list[dict[str, str]] = (
    [{"q": q} for q in QUERIES[:8]]
    + [{"q": q, "facet.field": FACETS} for q in QUERIES[8:]]
    + [
        {"fq": "organization:vzd", "facet.field": FACETS},
        {"fq": "groups:econ", "facet.field": FACETS, "rows": "20"},
        {"fq": "res_format:CSV +groups:regi", "facet.field": FACETS},
        {"q": "reģistrs", "fq": "license_id:CC_BY_4_0", "rows": "20", "start": "40"},
        {"sort": "metadata_modified desc"},
        {"q": "dati", "rows": "100"},
    ]
)
FLOOR: list[tuple[str, dict[str, list[str]], bool]] = (
    [(q, {}, False) for q in QUERIES[:8]]
    + [(q, {}, True) for q in QUERIES[8:]]
    + [
        ("", {"org": ["VZD"]}, True),
        ("", {"theme": ["ECON"]}, True),
        ("", {"format": ["CSV"], "theme": ["REGI"]}, True),
        ("reģistrs", {"licence": ["CC_BY_4_0"]}, False),
        ("", {}, False),
        ("dati", {}, False),
    ]
)


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "dati.web.asgi:app", "--port", str(port)]
        + ["--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=0.5)
            return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


def main() -> None:
    count = int(os.environ.get("DATI_BENCH_RESOURCES", "100000"))
    keep = bool(os.environ.get("DATI_BENCH_KEEP"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tempfile.gettempdir()) if keep else Path(tmp)
        url = f"sqlite:///{folder / 'dati-bench-package-search.sqlite3'}"
        migrate.upgrade(url)
        database = Database(url)
        with database.new_session() as session:
            existing = session.scalar(select(func.count()).select_from(Resource)) or 0
        if existing:
            print(f"reusing {existing} generated resources")
            count = existing
        else:
            with database.session() as session:
                orgs_factories.load_demo(session, Actor.system("bench"))
            with database.new_session() as session:
                generate(session, count)
        with database.new_session() as session:

            def floor(q: str, filters: dict[str, list[str]], facets: bool) -> None:
                search_resources(
                    session=session,
                    actor=Actor.anonymous(),
                    query=SearchQuery(
                        q=q,
                        filters=filters,
                        facets=facets,
                        sort=Sort.RELEVANCE if q else Sort.TITLE,
                        page_size=10,
                    ),
                )

            for args in FLOOR:
                floor(*args)  # load the index into this process
            floor_samples = [s for args in FLOOR for s in timed(lambda a=args: floor(*a), 10)]
        database.dispose()

        env = {**os.environ, "DATI_DATA_DIR": tmp, "DATI_DATABASE_URL": url}
        env |= {"DATI_LOG_LEVEL": "warning", "DATI_BASE_URL": "https://dati.gov.lv"}
        server = _serve(env, 8782)
        try:
            with httpx.Client(base_url="http://127.0.0.1:8782", timeout=60) as client:
                started = time.perf_counter()
                client.get("/api/3/action/package_search", params={"q": "dati"})
                cold = time.perf_counter() - started
                for params in CALLS:  # warm up
                    response = client.get("/api/3/action/package_search", params=params)
                    assert response.status_code == 200, response.text
                samples = [
                    s
                    for params in CALLS
                    for s in timed(
                        lambda p=params: client.get("/api/3/action/package_search", params=p), 10
                    )
                ]
                slowest = sorted(
                    (
                        (
                            max(
                                timed(
                                    lambda p=p: client.get(
                                        "/api/3/action/package_search", params=p
                                    ),
                                    3,
                                )
                            ),
                            p,
                        )
                        for p in CALLS
                    ),
                    key=lambda item: -item[0],
                )[:3]
        finally:
            server.terminate()
            server.wait()
    print(f"sqlite, {count} datasets, {len(CALLS)} kinds of call x 10")
    print(f"  first call after start (index load): {cold:.2f} s")
    print(f"  package_search over HTTP:  {summary(samples)}  target p95 <= 100 ms")
    print(f"  catalogue search in-process (floor): {summary(floor_samples)}")
    print(f"  ratio (p95 package_search / floor):  {p95(samples) / p95(floor_samples):.2f}")
    print("  slowest: " + ", ".join(f"{p} {t * 1000:.0f} ms" for t, p in slowest))
