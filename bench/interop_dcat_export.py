"""Full DCAT-AP export of a 100 000-dataset catalogue through a real server: time and the
server's peak memory, per syntax, against rdflib serialising the same triples (the peer).
Targets: within 60 s, peak RSS < 500 MB (constant: it must not grow with the catalogue).

    python -m bench interop_dcat_export
    DATI_BENCH_RESOURCES=20000 python -m bench interop_dcat_export
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx
from sqlalchemy import insert, select

from dati.auth.actor import Actor
from dati.catalog.models import (
    AccessRights,
    DataService,
    DataServiceResource,
    Distribution,
    Resource,
)
from dati.db import migrate
from dati.db.database import Database
from dati.orgs import factories as orgs_factories
from dati.orgs.models import Organisation

THEMES = [
    "AGRI",
    "ECON",
    "EDUC",
    "ENER",
    "ENVI",
    "GOVE",
    "HEAL",
    "JUST",
    "REGI",
    "SOCI",
    "TECH",
    "TRAN",
]
FORMATS = [("CSV", "text/csv"), ("JSON", "application/json"), ("XLSX", None), ("GEOJSON", None)]
LICENCES = ["CC_BY_4_0", "CC0", "https://data.gov.lv/licence/atvertie-dati"]
SUBJECTS = ["Uzņēmumu", "Adrešu", "Būvju", "Ceļu", "Mežu", "Skolu", "Budžeta", "Nodokļu", "Atļauju"]
KINDS = ["reģistrs", "saraksts", "statistika", "pārskats", "karte", "klasifikators"]


def build(url: str, count: int) -> None:
    """A catalogue of ``count`` resources with two distributions each, inserted in bulk."""
    migrate.upgrade(url)
    db = Database(url)
    rng = random.Random(20261122)
    with db.session() as session:
        orgs_factories.load_demo(session, Actor.system("bench"))
    with db.session() as session:
        org_ids = list(session.scalars(select(Organisation.id)))
        service_id = session.execute(
            insert(DataService).values(
                name="bench-api",
                title_lv="Datu API",
                owner_org_id=org_ids[0],
                endpoint_url="https://api.example.lv/",
                access_rights=AccessRights.PUBLIC,
            )
        ).inserted_primary_key[0]
        batch = 5000
        for start in range(0, count, batch):
            rows = []
            for i in range(start, min(count, start + batch)):
                subject, kind = rng.choice(SUBJECTS), rng.choice(KINDS)
                rows.append(
                    {
                        "name": f"datu-kopa-{i}",
                        "title_lv": f"{subject} {kind} {i}",
                        "title_en": f"Dataset {i}",
                        "description_lv": f"{subject} {kind}: ziņas par objektiem un to stāvokli.",
                        "owner_org_id": rng.choice(org_ids),
                        "keywords_lv": [subject.lower(), kind],
                        "keywords_en": ["open data"],
                        "themes": rng.sample(THEMES, 2),
                        "contact_name": "Datu pārvaldnieks",
                        "contact_email": f"dati{i % 97}@iestade.gov.lv",
                        "spatial": "LV",
                        "frequency": "ANNUAL",
                        "issued": date(2020, 1, 1),
                        "modified": date(2026, 1, 1),
                        "access_rights": AccessRights.PUBLIC,
                        "licence": rng.choice(LICENCES),
                        "hvd_category": "c_e1da4e07" if i % 10 == 0 else None,
                        "landing_page": f"https://iestade.gov.lv/dati/{i}",
                        "primary_key": [],
                        "foreign_keys": [],
                    }
                )
            session.execute(insert(Resource), rows)
            ids = list(
                session.scalars(
                    select(Resource.id).where(Resource.name.in_([r["name"] for r in rows]))
                )
            )
            dists = []
            for rid in ids:
                for n in range(2):
                    fmt, media = rng.choice(FORMATS)
                    dists.append(
                        {
                            "resource_id": rid,
                            "title_lv": f"Datne {n + 1}",
                            "access_url": f"https://iestade.gov.lv/dati/{rid}",
                            "download_url": f"https://iestade.gov.lv/dati/{rid}/{n}.{fmt.lower()}",
                            "format": fmt,
                            "media_type": media,
                            "byte_size": rng.randint(1000, 10**8),
                        }
                    )
            session.execute(insert(Distribution), dists)
            session.execute(
                insert(DataServiceResource),
                [{"data_service_id": service_id, "resource_id": rid} for rid in ids[:10]],
            )
            session.commit()
    db.dispose()


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "dati.web.asgi:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
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


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _download(url: str) -> tuple[float, int]:
    started, size = time.perf_counter(), 0
    with httpx.stream("GET", url, timeout=600) as response:
        response.raise_for_status()
        for chunk in response.iter_bytes():
            size += len(chunk)
    return time.perf_counter() - started, size


RDFLIB_PEER = """
import sys, time, resource
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from dati.db.database import Database
from dati.catalog.models import Resource, Distribution
from dati.interop.dcat_catalogue import dataset_graph_nodes
from dati.interop.rdf_writer import to_graph, turtle
db = Database(sys.argv[1]); n = int(sys.argv[2])
with db.session() as s:
    rs = list(s.scalars(select(Resource).options(selectinload(Resource.distributions)).order_by(Resource.id).limit(n)))
    nodes = dataset_graph_nodes(s, "https://dati.gov.lv", rs)
    t = time.perf_counter(); text = turtle(nodes); ours = time.perf_counter() - t
    t = time.perf_counter(); g = to_graph(nodes); out = g.serialize(format="turtle"); peer = time.perf_counter() - t
print(ours, peer, len(g), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def main() -> None:
    count = int(os.environ.get("DATI_BENCH_RESOURCES", "100000"))
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        started = time.perf_counter()
        build(url, count)
        print(
            f"built {count} datasets ({2 * count} distributions) in {time.perf_counter() - started:.1f} s"
        )
        env = {
            **os.environ,
            "DATI_DATA_DIR": tmp,
            "DATI_DATABASE_URL": url,
            "DATI_LOG_LEVEL": "warning",
            "DATI_BASE_URL": "https://dati.gov.lv",
        }
        for fmt in ("ttl", "rdf", "jsonld"):
            server = _serve(env, 8781)
            try:
                baseline = _peak_rss_mb(server.pid)
                seconds, size = _download(f"http://127.0.0.1:8781/catalog.{fmt}")
                peak = _peak_rss_mb(server.pid)
            finally:
                server.terminate()
                server.wait()
            print(
                f"/catalog.{fmt}: {seconds:.1f} s, {size / 2**20:.0f} MiB, "
                f"{count / seconds:.0f} datasets/s, server peak RSS {peak:.0f} MB "
                f"(idle {baseline:.0f} MB)"
            )
        sample = min(count, 1000)
        out = subprocess.run(
            [sys.executable, "-c", RDFLIB_PEER, url, str(sample)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        ours, peer, triples, rss = float(out[0]), float(out[1]), int(out[2]), float(out[3])
        print(
            f"peer, {sample} datasets ({triples} triples): dati Turtle writer {ours:.2f} s, "
            f"rdflib Graph+serialize {peer:.2f} s (x{peer / ours:.1f}); rdflib process peak RSS {rss:.0f} MB"
        )
