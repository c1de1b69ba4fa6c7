"""Alembic, configured in code: one version location per feature, upgraded to all heads."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

PACKAGE_DIR = Path(__file__).resolve().parent.parent
# Alembic branch label -> the feature's folder under src/dati (sub-features nest, as agreements in exchange).
FEATURES = {
    "orgs": "orgs",
    "auth": "auth",
    "catalog": "catalog",
    "exchange": "exchange",
    "agreements": "exchange/agreements",
    "audit": "audit",
    "interop": "interop",
    "portal": "portal",
    "ai": "ai",
    "readiness": "readiness",
    "monitoring": "monitoring",
}


def migrations_dir(label: str) -> Path:
    return PACKAGE_DIR / FEATURES[label] / "migrations"


def version_locations() -> list[str]:
    return [str(migrations_dir(label)) for label in FEATURES if migrations_dir(label).is_dir()]


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(PACKAGE_DIR / "db" / "alembic"))
    cfg.set_main_option("version_locations", " ".join(version_locations()))
    cfg.set_main_option("path_separator", "space")
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(
    url: str | None = None, connection: Connection | None = None, target: str = "heads"
) -> None:
    """Create or upgrade the schema to the newest revision of every feature."""
    command.upgrade(alembic_config(url, connection), target)


def downgrade(
    url: str | None = None, connection: Connection | None = None, target: str = "base"
) -> None:
    command.downgrade(alembic_config(url, connection), target)
