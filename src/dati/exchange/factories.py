"""Demo data: the base registers filled with synthetic records, and a few open datasets.

Everything is invented with a fixed seed (Faker lv_LV names, checksummed personal codes and
registration numbers, the real municipality names) and published THROUGH the service as
the demo actor, so the demo's versions, reports and permissions are the real thing.
"""

from __future__ import annotations

import csv
import random
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from faker import Faker
from sqlalchemy.orm import Session

from dati.auth.actor import Actor
from dati.catalog import service as catalog_service
from dati.catalog.models import AccessRights
from dati.catalog.schemas import ResourceCreate
from dati.errors import NotFound
from dati.exchange import service
from dati.exchange.service import SourceSpec
from dati.exchange.storage import DatasetStore
from dati.lv_codes import personal_code_check_digit
from dati.orgs.factories import DATA_DIR as ORGS_DATA
from dati.orgs.factories import synthetic_registration_number

STREETS = (
    "Brīvības",
    "Skolas",
    "Dārza",
    "Rīgas",
    "Liepu",
    "Meža",
    "Ezera",
    "Pils",
    "Lielā",
    "Baznīcas",
    "Parka",
    "Stacijas",
    "Upes",
    "Pļavu",
    "Krasta",
    "Jaunā",
    "Ganību",
    "Saules",
    "Ozolu",
    "Bērzu",
)
WORDS = (
    "Dzintars",
    "Ozols",
    "Saule",
    "Zvaigzne",
    "Avots",
    "Lauks",
    "Mežs",
    "Krasts",
    "Tilts",
    "Ceļš",
    "Dārzs",
    "Gaisma",
    "Vējš",
    "Akmens",
    "Kalns",
    "Upe",
    "Ezers",
    "Liepa",
    "Bite",
    "Stārķis",
)
FORMS = ("SIA", "SIA", "SIA", "AS", "IK", "biedrība", "nodibinājums")
MAKES = (
    "Volkswagen",
    "Toyota",
    "Škoda",
    "Volvo",
    "BMW",
    "Audi",
    "Opel",
    "Ford",
    "Renault",
    "Tesla",
)
FUELS = ("benzīns", "dīzeļdegviela", "elektrība", "hibrīds", "gāze")
PURPOSES = (
    "individuālo dzīvojamo māju apbūve",
    "lauksaimniecība",
    "mežsaimniecība",
    "komercdarbības objektu apbūve",
    "daudzdzīvokļu māju apbūve",
)


def municipalities() -> list[str]:
    with (ORGS_DATA / "municipalities.csv").open(encoding="utf-8") as fh:
        return [row["name_lv"] for row in csv.DictReader(fh)]


def personal_code(rng: random.Random, born: date) -> str:
    century = "1" if born.year < 2000 else "2"
    while True:
        first = f"{born:%d%m%y}{century}{rng.randint(0, 999):03d}"
        digit = personal_code_check_digit(first)
        if digit is not None:
            return f"{first[:6]}-{first[6:]}{digit}"


def _field(name: str, type_: str = "string", **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, **extra}


REQUIRED: dict[str, Any] = {"constraints": {"required": True}}


@dataclass(frozen=True)
class DemoDataset:
    name: str
    title_lv: str
    title_en: str
    owner: str
    access: AccessRights
    schema: dict[str, Any]
    rows: Callable[[random.Random, Faker, list[str]], Iterator[list[Any]]]


def _people(rng: random.Random, fake: Faker, places: list[str]) -> Iterator[list[Any]]:
    seen: set[str] = set()
    while len(seen) < 20000:
        male = rng.random() < 0.48
        born = date(1930, 1, 1) + timedelta(days=rng.randint(0, 34000))
        code = personal_code(rng, born)
        if code in seen:
            continue
        seen.add(code)
        first = fake.first_name_male() if male else fake.first_name_female()
        last = fake.last_name_male() if male else fake.last_name_female()
        yield [
            code,
            first,
            last,
            born.isoformat(),
            "V" if male else "S",
            rng.choice(places),
        ]


def _enterprises(rng: random.Random, fake: Faker, places: list[str]) -> Iterator[list[Any]]:
    seen: set[str] = set()
    while len(seen) < 10000:
        number = synthetic_registration_number(rng, "4000")
        if number in seen:
            continue
        seen.add(number)
        form = rng.choice(FORMS)
        title = (
            f"{form} “{rng.choice(WORDS)} {rng.choice(WORDS).lower()}”"
            if rng.random() < 0.6
            else f"{form} “{fake.last_name_male()}”"
        )
        registered = date(1991, 1, 1) + timedelta(days=rng.randint(0, 12500))
        status = "likvidēts" if rng.random() < 0.12 else "aktīvs"
        yield [number, title, form, registered.isoformat(), rng.choice(places), status]


def _addresses(rng: random.Random, fake: Faker, places: list[str]) -> Iterator[list[Any]]:
    for code in range(100_000_001, 100_020_001):
        place = rng.choice(places)
        yield [
            code,
            f"{rng.choice(STREETS)} iela",
            str(rng.randint(1, 120)),
            place,
            f"LV-{rng.randint(1001, 5799)}",
        ]


def _parcels(rng: random.Random, fake: Faker, places: list[str]) -> Iterator[list[Any]]:
    for index in range(10000):
        number = f"{rng.randint(1000, 9999)}{index:07d}"
        yield [
            number,
            rng.choice(places),
            round(rng.uniform(0.05, 80.0), 4),
            rng.choice(PURPOSES),
            rng.randint(1000, 400000),
        ]


def _vehicles(rng: random.Random, fake: Faker, places: list[str]) -> Iterator[list[Any]]:
    letters = "ABCDEFGHJKLMNOPRSTUVZ"
    seen: set[str] = set()
    while len(seen) < 10000:
        plate = f"{rng.choice(letters)}{rng.choice(letters)}-{rng.randint(1, 9999)}"
        if plate in seen:
            continue
        seen.add(plate)
        yield [
            plate,
            rng.choice(MAKES),
            rng.randint(1995, 2025),
            rng.choice(FUELS),
            rng.choice(places),
        ]


def _population(rng: random.Random, fake: Faker, places: list[str]) -> Iterator[list[Any]]:
    for place in places:
        base = rng.randint(8000, 60000) if place != "Rīga" else 605000
        for year in range(2019, 2026):
            yield [place, year, int(base * (1 - 0.008 * (year - 2019)) + rng.randint(-300, 300))]


def _air(rng: random.Random, fake: Faker, places: list[str]) -> Iterator[list[Any]]:
    stations = (
        "Rīga, Brīvības iela",
        "Rīga, Kronvalda bulvāris",
        "Liepāja",
        "Ventspils",
        "Rēzekne",
        "Valmiera",
    )
    day = date(2025, 1, 1)
    for offset in range(365):
        for station in stations:
            yield [
                station,
                (day + timedelta(days=offset)).isoformat(),
                round(rng.uniform(2, 45), 1),
                round(rng.uniform(5, 60), 1),
            ]


def _libraries(rng: random.Random, fake: Faker, places: list[str]) -> Iterator[list[Any]]:
    for number, place in enumerate(places * 3, start=1):
        yield [
            f"B{number:04d}",
            f"{place.split()[0]} {rng.choice(('centrālā', 'pagasta', 'bērnu'))} bibliotēka",
            place,
            f"{rng.choice(STREETS)} iela {rng.randint(1, 60)}",
            rng.randint(2000, 120000),
        ]


DATASETS = (
    DemoDataset(
        "iedzivotaju-registrs-demo",
        "Fizisko personu reģistrs (sintētisks)",
        "Register of Natural Persons (synthetic)",
        "PMLP",
        AccessRights.RESTRICTED,
        {
            "fields": [
                _field(
                    "personas_kods",
                    classification="personal_identifier",
                    constraints={"required": True, "pattern": "[0-9]{6}-[0-9]{5}"},
                ),
                _field("vards", classification="personal_data", **REQUIRED),
                _field("uzvards", classification="personal_data", **REQUIRED),
                _field("dzimsanas_datums", "date", classification="personal_data"),
                _field("dzimums", constraints={"enum": ["V", "S"]}),
                _field("pasvaldiba"),
            ],
            "primaryKey": ["personas_kods"],
        },
        _people,
    ),
    DemoDataset(
        "uznemumu-registrs-demo",
        "Uzņēmumu reģistrs (sintētisks)",
        "Register of Enterprises (synthetic)",
        "UR",
        AccessRights.PUBLIC,
        {
            "fields": [
                _field(
                    "registracijas_numurs", constraints={"required": True, "pattern": "[0-9]{11}"}
                ),
                _field("nosaukums", **REQUIRED),
                _field("forma"),
                _field("registrets", "date"),
                _field("pasvaldiba"),
                _field("statuss", constraints={"enum": ["aktīvs", "likvidēts"]}),
            ],
            "primaryKey": ["registracijas_numurs"],
        },
        _enterprises,
    ),
    DemoDataset(
        "adresu-registrs-demo",
        "Adrešu reģistrs (sintētisks)",
        "Address Register (synthetic)",
        "VZD",
        AccessRights.PUBLIC,
        {
            "fields": [
                _field("adreses_kods", "integer", **REQUIRED),
                _field("iela"),
                _field("maja"),
                _field("pasvaldiba"),
                _field("pasta_indekss"),
            ],
            "primaryKey": ["adreses_kods"],
        },
        _addresses,
    ),
    DemoDataset(
        "kadastrs-demo",
        "Nekustamā īpašuma kadastrs (sintētisks)",
        "Real Estate Cadastre (synthetic)",
        "VZD",
        AccessRights.RESTRICTED,
        {
            "fields": [
                _field("kadastra_numurs", **REQUIRED),
                _field("pasvaldiba"),
                _field("platiba_ha", "number", constraints={"minimum": 0}),
                _field("lietosanas_merkis"),
                _field("kadastra_vertiba", "integer"),
            ],
            "primaryKey": ["kadastra_numurs"],
        },
        _parcels,
    ),
    DemoDataset(
        "transportlidzekli-demo",
        "Transportlīdzekļu reģistrs (sintētisks)",
        "Vehicle Register (synthetic)",
        "CSDD",
        AccessRights.RESTRICTED,
        {
            "fields": [
                _field("numurs", **REQUIRED),
                _field("marka"),
                _field("izlaiduma_gads", "integer"),
                _field("degviela"),
                _field("pasvaldiba"),
            ],
            "primaryKey": ["numurs"],
        },
        _vehicles,
    ),
    DemoDataset(
        "pasvaldibu-iedzivotaju-skaits",
        "Iedzīvotāju skaits pašvaldībās",
        "Population by municipality",
        "PMLP",
        AccessRights.PUBLIC,
        {
            "fields": [
                _field("pasvaldiba", **REQUIRED),
                _field("gads", "integer", **REQUIRED),
                _field("iedzivotaji", "integer", constraints={"minimum": 0}),
            ],
            "primaryKey": ["pasvaldiba", "gads"],
        },
        _population,
    ),
    DemoDataset(
        "gaisa-kvalitate-2025",
        "Gaisa kvalitātes mērījumi 2025",
        "Air quality measurements 2025",
        "VARAM",
        AccessRights.PUBLIC,
        {
            "fields": [
                _field("stacija", **REQUIRED),
                _field("datums", "date", **REQUIRED),
                _field("pm10", "number"),
                _field("no2", "number"),
            ],
            "primaryKey": ["stacija", "datums"],
        },
        _air,
    ),
    DemoDataset(
        "publiskas-bibliotekas",
        "Publiskās bibliotēkas",
        "Public libraries",
        "KM",
        AccessRights.PUBLIC,
        {
            "fields": [
                _field("kods", **REQUIRED),
                _field("nosaukums"),
                _field("pasvaldiba"),
                _field("adrese"),
                _field("krajums", "integer"),
            ],
            "primaryKey": ["kods"],
        },
        _libraries,
    ),
)


def _ensure_resource(session: Session, actor: Actor, demo: DemoDataset) -> bool:
    """Create the catalogue resource unless it exists; False when its owner is not loaded."""
    try:
        catalog_service.find_resource(session, demo.name)
        return True
    except NotFound:
        pass
    from dati.orgs.service import find_by_short_name

    if find_by_short_name(session, demo.owner) is None:
        return False
    catalog_service.create_resource(
        session=session,
        actor=actor,
        data=ResourceCreate(
            name=demo.name,
            title_lv=demo.title_lv,
            title_en=demo.title_en,
            owner=demo.owner,
            access_rights=demo.access,
        ),
    )
    catalog_service.set_table_schema(
        session=session, actor=actor, name=demo.name, schema=demo.schema
    )
    return True


def load_demo(session: Session, actor: Actor, store: DatasetStore) -> list[str]:
    """Publish every demo dataset that has no data yet; returns one line per dataset published."""
    lines = []
    places = municipalities()
    for index, demo in enumerate(DATASETS):
        if not _ensure_resource(session, actor, demo):
            continue
        resource = catalog_service.find_resource(session, demo.name)
        if service.current_version(session, resource.id) is not None:
            continue
        rng = random.Random(2026 + index)  # noqa: S311 - synthetic demo data, not security
        fake = Faker("lv_LV")
        fake.seed_instance(2026 + index)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"{demo.name}.csv"
            with path.open("w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow([f["name"] for f in demo.schema["fields"]])
                writer.writerows(demo.rows(rng, fake, places))
            result = service.publish_version(
                session=session,
                actor=actor,
                name=demo.name,
                source=SourceSpec(path=path, name=path.name),
                store=store,
            )
        lines.append(
            f"data: {demo.name} version {result.version.number}, {result.version.rows} rows"
        )
    return lines
