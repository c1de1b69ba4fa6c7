"""Helpers for exchange tests: a store in the test's data dir and small files to publish."""

from __future__ import annotations

from pathlib import Path

import pytest

from dati.exchange.storage import DatasetStore

PEOPLE_SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer"},
        {"name": "vārds", "type": "string", "constraints": {"required": True}},
        {"name": "dzimšanas_datums", "type": "date"},
        {"name": "novads", "type": "string", "constraints": {"enum": ["Rīga", "Jelgava", "Cēsis"]}},
    ],
    "primaryKey": ["id"],
}

PEOPLE_CSV = (
    "id,vārds,dzimšanas_datums,novads\n"
    "1,Jānis,1980-01-02,Rīga\n"
    "2,Līga,1991-12-31,Cēsis\n"
    "3,Ēriks,,Jelgava\n"
)


@pytest.fixture
def store(data_dir: Path) -> DatasetStore:
    return DatasetStore(data_dir / "exchange")


@pytest.fixture
def write(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write bytes or text (UTF-8 unless an encoding is given) to a file in tmp_path."""

    def make(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return make
