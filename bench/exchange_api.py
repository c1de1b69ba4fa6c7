"""The data API over HTTP against Datasette serving the same 1 000 000-row table, same machine,
same run, both single-process on loopback:

- key lookup at 32 concurrent clients (target: p95 ≤ 20 ms, throughput ≥ Datasette's);
- a filtered page of 100 rows (throughput ≥ Datasette's);
- a full CSV export (≥ 50 % of DuckDB's COPY … TO CSV speed on the same version file).
"""

from __future__ import annotations

import asyncio
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import httpx
import pyarrow.parquet as pq

from bench.common import p95
from bench.exchange_data import PLACES, SCHEMA, write_csv

ROWS = 1_000_000
CLIENTS = 32
SECONDS = 8.0
ROUNDS = 3
DATI_PORT, DATASETTE_PORT, DATI_WORKERS_PORT = 8771, 8772, 8773


async def _client(
    host: str, port: int, paths: list[str], until: float, samples: list[float]
) -> None:
    """One keep-alive HTTP/1.1 connection issuing GETs back to back (minimal client, same for both)."""
    reader, writer = await asyncio.open_connection(host, port)
    rng = random.Random()
    while time.perf_counter() < until:
        path = rng.choice(paths)
        start = time.perf_counter()
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\n\r\n".encode()
        )
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = None
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        if length is not None:
            await reader.readexactly(length)
        else:  # chunked
            while True:
                size = int((await reader.readline()).strip(), 16)
                await reader.readexactly(size + 2)
                if size == 0:
                    break
        if status != 200:
            raise RuntimeError(f"{path}: HTTP {status}")
        samples.append(time.perf_counter() - start)
    writer.close()


def load(port: int, paths: list[str]) -> tuple[float, float, float]:
    """(requests per second, median ms, p95 ms) at CLIENTS connections for SECONDS."""

    async def run() -> list[float]:
        await asyncio.gather(
            *[_client("127.0.0.1", port, paths, time.perf_counter() + 1.0, []) for _ in range(4)]
        )
        samples: list[float] = []
        until = time.perf_counter() + SECONDS
        await asyncio.gather(
            *[_client("127.0.0.1", port, paths, until, samples) for _ in range(CLIENTS)]
        )
        return samples

    samples = asyncio.run(run())
    return len(samples) / SECONDS, statistics.median(samples) * 1000, p95(samples) * 1000


def _wait(url: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{url} did not start")


def prepare(root: Path) -> tuple[Path, Path]:
    """A dati data dir with resource 'bench' published, and the same rows in a SQLite file."""
    from dati.auth.actor import Actor
    from dati.catalog import service as catalog_service
    from dati.catalog.models import AccessRights
    from dati.catalog.schemas import ResourceCreate
    from dati.config import load_settings
    from dati.db import migrate
    from dati.db.database import Database
    from dati.exchange import service
    from dati.orgs import factories as orgs_factories

    data_dir = root / "data"
    settings = load_settings(data_dir=data_dir, secret_key="bench-secret-key-0123456789")
    data_dir.mkdir()
    migrate.upgrade(settings.effective_database_url)
    csv_path = write_csv(root / "people.csv", ROWS, shuffled=True)
    database = Database(settings.effective_database_url)
    actor = Actor.system("bench")
    with database.session() as session:
        orgs_factories.load_demo(session, actor)
        catalog_service.create_resource(
            session=session,
            actor=actor,
            data=ResourceCreate(
                name="bench", title_lv="Bench", owner="VZD", access_rights=AccessRights.PUBLIC
            ),
        )
        catalog_service.set_table_schema(session=session, actor=actor, name="bench", schema=SCHEMA)
        version = service.publish_version(
            session=session,
            actor=actor,
            name="bench",
            source=service.SourceSpec(path=csv_path, name="people.csv"),
            store=service.store_for(settings),
        ).version
        parquet = service.store_for(settings).path(version.resource_id, version.file_name)
    database.dispose()
    sqlite_path = root / "bench.db"
    names = [f["name"] for f in SCHEMA["fields"]]
    with sqlite3.connect(sqlite_path) as conn:
        conn.execute(
            f"CREATE TABLE people (id INTEGER PRIMARY KEY, {', '.join(n + ' TEXT' for n in names[1:])})"
        )
        for batch in pq.ParquetFile(parquet).iter_batches(batch_size=100_000):
            columns = [batch.column(n).to_pylist() for n in names]
            conn.executemany(
                f"INSERT INTO people VALUES ({', '.join('?' for _ in names)})",
                [
                    (r[0], *(None if v is None else str(v) for v in r[1:]))
                    for r in zip(*columns, strict=True)
                ],
            )
    return data_dir, sqlite_path


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        data_dir, sqlite_path = prepare(root)
        env = {
            **os.environ,
            "DATI_DATA_DIR": str(data_dir),
            "DATI_LOG_LEVEL": "warning",
            "DATI_SECRET_KEY": "bench-secret-key-0123456789",
        }

        def uvicorn(port: int, workers: int) -> subprocess.Popen[bytes]:
            return subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "dati.web.asgi:app",
                    "--port",
                    str(port),
                    "--workers",
                    str(workers),
                    "--log-level",
                    "warning",
                    "--no-access-log",
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )

        dati = uvicorn(DATI_PORT, 1)
        # `dati serve --workers 2`: the app is stateless, so a second process uses the second
        # core (Datasette has no worker processes; it runs SQL in a thread pool).
        dati_workers = uvicorn(DATI_WORKERS_PORT, 2)
        datasette = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "datasette",
                "serve",
                str(sqlite_path),
                "--port",
                str(DATASETTE_PORT),
                "--setting",
                "num_sql_threads",
                "3",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait(f"http://127.0.0.1:{DATI_PORT}/healthz", dati)
            _wait(f"http://127.0.0.1:{DATASETTE_PORT}/-/versions.json", datasette)
            _wait(f"http://127.0.0.1:{DATI_WORKERS_PORT}/healthz", dati_workers)
            rng = random.Random(3)
            keys = [rng.randint(1, ROWS) for _ in range(5000)]
            cases = [
                (
                    "key lookup",
                    [f"/api/v1/data/bench/rows/{k}" for k in keys],
                    [f"/bench/people/{k}.json" for k in keys],
                ),
                (
                    "filtered page of 100 rows",
                    [f"/api/v1/data/bench?pasvaldiba={p}&statuss=aktīvs&limit=100" for p in PLACES],
                    [
                        f"/bench/people.json?pasvaldiba={p}&statuss=aktīvs&_size=100&_nocount=1&_nofacet=1"
                        for p in PLACES
                    ],
                ),
            ]
            results: dict[str, dict[str, float]] = {label: {} for label, _o, _t in cases}
            for label, ours, theirs in cases:
                ours = [httpx.URL(p).raw_path.decode() for p in ours]
                theirs = [httpx.URL(p).raw_path.decode() for p in theirs]
                for name, port, paths in (
                    ("dati", DATI_PORT, ours),
                    ("datasette", DATASETTE_PORT, theirs),
                    ("dati --workers 2", DATI_WORKERS_PORT, ours),
                ):
                    runs = [load(port, paths) for _round in range(ROUNDS)]
                    rps = statistics.median(r[0] for r in runs)
                    med = statistics.median(r[1] for r in runs)
                    p95_ms = statistics.median(r[2] for r in runs)
                    results[label][name] = rps
                    print(
                        f"{label} @ {CLIENTS} clients: {name} {rps:.0f} req/s "
                        f"(median {med:.1f} ms, p95 {p95_ms:.1f} ms; medians of {ROUNDS} runs)"
                    )
                ratio = results[label]["dati"] / results[label]["datasette"]
                ratio_workers = results[label]["dati --workers 2"] / results[label]["datasette"]
                print(
                    f"{label}: throughput ratio to Datasette {ratio:.2f} (one process), "
                    f"{ratio_workers:.2f} (two workers)"
                )
            export_csv(data_dir, root)
        finally:
            for proc in (dati, datasette, dati_workers):
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()


def export_csv(data_dir: Path, root: Path) -> None:
    parquet = next((data_dir / "exchange").glob("*/v*.parquet"))
    runs_duck, runs_http = [], []
    for _ in range(3):
        start = time.perf_counter()
        duckdb.connect().execute(
            f"COPY (SELECT * FROM read_parquet('{parquet}')) TO '{root / 'duck.csv'}' (HEADER)"
        )
        runs_duck.append(time.perf_counter() - start)
        start = time.perf_counter()
        size = 0
        with httpx.stream(
            "GET", f"http://127.0.0.1:{DATI_PORT}/api/v1/data/bench?format=csv", timeout=120
        ) as r:
            for chunk in r.iter_raw(1 << 20):
                size += len(chunk)
        runs_http.append(time.perf_counter() - start)
    d, h = statistics.median(runs_duck), statistics.median(runs_http)
    print(
        f"full CSV export of {ROWS} rows: duckdb COPY TO CSV median {d:.2f} s; dati over HTTP median {h:.2f} s "
        f"({size / 1e6:.0f} MB); dati speed = {d / h * 100:.0f} % of DuckDB's (target >= 50 %)"
    )
