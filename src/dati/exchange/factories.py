"""Demo data: synthetic records published into the catalogue's described registers.

The catalogue's demo (``catalog/data/demo_catalogue.json``) describes each register once: its
metadata, access rights and fields. This module fills those same resources with invented
records, so one resource shows the whole loop: described, published (as versions), shared
under agreements. The columns written are the resource's described fields, in their order; a
generator that produced a column the catalogue does not describe would fail the demo.

Everything is invented with fixed seeds (Faker lv_LV names, checksummed personal codes and
registration numbers, the real municipality names) and forms one small consistent country:
people, enterprises and parcels sit at addresses of the address register, vehicles belong to
people and enterprises of the other registers. It is published THROUGH the service as the demo
actor, so the demo's versions, reports and permissions are the real thing.
"""

from __future__ import annotations

import csv
import itertools
import random
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

from faker import Faker
from sqlalchemy.orm import Session

from dati.auth.actor import Actor
from dati.catalog import service as catalog_service
from dati.errors import NotFound
from dati.exchange import service
from dati.exchange.service import SourceSpec
from dati.exchange.storage import DatasetStore
from dati.lv_codes import personal_code_check_digit
from dati.orgs.factories import DATA_DIR as ORGS_DATA
from dati.orgs.factories import synthetic_registration_number

# The catalogue's registers the demo fills (agreements and tests refer to them by these names).
POPULATION = "fizisko-personu-registrs"
ENTERPRISES = "uznemumu-registrs"
ADDRESSES = "valsts-adresu-registrs"
CADASTRE = "nekustama-ipasuma-kadastrs"
VEHICLES = "transportlidzeklu-registrs"
POPULATION_BY_MUNICIPALITY = "iedzivotaju-skaits-pasvaldibas"

# The first address is a fixed one in Rīga: the demo citizen's declared residence.
DEMO_HOME: dict[str, Any] = {
    "adreses_kods": 100_000_001,
    "iela": "Lāčplēša iela",
    "maja": "25",
    "pasvaldiba": "Rīga",
    "pasta_indekss": "LV-1011",
}

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


MODELS = {
    "Volkswagen": ("Golf", "Passat", "Tiguan", "ID.4"),
    "Toyota": ("Corolla", "RAV4", "Yaris", "Avensis"),
    "Škoda": ("Octavia", "Fabia", "Superb", "Kodiaq"),
    "Volvo": ("V70", "XC60", "XC90", "V60"),
    "BMW": ("320d", "520d", "X5", "i3"),
    "Audi": ("A4", "A6", "Q5", "e-tron"),
    "Opel": ("Astra", "Corsa", "Zafira", "Insignia"),
    "Ford": ("Focus", "Mondeo", "Transit", "Kuga"),
    "Renault": ("Clio", "Megane", "Kangoo", "Zoe"),
    "Tesla": ("Model 3", "Model Y", "Model S", "Model X"),
}
VIN_PREFIXES = {
    "Volkswagen": "WVW",
    "Toyota": "JTD",
    "Škoda": "TMB",
    "Volvo": "YV1",
    "BMW": "WBA",
    "Audi": "WAU",
    "Opel": "W0L",
    "Ford": "WF0",
    "Renault": "VF1",
    "Tesla": "5YJ",
}
VIN_CHARACTERS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
PLATE_LETTERS = "ABCDEFGHJKLMNOPRSTUVZ"
CITIZENSHIPS = ("LVA",) * 17 + ("RUS", "UKR", "LTU", "BLR", "EST", "DEU")
# Recorded only at the person's request (a special category of personal data).
ETHNICITIES = (
    ("latvietis", "latviete"),
    ("latvietis", "latviete"),
    ("latvietis", "latviete"),
    ("krievs", "krieviete"),
    ("baltkrievs", "baltkrieviete"),
    ("ukrainis", "ukrainiete"),
    ("polis", "poliete"),
    ("lietuvietis", "lietuviete"),
)
NACE = ("62.01", "47.11", "41.20", "49.41", "68.20", "56.10", "01.11", "70.22", "43.21", "86.21")


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str
    city: bool  # a state city (valstspilsēta) rather than a county (novads)


def municipalities() -> list[str]:
    return [m.name for m in _municipalities()]


def _municipalities() -> list[Municipality]:
    with (ORGS_DATA / "municipalities.csv").open(encoding="utf-8") as fh:
        return [
            Municipality(row["iso_code"], row["name_lv"], row["type"] == "valstspilsēta")
            for row in csv.DictReader(fh)
        ]


def personal_code(rng: random.Random, born: date) -> str:
    century = "1" if born.year < 2000 else "2"
    while True:
        first = f"{born:%d%m%y}{century}{rng.randint(0, 999):03d}"
        digit = personal_code_check_digit(first)
        if digit is not None:
            return f"{first[:6]}-{first[6:]}{digit}"


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _seeded(seed: int) -> tuple[random.Random, Faker]:
    fake = Faker("lv_LV")
    fake.seed_instance(seed)
    return random.Random(seed), fake  # noqa: S311 - synthetic demo data, not security


class World:
    """The synthetic country, made once per demo run; each part from a seed of its own, so the
    records are the same whichever registers a run publishes."""

    ADDRESSES = 20_000
    PEOPLE = 20_000
    ENTERPRISES = 10_000

    @cached_property
    def places(self) -> list[Municipality]:
        return _municipalities()

    @cached_property
    def _place_weights(self) -> list[int]:
        return list(
            itertools.accumulate(
                40 if m.name == "Rīga" else 4 if m.city else 1 for m in self.places
            )
        )

    def place(self, rng: random.Random) -> Municipality:
        """A municipality, weighted roughly by size: Rīga large, state cities middling."""
        return rng.choices(self.places, cum_weights=self._place_weights)[0]

    @cached_property
    def addresses(self) -> list[dict[str, Any]]:
        rng, _fake = _seeded(2026)
        centres = {
            m.name: (rng.randint(320_000, 740_000), rng.randint(180_000, 430_000))
            for m in self.places
        }
        postcodes = {m.name: 1000 + 100 * i for i, m in enumerate(self.places)}
        rows: list[dict[str, Any]] = []
        for code in range(DEMO_HOME["adreses_kods"], DEMO_HOME["adreses_kods"] + self.ADDRESSES):
            place = self.place(rng).name
            street, house = f"{rng.choice(STREETS)} iela", str(rng.randint(1, 120))
            postcode = f"LV-{postcodes[place] + rng.randint(1, 99)}"
            if code == DEMO_HOME["adreses_kods"]:
                place, street, house = DEMO_HOME["pasvaldiba"], DEMO_HOME["iela"], DEMO_HOME["maja"]
                postcode = DEMO_HOME["pasta_indekss"]
            x, y = centres[place]
            rows.append(
                {
                    "adreses_kods": code,
                    "tips": "ēka",
                    "adrese": f"{street} {house}, {place}, {postcode}",
                    "iela": street,
                    "maja": house,
                    "pasvaldiba": place,
                    "pasta_indekss": postcode,
                    "lks92_x": round(x + rng.uniform(-6000, 6000), 2),
                    "lks92_y": round(y + rng.uniform(-6000, 6000), 2),
                    "statuss": "DEL" if rng.random() < 0.02 else "EKS",
                    "derigs_no": _day(rng, date(2009, 1, 1), date(2026, 10, 31)).isoformat(),
                }
            )
        return rows

    def address(self, rng: random.Random) -> dict[str, Any]:
        """An existing address (never the demo citizen's home)."""
        while True:
            row = self.addresses[rng.randint(1, len(self.addresses) - 1)]
            if row["statuss"] == "EKS":
                return row

    @cached_property
    def people(self) -> list[dict[str, Any]]:
        rng, fake = _seeded(2027)
        seen: set[str] = set()
        rows: list[dict[str, Any]] = []
        while len(rows) < self.PEOPLE:
            male = rng.random() < 0.48
            born = _day(rng, date(1930, 1, 1), date(2025, 12, 31))
            code = personal_code(rng, born)
            if code in seen:
                continue
            seen.add(code)
            home = self.address(rng)
            died = _day(rng, born, date(2026, 10, 31)) if rng.random() < 0.03 else None
            rows.append(
                {
                    "personas_kods": code,
                    "vards": fake.first_name_male() if male else fake.first_name_female(),
                    "uzvards": fake.last_name_male() if male else fake.last_name_female(),
                    "dzimsanas_datums": born.isoformat(),
                    "dzimums": "V" if male else "S",
                    "pilsoniba": rng.choice(CITIZENSHIPS),
                    "tautiba": rng.choice(ETHNICITIES)[0 if male else 1]
                    if rng.random() < 0.3
                    else "",
                    "deklaretas_adreses_kods": home["adreses_kods"],
                    "pasvaldiba": home["pasvaldiba"],
                    "majsaimniecibas_numurs": home["adreses_kods"] * 10 + rng.randint(1, 3),
                    "mirsanas_datums": died.isoformat() if died else "",
                    "statuss": "miris" if died else "aktīvs",
                }
            )
        return rows

    @cached_property
    def enterprises(self) -> list[dict[str, Any]]:
        rng, fake = _seeded(2028)
        seen: set[str] = set()
        rows: list[dict[str, Any]] = []
        while len(rows) < self.ENTERPRISES:
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
            registered = _day(rng, date(1991, 1, 1), date(2025, 6, 30))
            closed = _day(rng, registered, date(2026, 10, 31)) if rng.random() < 0.12 else None
            seat = self.address(rng)
            rows.append(
                {
                    "registracijas_numurs": number,
                    "nosaukums": title,
                    "tips": form,
                    "juridiskas_adreses_kods": seat["adreses_kods"],
                    "pasvaldiba": seat["pasvaldiba"],
                    "registrets": registered.isoformat(),
                    "likvidets": closed.isoformat() if closed else "",
                    "nace_kods": rng.choice(NACE),
                    "statuss": "likvidēts" if closed else "aktīvs",
                }
            )
        return rows


def _parcels(world: World) -> Iterator[dict[str, Any]]:
    rng, _fake = _seeded(2029)
    for index in range(10000):
        number = f"{rng.randint(1000, 9999)}{index:07d}"
        site = world.address(rng) if rng.random() < 0.7 else None
        yield {
            "kadastra_numurs": number,
            "kadastra_apzimejums": f"{number[:4]}{rng.randint(0, 9_999_999):07d}",
            "objekta_tips": "zemes vienība",
            "adreses_kods": site["adreses_kods"] if site else "",
            "pasvaldiba": site["pasvaldiba"] if site else world.place(rng).name,
            "platiba_ha": round(rng.uniform(0.05, 80.0), 4),
            "lietosanas_merkis": rng.choice(PURPOSES),
            "kadastrala_vertiba": rng.randint(1000, 400000),
            "vertibas_datums": rng.choice(("2024-01-01", "2025-01-01", "2026-01-01")),
            "registrets": _day(rng, date(1998, 1, 1), date(2026, 10, 31)).isoformat(),
        }


def _vehicles(world: World) -> Iterator[dict[str, Any]]:
    rng, _fake = _seeded(2030)
    living = [
        p for p in world.people if p["statuss"] == "aktīvs" and p["dzimsanas_datums"] < "2008"
    ]
    active = [e for e in world.enterprises if e["statuss"] == "aktīvs"]
    plates: set[str] = set()
    vins: set[str] = set()
    while len(plates) < 10000:
        plate = f"{rng.choice(PLATE_LETTERS)}{rng.choice(PLATE_LETTERS)}-{rng.randint(1, 9999)}"
        make = rng.choice(MAKES)
        vin = VIN_PREFIXES[make] + "".join(rng.choice(VIN_CHARACTERS) for _ in range(14))
        if plate in plates or vin in vins:
            continue
        plates.add(plate)
        vins.add(vin)
        person = rng.choice(living) if rng.random() < 0.75 else None
        firm = None if person else rng.choice(active)
        keeper = rng.choice(living) if firm and rng.random() < 0.6 else None
        yield {
            "vin": vin,
            "numura_zime": plate,
            "marka": make,
            "modelis": rng.choice(MODELS[make]),
            "izlaiduma_gads": rng.randint(1995, 2025),
            "kategorija": rng.choices(("M1", "N1", "L3e"), (90, 7, 3))[0],
            "degviela": "elektrība" if make == "Tesla" else rng.choice(FUELS),
            "tehniska_apskate_lidz": _day(rng, date(2025, 12, 1), date(2027, 12, 31)).isoformat(),
            "pasvaldiba": (keeper or person or firm or {})["pasvaldiba"],
            "ipasnieka_personas_kods": person["personas_kods"] if person else "",
            "ipasnieka_registracijas_numurs": firm["registracijas_numurs"] if firm else "",
            "turetaja_personas_kods": keeper["personas_kods"] if keeper else "",
        }


def _population(world: World) -> Iterator[dict[str, Any]]:
    rng, _fake = _seeded(2031)
    for place in world.places:
        base = 605000 if place.name == "Rīga" else rng.randint(8000, 60000)
        for year in range(2019, 2026):
            yield {
                "pasvaldibas_kods": place.code,
                "pasvaldiba": place.name,
                "gads": year,
                "iedzivotaju_skaits": int(base * (1 - 0.008 * (year - 2019)))
                + rng.randint(-300, 300),
            }


def _air(world: World) -> Iterator[dict[str, Any]]:
    rng, _fake = _seeded(2032)
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
            yield {
                "stacija": station,
                "datums": (day + timedelta(days=offset)).isoformat(),
                "pm10": round(rng.uniform(2, 45), 1),
                "no2": round(rng.uniform(5, 60), 1),
            }


def _libraries(world: World) -> Iterator[dict[str, Any]]:
    rng, _fake = _seeded(2033)
    names = [m.name for m in world.places]
    for number, place in enumerate(names * 3, start=1):
        yield {
            "kods": f"B{number:04d}",
            "nosaukums": f"{place.split()[0]} {rng.choice(('centrālā', 'pagasta', 'bērnu'))} "
            "bibliotēka",
            "pasvaldiba": place,
            "adrese": f"{rng.choice(STREETS)} iela {rng.randint(1, 60)}, {place}",
            "krajums": rng.randint(2000, 120000),
        }


@dataclass(frozen=True)
class DemoDataset:
    name: str  # the catalogue resource the records are published into
    rows: Callable[[World], Iterable[dict[str, Any]]]


DATASETS = (
    DemoDataset(POPULATION, lambda world: world.people),
    DemoDataset(ENTERPRISES, lambda world: world.enterprises),
    DemoDataset(ADDRESSES, lambda world: world.addresses),
    DemoDataset(CADASTRE, _parcels),
    DemoDataset(VEHICLES, _vehicles),
    DemoDataset(POPULATION_BY_MUNICIPALITY, _population),
    DemoDataset("gaisa-kvalitate-2025", _air),
    DemoDataset("publiskas-bibliotekas", _libraries),
)


def load_demo(session: Session, actor: Actor, store: DatasetStore) -> list[str]:
    """Publish records into every demo register that has no data yet (the catalogue's demo
    describes them first); returns one line per dataset published or skipped."""
    lines = []
    world = World()
    for demo in DATASETS:
        try:
            resource = catalog_service.find_resource(session, demo.name)
        except NotFound:
            lines.append(f"data: {demo.name} skipped, it is not in the catalogue")
            continue
        if service.current_version(session, resource.id) is not None:
            continue
        columns = [f["name"] for f in catalog_service.table_schema(session, resource)["fields"]]
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"{demo.name}.csv"
            with path.open("w", encoding="utf-8", newline="") as fh:
                # A column the catalogue does not describe raises here: the two must agree.
                writer = csv.DictWriter(fh, columns, extrasaction="raise")
                writer.writeheader()
                writer.writerows(demo.rows(world))
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
