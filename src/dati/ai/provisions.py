"""The AI Act provisions dati quotes, keyed by citation (``Art. 5(1)(f)``, ``Annex III 4(a)``).

The quotes live in ``data/provisions.json``, copied word for word from the Regulation's text in
``data/ai-act/`` (see ``data/README.md``), so every explanation can show the law it relies on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from dati.i18n import pick

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Provision:
    ref: str
    title_lv: str
    title_en: str
    text: str  # English: the Regulation's text as published; no official Latvian copy is bundled
    source: str

    @property
    def title(self) -> str:
        return pick(self.title_lv, self.title_en)


@lru_cache(maxsize=1)
def all_provisions() -> dict[str, Provision]:
    raw = json.loads((DATA_DIR / "provisions.json").read_text(encoding="utf-8"))
    return {
        ref: Provision(ref, item["title_lv"], item["title_en"], item["text"], item["source"])
        for ref, item in raw.items()
    }


def provision(ref: str) -> Provision:
    """The provision cited as ``ref``; an unknown citation is a programming error."""
    return all_provisions()[ref]
