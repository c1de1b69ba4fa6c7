"""Shared fixtures: a migrated database per test worker, a rolled-back transaction per test,
the app bound to that transaction, and helpers to make users and log them in.

Set DATI_TEST_DATABASE_URL=postgresql://... to run the same suite on PostgreSQL.
"""

from __future__ import annotations

import warnings

# Starlette warns at import time that its TestClient will move to httpx2; nothing to act on yet.
warnings.filterwarnings("ignore", message="Using `httpx` with")

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from dati.auth import service as auth_service
from dati.auth.actor import Actor, Role
from dati.auth.schemas import UserCreate
from dati.config import Settings
from dati.db import migrate
from dati.db.database import Database, make_engine
from dati.orgs import factories as orgs_factories
from dati.web.app import create_app

TEST_PASSWORD = "correct-horse-battery"


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def postgres_url() -> str | None:
    url = os.environ.get("DATI_TEST_DATABASE_URL")
    if not url:
        return None
    return (
        url.replace("postgresql://", "postgresql+psycopg://", 1)
        if url.startswith("postgresql://")
        else url
    )


def fresh_database_url(tmp_dir: Path, name: str) -> str:
    """An empty database: a new PostgreSQL database per worker and name, or a new SQLite file."""
    base = postgres_url()
    if base is None:
        return f"sqlite:///{tmp_dir / (name + '.sqlite3')}"
    db_name = re.sub(r"\W", "_", f"dati_{name}_{_worker()}").lower()
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{db_name}"'))
    admin.dispose()
    return make_url(base).set(database=db_name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    url = fresh_database_url(tmp_path_factory.mktemp("db"), "test")
    migrate.upgrade(url)
    eng = make_engine(url)
    # Reference organisations are shared by every test and never modified by them.
    with Database(bind=eng).session() as session:
        orgs_factories.load_demo(session, Actor.system("tests"))
    yield eng
    eng.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    conn = engine.connect()
    outer = conn.begin()
    yield conn
    if outer.is_active:
        outer.rollback()
    conn.close()


@pytest.fixture
def db(connection: Connection) -> Database:
    return Database(bind=connection)


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    s = db.new_session()
    yield s
    s.close()


@pytest.fixture
def system() -> Actor:
    return Actor.system("tests")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return Settings(
        data_dir=data_dir,
        secret_key="test-secret-key-0123456789",
        log_json=True,
        log_level="warning",
    )


@pytest.fixture
def app(settings: Settings, db: Database):  # type: ignore[no-untyped-def]
    return create_app(settings, database=db)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


MakeUser = Callable[..., Actor]


@pytest.fixture
def make_user(session: Session, system: Actor) -> MakeUser:
    """Create a user holding the given (role, org short name) grants; returns its actor."""

    def make(
        username: str, *grants: tuple[Role, str | None], password: str = TEST_PASSWORD
    ) -> Actor:
        user = auth_service.create_user(
            session=session,
            actor=system,
            data=UserCreate(username=username, display_name=username.title(), password=password),
        )
        for role, org in grants:
            auth_service.grant_role(
                session=session, actor=system, username=username, role=role, org=org
            )
        session.commit()
        session.refresh(user)
        return auth_service.actor_for_user(user)

    return make


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


@pytest.fixture
def login(client: TestClient) -> Callable[[str], TestClient]:
    """Log the test client in through the real login form."""

    def do(username: str, password: str = TEST_PASSWORD) -> TestClient:
        token = csrf_from(client.get("/login").text)
        r = client.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": token},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
        return client

    return do
