"""Demo and test organisations: the real ministries, institutions and 43 municipalities.

Names come from the reference lists in ``orgs/data``; registration numbers are synthetic
(valid checksum, fixed seed) because the demo must not pretend to know real ones.
"""

from __future__ import annotations

import csv
import io
import random
import unicodedata
from pathlib import Path

from sqlalchemy.orm import Session

from dati.auth.actor import Actor
from dati.lv_codes import registration_number_check_digit
from dati.orgs import service
from dati.orgs.service import IMPORT_COLUMNS

DATA_DIR = Path(__file__).resolve().parent / "data"

# Institutions the reference list names without an abbreviation get one here.
EXTRA_SHORT_NAMES = {
    "Tiesībsargs": "TIESIBSARGS",
    "Valsts kontrole": "VKONTROLE",
    "Mākslīgā intelekta centrs": "MIC",
    "Liepājas speciālās ekonomiskās zonas pārvalde": "LSEZ",
    "Valsts kancelejas Analītiskais dienests": "VKAD",
    "Nacionālā datu padome": "NDP",
    "Saeima": "SAEIMA",
    "Valsts prezidents": "VPK",
}
COMPANIES = {"LVRTC", "VASES", "ALTUM"}

# A few non-state organisations so every organisation type appears in the demo.
OTHERS = [
    ("LU", "Latvijas Universitāte", "University of Latvia", "research"),
    (
        "EDI",
        "Elektronikas un datorzinātņu institūts",
        "Institute of Electronics and Computer Science",
        "research",
    ),
    (
        "LATA",
        "Latvijas Atvērto tehnoloģiju asociācija",
        "Latvian Open Technology Association",
        "ngo",
    ),
    ("DATUTILTS", "SIA “Datu tilts”", "Datu tilts Ltd (fictional)", "company"),
]


def ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(plain.lower().replace("“", "").replace("”", "").split())


def synthetic_registration_number(rng: random.Random, prefix: str = "9000") -> str:
    while True:
        first = prefix + "".join(str(rng.randint(0, 9)) for _ in range(10 - len(prefix)))
        digit = registration_number_check_digit(first)
        if digit is not None:
            return first + str(digit)


def reference_rows() -> list[dict[str, str]]:
    """Ministries, institutions and municipalities as import rows."""
    rng = random.Random(2026)  # noqa: S311 - synthetic demo numbers, not security
    rows: list[dict[str, str]] = []

    def read(name: str) -> list[dict[str, str]]:
        with (DATA_DIR / name).open(encoding="utf-8") as fh:
            return list(csv.DictReader(fh))

    for r in read("ministries.csv"):
        rows.append(
            {
                "short_name": r["abbreviation"],
                "name_lv": r["name_lv"],
                "name_en": r["name_en"],
                "kind": "ministry",
            }
        )
    for r in read("institutions.csv"):
        if not r["name_lv"]:
            continue
        short = r["abbreviation"] or EXTRA_SHORT_NAMES.get(r["name_lv"], "")
        if not short:
            continue
        kind = "company" if short in COMPANIES else "agency"
        rows.append(
            {
                "short_name": short,
                "name_lv": r["name_lv"],
                "name_en": r["name_en"],
                "kind": kind,
                "parent_short_name": r["parent_ministry"],
            }
        )
    for r in read("municipalities.csv"):
        rows.append(
            {
                "short_name": ascii_slug(r["name_lv"]),
                "name_lv": r["name_lv"],
                "name_en": r["name_lv"],
                "kind": "municipality",
                "municipality_code": r["iso_code"],
            }
        )
    for short, lv, en, kind in OTHERS:
        rows.append({"short_name": short, "name_lv": lv, "name_en": en, "kind": kind})
    for row in rows:
        prefix = "4000" if row["kind"] == "company" else "9000"
        row["reg_number"] = synthetic_registration_number(rng, prefix)
    return rows


def load_demo(session: Session, actor: Actor) -> tuple[int, int]:
    """Create or update all reference organisations through the service layer."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(IMPORT_COLUMNS), extrasaction="ignore")
    writer.writeheader()
    for row in reference_rows():
        writer.writerow(row)
    return service.import_organisations(session=session, actor=actor, csv_text=buffer.getvalue())
