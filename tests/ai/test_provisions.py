"""The quoted law is the law: every quote occurs word for word in the bundled AI Act text, and
every provision the questions, rules and obligations cite is bundled."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dati.ai import classifier, obligations, questions
from dati.ai.provisions import DATA_DIR, all_provisions, provision


def _normalise(text: str) -> str:
    text = text.replace("**", "")
    text = re.sub(r"^\s*#+\s*", "", text, flags=re.M)
    return re.sub(r"\s+", " ", text).strip()


SOURCE = {
    path.name: _normalise(path.read_text("utf-8")) for path in (DATA_DIR / "ai-act").glob("*.md")
}


@pytest.mark.parametrize("ref", list(all_provisions()))
def test_quote_is_verbatim(ref: str) -> None:
    p = provision(ref)
    assert p.source in SOURCE
    assert _normalise(p.text) in SOURCE[p.source]
    assert p.title_lv and p.title_en


def test_every_cited_provision_is_bundled() -> None:
    cited = {ref for q in questions.questions().values() for ref in q.refs}
    cited |= {o.ref for o in obligations.CATALOGUE.values()}
    source = Path(classifier.__file__).read_text(encoding="utf-8")
    cited |= set(re.findall(r'"((?:Art\.|Annex) [^"]+)"', source))
    cited -= {"Annex I {act}", "Annex III {point}", "Art. 50"}
    cited |= {f"Annex III {p}" for p, _q, _e in classifier.ANNEX3_POINTS}
    cited |= {f"Annex I {n}" for n in range(1, 21)}
    missing = cited - set(all_provisions())
    assert not missing


def test_the_compute_threshold_keeps_its_exponent() -> None:
    assert "greater than 10^25" in provision("Art. 51(2)").text
