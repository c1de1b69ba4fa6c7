"""What every AI register page's template needs besides its own data: labels and the questions."""

from __future__ import annotations

from typing import Any

from dati.ai import labels
from dati.ai import questions as catalogue


def context(**extra: Any) -> dict[str, Any]:
    return {
        "risk_labels": labels.RISK_CLASS_LABELS,
        "technique_labels": labels.TECHNIQUE,
        "role_labels": labels.ROLE,
        "lifecycle_labels": labels.LIFECYCLE,
        "sourcing_labels": labels.SOURCING,
        "status_labels": labels.STATUS,
        "finding_labels": labels.FINDING_KIND,
        "gpai_labels": labels.GPAI,
        "usage_labels": labels.USAGE,
        "catalogue": catalogue.questions(),
        "missing_links": {},
        **extra,
    }
