"""Text to search terms: case and diacritic folding, and light Latvian and English stemmers.

People type Latvian without diacritics ("uznemumu registrs") and in any case form
("reģistra", "reģistru", "reģistrs"), so both the index and the query are folded to
ASCII first and then stripped of inflectional endings. Folding before stemming also
absorbs most consonant alternations (adrese → adrešu: š folds to s).
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")

# Nominal and adjectival endings after folding, longest first. "-us" is only the accusative
# plural (reģistrus); nouns in "-ums" (uzņēmums, īpašums) are handled before this list.
_LV_ENDINGS = (
    "iem",
    "ais",
    "am",
    "as",
    "em",
    "es",
    "im",
    "is",
    "os",
    "us",
    "ai",
    "ei",
    "ie",
    "a",
    "e",
    "i",
    "o",
    "s",
    "u",
)
_MIN_STEM = 3
# Genitive plurals insert j after labials: zeme → zemju, kuģis → kuģu.
_LABIAL_J = re.compile(r"([bpmvf])j$")


# Words too common to mean anything, after folding (Latvian and English).
STOP_WORDS = frozenset(
    [
        "un",
        "vai",
        "par",
        "ar",
        "no",
        "uz",
        "ir",
        "ka",
        "kas",
        "ko",
        "to",
        "tas",
        "ta",
        "tie",
        "tos",
        "ari",
        "bet",
        "pie",
        "pec",
        "lidz",
        "pa",
        "pret",
        "ja",
        "jo",
        "nav",
        "var",
        "so",
        "sis",
        "sie",
        "ta",
        "ka",
        "the",
        "of",
        "and",
        "or",
        "in",
        "on",
        "for",
        "to",
        "a",
        "an",
        "is",
        "are",
        "by",
        "with",
        "from",
    ]
)


def fold(text: str) -> str:
    """Lowercase ASCII: 'Uzņēmumu Reģistrs' → 'uznemumu registrs'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """Folded words; identifiers such as personas_kods or ownerCode are split into parts."""
    return _WORD.findall(fold(_CAMEL.sub(" ", text or "").replace("_", " ")))


def stem_lv(word: str) -> str:
    """Light Latvian stemmer for a folded word."""
    if len(word) <= _MIN_STEM or word.isdigit():
        return word
    if word.endswith("ums"):
        return word[:-1]
    for ending in _LV_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
            stem = word[: -len(ending)]
            return _LABIAL_J.sub(r"\1", stem) if ending == "u" else stem
    return word


def stem_en(word: str) -> str:
    """An 's-stemmer' for English plurals: addresses → address, registries → registry."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def terms_lv(text: str) -> list[str]:
    return [stem_lv(w) for w in words(text)]


def terms_en(text: str) -> list[str]:
    return [stem_en(w) for w in words(text)]


def query_alternatives(text: str) -> list[set[str]]:
    """One set of acceptable terms per query word: the word's Latvian and English stems.

    The language of a query is unknown, so a word matches a document containing either stem.
    """
    groups: list[set[str]] = []
    for word in words(text)[:12]:
        if word in STOP_WORDS:
            continue
        group = {stem_lv(word), stem_en(word)}
        if group not in groups:
            groups.append(group)
    return groups
