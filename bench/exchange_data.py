"""Synthetic register-like CSV files for the exchange benchmarks (~100 bytes per row)."""

from __future__ import annotations

import random
from pathlib import Path

PLACES = (
    "Rīga",
    "Jelgava",
    "Cēsis",
    "Liepāja",
    "Ventspils",
    "Daugavpils",
    "Rēzekne",
    "Valmiera",
    "Ogre",
    "Tukums",
)
NAMES = ("Jānis", "Anna", "Pēteris", "Līga", "Andris", "Ilze", "Māris", "Dace", "Ēriks", "Zane")
SURNAMES = (
    "Bērziņš",
    "Kalniņa",
    "Ozols",
    "Liepiņa",
    "Krūmiņš",
    "Vītola",
    "Kārkliņš",
    "Eglīte",
    "Zariņš",
    "Siliņa",
)
STREETS = (
    "Brīvības",
    "Krišjāņa Barona",
    "Dzirnavu",
    "Elizabetes",
    "Tērbatas",
    "Lāčplēša",
    "Skolas",
)
HEADER = "id,kods,vards,uzvards,datums,summa,pasvaldiba,adrese,statuss\n"
SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer", "constraints": {"required": True}},
        {"name": "kods", "type": "string"},
        {"name": "vards", "type": "string"},
        {"name": "uzvards", "type": "string"},
        {"name": "datums", "type": "date"},
        {"name": "summa", "type": "number"},
        {"name": "pasvaldiba", "type": "string"},
        {"name": "adrese", "type": "string"},
        {"name": "statuss", "type": "string", "constraints": {"enum": ["aktīvs", "slēgts"]}},
    ],
    "primaryKey": ["id"],
}


def write_csv(path: Path, rows: int, seed: int = 7, shuffled: bool = True) -> Path:
    """Rows in random key order (so publishing must sort) or in key order, in 100k-row chunks."""
    rng = random.Random(seed)
    ids = list(range(1, rows + 1))
    if shuffled:
        rng.shuffle(ids)
    with path.open("w", encoding="utf-8") as fh:
        fh.write(HEADER)
        for start in range(0, rows, 100_000):
            chunk = []
            for i in ids[start : start + 100_000]:
                chunk.append(
                    f"{i},{rng.randint(10**10, 10**11 - 1)},{rng.choice(NAMES)},{rng.choice(SURNAMES)},"
                    f"{1950 + i % 70}-{1 + i % 12:02d}-{1 + i % 28:02d},{rng.randint(0, 10**6) / 100},"
                    f"{rng.choice(PLACES)},{rng.choice(STREETS)} iela {i % 150 + 1} - {i % 90 + 1},"
                    f"{'aktīvs' if i % 7 else 'slēgts'}\n"
                )
            fh.write("".join(chunk))
    return path
