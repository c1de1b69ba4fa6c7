"""One settings object, read from ``DATI_*`` environment variables and CLI flags."""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConfigError(Exception):
    """A setting has a bad value; the message names the setting and how to fix it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DATI_", extra="ignore")

    data_dir: Path = Field(
        default=Path("data"), description="Where the database and datasets live."
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default is SQLite in the data dir."
    )
    secret_key: str | None = Field(
        default=None, description="Signs sessions and encrypts keys; generated once per data dir."
    )
    base_url: str = Field(default="http://127.0.0.1:8000", description="Public base URL.")
    default_language: Literal["lv", "en"] = "lv"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_json: bool = True
    smtp_url: str | None = None
    login_max_failures: int = Field(default=5, ge=1, le=100)
    login_lockout_seconds: int = Field(default=900, ge=1)
    session_hours: int = Field(default=12, ge=1, le=24 * 30)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if value.startswith("postgres://"):
            value = "postgresql://" + value.removeprefix("postgres://")
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        if not value.startswith(("sqlite", "postgresql+psycopg://")):
            raise ValueError("only sqlite:/// and postgresql:// URLs are supported")
        return value

    @cached_property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'dati.sqlite3').resolve()}"

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    @cached_property
    def effective_secret_key(self) -> str:
        """The configured secret, or one generated and kept in the data dir (mode 0600)."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret.key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.touch(mode=0o600)
        path.write_text(key)
        return key


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment plus CLI overrides; a bad value raises ConfigError."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**clean)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "?"
            problems.append(f"DATI_{name.upper()}: {error['msg']} (got {error.get('input')!r})")
        raise ConfigError("Invalid configuration:\n  " + "\n  ".join(problems)) from None
