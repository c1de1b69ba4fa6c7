"""Labels translated through variables (which the house-rule test cannot see) have Latvian too."""

from __future__ import annotations

from dati import i18n
from dati.monitoring import champion, permissions, presentation
from dati.monitoring.status import STATUS_LABELS


def test_every_label_kept_in_a_table_is_translated() -> None:
    catalogue = i18n.messages("lv")
    labels = [
        *STATUS_LABELS.values(),
        *presentation.UNIT_LABELS.values(),
        *presentation.REFERENCE_LABELS.values(),
        *(c.title for c in champion.CATEGORIES),
        *(c.method for c in champion.CATEGORIES),
    ]
    for permission in (
        permissions.VIEW_MONITORING,
        permissions.RECORD_ACTUAL,
        permissions.IMPORT_ACTUALS,
        permissions.MANAGE_MONITORING,
    ):
        labels.append(permission.description[:1].lower() + permission.description[1:])
    missing = [label for label in labels if label not in catalogue]
    assert missing == []
