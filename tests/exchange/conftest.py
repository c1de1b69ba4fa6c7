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


@pytest.fixture
def make_resource(session, system):  # type: ignore[no-untyped-def]
    """A catalogue resource owned by VZD, with the people schema unless told otherwise."""
    from dati.catalog import service as catalog_service
    from dati.catalog.models import AccessRights
    from dati.catalog.schemas import ResourceCreate

    def make(
        name: str = "iedzivotaji",
        owner: str = "VZD",
        access: AccessRights = AccessRights.PUBLIC,
        schema: dict | None = PEOPLE_SCHEMA,
    ):  # type: ignore[no-untyped-def]
        resource = catalog_service.create_resource(
            session=session,
            actor=system,
            data=ResourceCreate(
                name=name, title_lv=name.title(), owner=owner, access_rights=access
            ),
        )
        if schema is not None:
            catalog_service.set_table_schema(
                session=session, actor=system, name=name, schema=schema
            )
        session.flush()
        return resource

    return make


@pytest.fixture
def publish(session, system, store, write):  # type: ignore[no-untyped-def]
    """Publish text or a path into a resource as ``actor`` (the system actor by default)."""
    from dati.exchange import service
    from dati.exchange.service import SourceSpec

    def run(
        name: str, content: str | bytes | Path, *, actor=None, filename: str = "data.csv", **options
    ):  # type: ignore[no-untyped-def]
        path = content if isinstance(content, Path) else write(filename, content)
        spec = SourceSpec(
            path=path,
            name=path.name,
            delimiter=options.pop("delimiter", None),
            encoding=options.pop("encoding", None),
        )
        return service.publish_version(
            session=session,
            actor=actor or system,
            name=name,
            source=spec,
            store=store,
            **options,
        ).version

    return run


@pytest.fixture(autouse=True)
def english_messages():  # type: ignore[no-untyped-def]
    """Service-level tests read messages in English; HTTP requests choose their own language."""
    from dati import i18n

    i18n.set_language("en")
    yield
    i18n.set_language(i18n.DEFAULT_LANGUAGE)
