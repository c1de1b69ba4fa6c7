"""Interop test helpers: a small but complete catalogue built through the catalogue service."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import ckanapi
import pytest
import uvicorn
from fastapi import FastAPI
from pyshacl import validate
from rdflib import Graph
from rdflib.namespace import SH
from sqlalchemy.orm import Session

from dati.auth.actor import Actor
from dati.catalog import distributions
from dati.catalog import service as catalog_service
from dati.catalog.models import AccessRights, Resource
from dati.catalog.schemas import DataServiceCreate, DistributionCreate, ResourceCreate
from tests.catalog import conftest as catalog_conftest

DATA = Path(__file__).resolve().parent / "data"

# The catalogue's own fixture: resources made through its service as the system actor.
MakeResource = catalog_conftest.MakeResource
make_resource = catalog_conftest.make_resource


def add_data_service(session: Session, system: Actor, **values: Any) -> None:
    """A public data service of VZD (unless ``owner`` says otherwise)."""
    values.setdefault("owner", "VZD")
    values.setdefault("access_rights", AccessRights.PUBLIC)
    distributions.create_data_service(
        session=session, actor=system, data=DataServiceCreate(**values)
    )


@pytest.fixture
def sample_catalogue(
    session: Session, system: Actor, make_resource: MakeResource
) -> list[Resource]:
    """An address register (HVD, with a data service), a statistics table and a closed register."""
    addresses = make_resource(
        "Valsts adrešu reģistrs",
        owner="VZD",
        title_en="State Address Register",
        description_lv="Adrešu punkti ar koordinātām.",
        description_en="Address points with coordinates.",
        keywords_lv=["adreses", "ģeotelpiskie dati"],
        keywords_en=["addresses"],
        themes=["REGI", "GOVE"],
        contact_name="VZD Klientu centrs",
        contact_email="info@vzd.gov.lv",
        spatial="LV",
        temporal_start=date(2010, 1, 1),
        frequency="DAILY",
        issued=date(2015, 3, 1),
        modified=date(2026, 10, 1),
        licence="CC_BY_4_0",
        landing_page="https://www.vzd.gov.lv/lv/adresu-registrs",
        hvd_category="c_ac64a52d",
    )
    add_data_service(
        session,
        system,
        name="vzd-adresu-api",
        title_lv="Adrešu reģistra API",
        title_en="Address register API",
        endpoint_url="https://api.vzd.gov.lv/adreses",
        endpoint_description="https://api.vzd.gov.lv/adreses/openapi.json",
        licence="CC_BY_4_0",
        serves=[addresses.name],
    )
    for values in (
        {
            "title_lv": "Adreses CSV",
            "access_url": "https://data.gov.lv/dati/lv/dataset/adreses",
            "download_url": "https://data.gov.lv/dati/adreses.csv",
            "format": "CSV",
            "media_type": "text/csv",
            "byte_size": 123456,
        },
        {
            "title_lv": "Adrešu API",
            "access_url": "https://api.vzd.gov.lv/adreses",
            "format": "JSON",
            "access_service": "vzd-adresu-api",
        },
    ):
        distributions.add_distribution(
            session=session, actor=system, name=addresses.name, data=DistributionCreate(**values)
        )
    statistics = make_resource(
        "Iedzīvotāju skaits pašvaldībās",
        owner="riga",
        description_lv="Iedzīvotāju skaits gada sākumā.",
        themes=["SOCI"],
        spatial="LV-RIX",
        temporal_start=date(2020, 1, 1),
        temporal_end=date(2024, 12, 31),
        frequency="ANNUAL",
        licence="https://creativecommons.org/publicdomain/zero/1.0/",
        rights="Atsauce uz avotu obligāta.",
    )
    distributions.add_distribution(
        session=session,
        actor=system,
        name=statistics.name,
        data=DistributionCreate(
            title_lv="Tabula",
            access_url="https://riga.lv/dati/iedzivotaji",
            download_url="https://riga.lv/dati/iedzivotaji.ods",
            format="ODS",
            licence="CC0",
        ),
    )
    register = make_resource(
        "Fizisko personu reģistrs",
        owner="PMLP",
        access_rights=AccessRights.NON_PUBLIC,
        personal_data=True,
        contact_email="pasts@pmlp.gov.lv",
    )
    session.flush()
    for r in (addresses, statistics, register):
        session.refresh(r)
    return [addresses, statistics, register]


@cache
def _shapes(hvd: bool) -> Graph:
    if hvd:
        return Graph().parse(DATA / "dcat-ap-hvd-3.0.0-SHACL.ttl")
    shapes = (
        Graph().parse(DATA / "dcat-ap-3.0.1-SHACL.ttl").parse(DATA / "dcat-ap-3.0.1-ranges.ttl")
    )
    # The published files list a few property shapes (5 of 297) that neither defines;
    # pyshacl refuses dangling references, so they are dropped. Every defined shape is kept.
    for shape, prop in list(shapes.subject_objects(SH.property)):
        if (prop, SH.path, None) not in shapes:
            shapes.remove((shape, SH.property, prop))
    return shapes


def shacl_report(graph: Graph, *, hvd: bool = False) -> str | None:
    """None when ``graph`` conforms to DCAT-AP 3.0.1 (or DCAT-AP HVD), else the report text."""
    conforms, _, text = validate(graph, shacl_graph=_shapes(hvd))
    return None if conforms else str(text)


ROADS_SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer"},
        {"name": "nosaukums", "type": "string"},
        {"name": "novads", "type": "string"},
        {"name": "garums_km", "type": "number"},
        {"name": "atjaunots", "type": "date"},
    ],
    "primaryKey": ["id"],
}
ROADS_CSV = (
    "id,nosaukums,novads,garums_km,atjaunots\n"
    "1,Rīgas apvedceļš,Rīga,41.2,2024-05-01\n"
    "2,Jelgavas šoseja,Jelgava,38.5,2023-09-12\n"
    "3,Cēsu ceļš,Cēsis,12.0,\n"
    "4,Valmieras iela,Rīga,3.4,2025-01-20\n"
)


@pytest.fixture
def published(session: Session, system: Actor, data_dir: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Publish CSV text into a new resource through the exchange; returns the resource."""
    from dati.exchange import service as exchange_service
    from dati.exchange.service import SourceSpec
    from dati.exchange.storage import DatasetStore

    store = DatasetStore(data_dir / "exchange")

    def publish(
        name: str,
        csv_text: str = ROADS_CSV,
        schema: dict = ROADS_SCHEMA,
        access: AccessRights = AccessRights.PUBLIC,
        owner: str = "VZD",
    ) -> Resource:
        resource = catalog_service.create_resource(
            session=session,
            actor=system,
            data=ResourceCreate(name=name, title_lv=name, owner=owner, access_rights=access),
        )
        catalog_service.set_table_schema(session=session, actor=system, name=name, schema=schema)
        path = tmp_path / f"{name}.csv"
        path.write_text(csv_text, encoding="utf-8")
        exchange_service.publish_version(
            session=session,
            actor=system,
            name=name,
            source=SourceSpec(path=path, name=path.name),
            store=store,
        )
        session.flush()
        return resource

    return publish


@pytest.fixture
def live_url(app: FastAPI) -> Iterator[str]:
    """The test app served by uvicorn on a free loopback port, in this process."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


@pytest.fixture
def ckan(live_url: str) -> Iterator[ckanapi.RemoteCKAN]:
    with ckanapi.RemoteCKAN(live_url) as remote:
        yield remote
