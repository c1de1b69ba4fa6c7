"""Labels and history names reach the templates through variables, so the convention test cannot
see them; this one checks each has a Latvian translation."""

from __future__ import annotations

from dati import i18n
from dati.ai import labels
from dati.ai.services.history import ACTION_LABELS, FIELD_LABELS


def test_every_label_has_a_latvian_translation() -> None:
    catalogue = i18n.messages("lv")
    tables = (
        labels.TECHNIQUE,
        labels.ROLE,
        labels.LIFECYCLE,
        labels.SOURCING,
        labels.STATUS,
        labels.FINDING_KIND,
        labels.GPAI,
        labels.USAGE,
        labels.RISK_CLASS_LABELS,
        FIELD_LABELS,
        ACTION_LABELS,
    )
    missing = [text for table in tables for text in table.values() if text not in catalogue]
    assert not missing
