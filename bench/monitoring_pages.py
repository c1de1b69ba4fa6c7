"""Monitoring pages on the full demo (40 indicators, 100+ institutions in the Data Champion):
how long each public page, the CSV exports, the annual report (HTML and PDF, both languages)
and the refresh take. The issue names no target; pages over a second are worth a note.

Run: `python -m bench.monitoring_pages` (builds the demo in a temporary directory, ~30 s), or
with DATI_BENCH_DEMO_DIR=/tmp/mon-demo to time an existing `dati demo --data-dir` directory.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from fastapi.testclient import TestClient

from bench.common import summary, timed
from dati import clock
from dati import demo as demo_loader
from dati.auth.actor import Actor
from dati.config import Settings
from dati.db import migrate
from dati.db.database import Database
from dati.monitoring import service
from dati.web.app import create_app

REPEAT = 10
PDF_REPEAT = 5


def _pages(year: int) -> list[tuple[str, int]]:
    return [
        ("/monitoring", REPEAT),
        (f"/monitoring?year={year}&lang=en", REPEAT),
        ("/monitoring/indicators/virsis_e_agreements", REPEAT),
        ("/monitoring/champion", REPEAT),
        ("/monitoring/champion/VZD", REPEAT),
        ("/monitoring/report", REPEAT),
        ("/monitoring/report?lang=en", REPEAT),
        ("/monitoring/report.pdf", PDF_REPEAT),
        ("/monitoring/report.pdf?lang=en", PDF_REPEAT),
        ("/monitoring/values.csv", REPEAT),
        ("/monitoring/indicators.csv", REPEAT),
        ("/api/v1/monitoring/report", REPEAT),
    ]


def _run(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir, log_level="warning")
    db = Database(settings.effective_database_url)
    year = clock.today().year
    with TestClient(create_app(settings, database=db)) as client:
        for path, repeat in _pages(year):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            samples = timed(lambda path=path: client.get(path), repeat)  # type: ignore[misc]
            print(f"GET {path:50} {len(response.content) // 1024:5d} KiB  {summary(samples)}")

    def refresh() -> None:
        with db.session() as session:
            service.refresh(session=session, actor=Actor.system("bench"), year=year)

    print(f"{'refresh (service, commit)':54}        {summary(timed(refresh, 3))}")


def main() -> None:
    existing = os.environ.get("DATI_BENCH_DEMO_DIR")
    if existing:
        _run(Path(existing))
        return
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        settings = Settings(data_dir=data_dir)
        migrate.upgrade(settings.effective_database_url)
        with Database(settings.effective_database_url).session() as session:
            demo_loader.load(session, settings)
        _run(data_dir)


if __name__ == "__main__":
    main()
