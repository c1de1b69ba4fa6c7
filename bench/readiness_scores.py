"""Readiness aggregates on the demo rounds (100 institutions, ~3000 answers): the service's
national averages and per-question distributions against the same aggregate written as one
raw SQL query on the same engine (the floor), plus the full national-overview page."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

from bench.common import summary, timed
from dati.auth import factories as auth_factories
from dati.auth.actor import Actor
from dati.config import Settings
from dati.db import migrate
from dati.db.database import Database
from dati.orgs import factories as orgs_factories
from dati.readiness import factories as readiness_factories
from dati.readiness.services import distributions, results
from dati.web.app import create_app

RAW_NATIONAL = """
SELECT s.dimension_code, AVG(s.score), COUNT(s.score)
FROM readiness_score s JOIN readiness_assessment a ON a.id = s.assessment_id
WHERE a.round_id = :round AND a.status = 'SUBMITTED' GROUP BY s.dimension_code
"""
RAW_DISTRIBUTION = """
SELECT c.option_id, COUNT(*)
FROM readiness_answer_choice c JOIN readiness_answer r ON r.id = c.answer_id
JOIN readiness_assessment a ON a.id = r.assessment_id
WHERE a.round_id = :round AND a.status = 'SUBMITTED' GROUP BY c.option_id
"""


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        migrate.upgrade(url)
        db = Database(url)
        actor = Actor.system("bench")
        with db.session() as session:
            orgs_factories.load_demo(session, actor)
            auth_factories.load_demo(session, actor)
            readiness_factories.load_demo(session, actor)
        round_id = 1  # the closed 2024 baseline: 100 submitted assessments
        with db.session() as session:
            cases = [
                (
                    "service national_overview",
                    lambda: results.national_overview(
                        session=session, actor=actor, round_id=round_id
                    ),
                ),
                (
                    "raw SQL national averages",
                    lambda: session.execute(text(RAW_NATIONAL), {"round": round_id}).all(),
                ),
                (
                    "service question_distributions",
                    lambda: distributions.question_distributions(
                        session=session, actor=actor, round_id=round_id
                    ),
                ),
                (
                    "raw SQL option counts",
                    lambda: session.execute(text(RAW_DISTRIBUTION), {"round": round_id}).all(),
                ),
            ]
            for label, fn in cases:
                fn()  # warm the identity map and statement cache
                print(f"{label}: {summary(timed(fn, 200))}")
        settings = Settings(data_dir=Path(tmp), secret_key="b" * 32, log_level="warning")
        with TestClient(create_app(settings, database=db)) as client:
            page = client.get("/login").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', page)
            assert token is not None
            client.post(
                "/login",
                data={
                    "username": "auditor",
                    "password": auth_factories.DEMO_PASSWORD,
                    "csrf_token": token.group(1),
                },
            )
            path = f"/readiness/rounds/{round_id}/results"
            assert client.get(path).status_code == 200
            print(
                f"national overview page (auditor, in-process): {summary(timed(lambda: client.get(path), 50))}"
            )
        db.dispose()
