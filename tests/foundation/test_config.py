"""Settings from DATI_* variables; bad values stop start-up naming the setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from dati.config import ConfigError, load_settings


def test_environment_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATI_DEFAULT_LANGUAGE", "en")
    settings = load_settings()
    assert settings.data_dir == tmp_path and settings.default_language == "en"
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'dati.sqlite3'}"


def test_cli_flags_override_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATI_DATA_DIR", "/nowhere")
    assert load_settings(data_dir=tmp_path).data_dir == tmp_path


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATI_DEFAULT_LANGUAGE", "de"),
        ("DATI_BASE_URL", "ftp://x"),
        ("DATI_DATABASE_URL", "mysql://x/y"),
        ("DATI_LOGIN_MAX_FAILURES", "many"),
    ],
)
def test_bad_value_names_the_setting(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as exc:
        load_settings()
    assert variable in str(exc.value)


def test_postgres_urls_use_psycopg(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATI_DATABASE_URL", "postgresql://u:p@localhost/dati")
    assert load_settings().effective_database_url == "postgresql+psycopg://u:p@localhost/dati"


def test_secret_key_is_generated_once_per_data_dir(tmp_path: Path) -> None:
    first = load_settings(data_dir=tmp_path).effective_secret_key
    assert load_settings(data_dir=tmp_path).effective_secret_key == first
    assert (tmp_path / "secret.key").stat().st_mode & 0o077 == 0
