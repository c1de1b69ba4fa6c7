"""Catalogue codes <-> the controlled-vocabulary URIs DCAT-AP expects, in both directions.

The catalogue stores codes (GOVE, MONTHLY, CC_BY_4_0, CSV, LV-RIX); the export writes the
EU authority URIs with their Latvian and English labels, and the harvester maps URIs
(and the usual aliases real catalogues use) back to codes.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from dati.catalog import vocabularies as catalog_vocab
from dati.catalog.models import AccessRights

DATA_DIR = Path(__file__).resolve().parent / "data"

THEME_SCHEME = "http://publications.europa.eu/resource/authority/data-theme"
LICENCE_BASE = "http://publications.europa.eu/resource/authority/licence/"
LANGUAGE_BASE = "http://publications.europa.eu/resource/authority/language/"
COUNTRY_BASE = "http://publications.europa.eu/resource/authority/country/"
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
# Commission Implementing Regulation (EU) 2023/138 laying down the list of high-value datasets.
HVD_LEGISLATION = "http://data.europa.eu/eli/reg_impl/2023/138/oj"
HVD_LEGISLATION_LABEL = (
    "Komisijas Īstenošanas regula (ES) 2023/138",
    "Commission Implementing Regulation (EU) 2023/138",
)
LANGUAGES = {"lv": ("LAV", "latviešu valoda", "Latvian"), "en": ("ENG", "angļu valoda", "English")}
COUNTRY = ("LVA", "Latvija", "Latvia")

Labels = tuple[str, str]


@cache
def access_right_labels() -> dict[str, Labels]:
    """EU access-right code -> (Latvian, English) label, from the EU vocabulary."""
    with (DATA_DIR / "access-rights.csv").open(encoding="utf-8") as fh:
        return {row["code"]: (row["label_lv"], row["label_en"]) for row in csv.DictReader(fh)}


def access_right_uri(value: AccessRights) -> str:
    return catalog_vocab.ACCESS_RIGHT_BASE + catalog_vocab.ACCESS_RIGHT_CODES[value.value]


# Harvested access-right codes outside the three the catalogue uses, mapped conservatively.
_ACCESS_ALIASES = {
    "PUBLIC": AccessRights.PUBLIC,
    "RESTRICTED": AccessRights.RESTRICTED,
    "NON_PUBLIC": AccessRights.NON_PUBLIC,
    "NORMAL": AccessRights.RESTRICTED,
    "SENSITIVE": AccessRights.NON_PUBLIC,
    "CONFIDENTIAL": AccessRights.NON_PUBLIC,
}


def access_rights_from(uri_or_label: str) -> AccessRights | None:
    """An EU access-right URI or code (also 'public', 'non-public') to the catalogue's value."""
    code = _last_segment(uri_or_label).upper().replace("-", "_")
    return _ACCESS_ALIASES.get(code)


def theme_uri(code: str) -> str:
    return catalog_vocab.THEME_BASE + code


def theme_code(uri: str) -> str | None:
    code = _last_segment(uri).upper()
    return code if code in catalog_vocab.THEMES else None


def frequency_uri(code: str) -> str:
    return catalog_vocab.FREQUENCY_BASE + code


def frequency_code(uri: str) -> str | None:
    code = _last_segment(uri).upper()
    return code if code in catalog_vocab.FREQUENCIES else None


def hvd_uri(code: str) -> str:
    return catalog_vocab.HVD_BASE + code


def hvd_code(uri: str) -> str | None:
    code = _last_segment(uri)
    return code if code in catalog_vocab.HVD_CATEGORIES else None


def licence_uri(value: str) -> str:
    """The EU licence URI for a known licence, otherwise the licence URL as given."""
    code = catalog_vocab.licence_code(value)
    return catalog_vocab.licences()[code].uri if code else value


def licence_value(uri: str) -> str:
    """What the catalogue stores for a harvested licence: the EU code, or the URL."""
    return catalog_vocab.licence_code(uri) or uri


def format_uri(code: str) -> str:
    return catalog_vocab.FILE_TYPE_BASE + code


def format_from(uri_or_label: str) -> str | None:
    """A file-type URI, code or common label ('csv', 'text/csv') to the EU file-type code."""
    code = catalog_vocab.format_code(_last_segment(uri_or_label))
    if code:
        return code
    value = uri_or_label.strip().lower().removeprefix(IANA_MEDIA_TYPES)
    for fmt in catalog_vocab.formats().values():
        if fmt.media_type == value:
            return fmt.code
    return None


def media_type_uri(media_type: str) -> str:
    return IANA_MEDIA_TYPES + media_type.strip()


def media_type_from(uri: str) -> str:
    return (
        uri.strip()
        .removeprefix(IANA_MEDIA_TYPES)
        .removeprefix("http://www.iana.org/assignments/media-types/")
    )


def spatial_uri(code: str, base_url: str) -> str:
    """The country authority URI for LV; a location under this site for municipalities."""
    if code == "LV":
        return COUNTRY_BASE + COUNTRY[0]
    return f"{base_url}/spatial/{code}"


def spatial_code(uri: str) -> str | None:
    code = _last_segment(uri).upper()
    if code in ("LVA", "LV"):
        return "LV"
    return code if code in catalog_vocab.municipality_codes() else None


def spatial_labels(code: str) -> Labels:
    if code == "LV":
        return COUNTRY[1], COUNTRY[2]
    name = catalog_vocab.spatial_label(code)
    return name, name


def _last_segment(value: str) -> str:
    value = value.strip().rstrip("/")
    for separator in ("#", "/"):
        if separator in value:
            value = value.rsplit(separator, 1)[1]
    return value
