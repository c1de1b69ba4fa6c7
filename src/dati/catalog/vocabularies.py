"""Controlled vocabularies the catalogue validates against and scores with.

Licences and file formats are copied from the EU vocabularies (data.europa.eu licence list,
the MQA machine-readable and non-proprietary format lists) into ``catalog/data``;
themes, frequencies and HVD categories are the EU authority tables' codes.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
ORGS_DATA_DIR = Path(__file__).resolve().parent.parent / "orgs" / "data"

THEME_BASE = "http://publications.europa.eu/resource/authority/data-theme/"
FREQUENCY_BASE = "http://publications.europa.eu/resource/authority/frequency/"
FILE_TYPE_BASE = "http://publications.europa.eu/resource/authority/file-type/"
ACCESS_RIGHT_BASE = "http://publications.europa.eu/resource/authority/access-right/"
HVD_BASE = "http://data.europa.eu/bna/"

# EU data themes: code -> (Latvian, English)
THEMES: dict[str, tuple[str, str]] = {
    "AGRI": (
        "Lauksaimniecība, zivsaimniecība, mežsaimniecība un pārtika",
        "Agriculture, fisheries, forestry and food",
    ),
    "ECON": ("Ekonomika un finanses", "Economy and finance"),
    "EDUC": ("Izglītība, kultūra un sports", "Education, culture and sport"),
    "ENER": ("Enerģētika", "Energy"),
    "ENVI": ("Vide", "Environment"),
    "GOVE": ("Valdība un sabiedriskais sektors", "Government and public sector"),
    "HEAL": ("Veselība", "Health"),
    "INTR": ("Starptautiski jautājumi", "International issues"),
    "JUST": (
        "Tieslietas, tiesību sistēma un sabiedriskā drošība",
        "Justice, legal system and public safety",
    ),
    "REGI": ("Reģioni un pilsētas", "Regions and cities"),
    "SOCI": ("Iedzīvotāji un sabiedrība", "Population and society"),
    "TECH": ("Zinātne un tehnoloģija", "Science and technology"),
    "TRAN": ("Transports", "Transport"),
    "OP_DATPRO": ("Provizoriski dati", "Provisional data"),
}

# High-value dataset categories of Implementing Regulation (EU) 2023/138.
HVD_CATEGORIES: dict[str, tuple[str, str]] = {
    "c_ac64a52d": ("Ģeotelpiskie dati", "Geospatial"),
    "c_dd313021": ("Zemes novērošana un vide", "Earth observation and environment"),
    "c_164e0bf5": ("Meteoroloģiskie dati", "Meteorological"),
    "c_e1da4e07": ("Statistika", "Statistics"),
    "c_a9135398": ("Uzņēmumi un uzņēmumu īpašumtiesības", "Companies and company ownership"),
    "c_b79e35eb": ("Mobilitāte", "Mobility"),
}

FREQUENCIES: dict[str, tuple[str, str]] = {
    "UPDATE_CONT": ("Nepārtraukti atjaunināts", "Continuously updated"),
    "DAILY": ("Katru dienu", "Daily"),
    "WEEKLY": ("Katru nedēļu", "Weekly"),
    "MONTHLY": ("Katru mēnesi", "Monthly"),
    "QUARTERLY": ("Reizi ceturksnī", "Quarterly"),
    "ANNUAL": ("Reizi gadā", "Annual"),
    "IRREG": ("Neregulāri", "Irregular"),
    "NEVER": ("Netiek atjaunināts", "Never"),
}

ACCESS_RIGHT_CODES = {"public": "PUBLIC", "restricted": "RESTRICTED", "non_public": "NON_PUBLIC"}


@dataclass(frozen=True)
class Licence:
    code: str
    uri: str
    label: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class FileFormat:
    code: str
    media_type: str
    machine_readable: bool
    non_proprietary: bool
    label: str


@cache
def licences() -> dict[str, Licence]:
    with (DATA_DIR / "licences.csv").open(encoding="utf-8") as fh:
        return {
            r["code"]: Licence(
                r["code"], r["uri"], r["label"], tuple(a for a in r["aliases"].split("|") if a)
            )
            for r in csv.DictReader(fh)
        }


@cache
def _licence_lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for lic in licences().values():
        for key in (lic.code, lic.uri, *lic.aliases):
            table[key.lower().rstrip("/")] = lic.code
    return table


def licence_code(value: str | None) -> str | None:
    """The EU licence code for a code, EU URI or known licence URL; None when not in the vocabulary."""
    if not value:
        return None
    return _licence_lookup().get(value.strip().lower().rstrip("/"))


def licence_label(value: str | None) -> str:
    code = licence_code(value)
    return licences()[code].label if code else (value or "")


@cache
def formats() -> dict[str, FileFormat]:
    with (DATA_DIR / "formats.csv").open(encoding="utf-8") as fh:
        return {
            r["code"]: FileFormat(
                r["code"],
                r["media_type"],
                r["machine_readable"] == "1",
                r["non_proprietary"] == "1",
                r["label"],
            )
            for r in csv.DictReader(fh)
        }


def format_code(value: str | None) -> str | None:
    """The EU file-type code for 'csv', 'CSV' or a file-type URI; None when unknown."""
    if not value:
        return None
    key = value.strip().removeprefix(FILE_TYPE_BASE).upper().replace("-", "_")
    return key if key in formats() else None


@cache
def media_types() -> set[str]:
    return {f.media_type for f in formats().values()}


@cache
def municipality_codes() -> dict[str, str]:
    with (ORGS_DATA_DIR / "municipalities.csv").open(encoding="utf-8") as fh:
        return {r["iso_code"]: r["name_lv"] for r in csv.DictReader(fh)}


def spatial_codes() -> dict[str, str]:
    """'LV' for the whole country plus the 43 municipalities' ISO 3166-2 codes."""
    return {"LV": "Latvija", **municipality_codes()}


def spatial_label(code: str | None) -> str:
    return spatial_codes().get(code or "", code or "")


_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,98}[a-z0-9]$")


def is_slug(value: str) -> bool:
    """URL names: lowercase ASCII letters, digits and hyphens, 3-100 characters."""
    return bool(_SLUG.match(value or ""))
