"""Latvian-first translations from gettext catalogues (one ``translations/lv.po`` per feature).

Message ids are English; the Latvian catalogue is merged from every feature at start-up,
so each feature owns its strings and no two features edit the same file.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

LANGUAGES = ("lv", "en")
DEFAULT_LANGUAGE = "lv"
PACKAGE_DIR = Path(__file__).resolve().parent

_current: ContextVar[str] = ContextVar("dati_language", default=DEFAULT_LANGUAGE)


def catalogue_files(lang: str) -> list[Path]:
    # Features and their sub-features (exchange/agreements) each keep a catalogue.
    pattern = f"translations/{lang}.po"
    return sorted([*PACKAGE_DIR.glob(f"*/{pattern}"), *PACKAGE_DIR.glob(f"*/*/{pattern}")])


@lru_cache(maxsize=4)
def messages(lang: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for path in catalogue_files(lang):
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        for message in catalog:
            if message.id and message.string and not message.fuzzy and isinstance(message.id, str):
                table[message.id] = str(message.string)
    return table


def set_language(lang: str) -> None:
    _current.set(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)


def get_language() -> str:
    return _current.get()


def gettext(message: str, **values: object) -> str:
    """Translate ``message`` into the current language; ``values`` fill ``{name}`` slots."""
    lang = _current.get()
    text = message if lang == "en" else messages(lang).get(message, message)
    return text.format(**values) if values else text


_ = gettext


def pick(lv: str | None, en: str | None) -> str:
    """Choose between a record's Latvian and English text for the current language."""
    if _current.get() == "en" and en:
        return en
    return lv or en or ""
