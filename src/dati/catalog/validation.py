"""Domain checks on a resource's DCAT-AP properties, with messages naming each field."""

from __future__ import annotations

import re
from typing import Any

from dati.catalog import vocabularies
from dati.i18n import gettext as _


def clean(values: dict[str, Any]) -> dict[str, Any]:
    """Trim text, drop empty keywords, upper-case codes, store empty optional text as None."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, str):
            value = value.strip()
            if key in ("themes", "frequency", "spatial"):
                value = value.upper()
            if not value and key not in ("title_en", "description_lv", "description_en"):
                value = "" if key in ("title_lv", "legal_basis") else None
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = [v.strip() for v in value if v.strip()]
            if key == "themes":
                value = [v.upper() for v in value]
        out[key] = value
    return out


def validate_properties(values: dict[str, Any]) -> dict[str, str]:
    """Domain checks on DCAT-AP properties; returns {field: message} (empty when valid)."""
    errors: dict[str, str] = {}
    if not str(values.get("title_lv") or "").strip():
        errors["title_lv"] = _("Enter the title in Latvian.")
    unknown = [
        t for t in values.get("themes") or [] if t.strip().upper() not in vocabularies.THEMES
    ]
    if unknown:
        errors["themes"] = _(
            "Unknown theme(s): {codes}. Use EU data-theme codes such as GOVE or SOCI.",
            codes=", ".join(unknown),
        )
    start, end = values.get("temporal_start"), values.get("temporal_end")
    if start and end and end < start:
        errors["temporal_end"] = _("The end date is before the start date.")
    frequency = (values.get("frequency") or "").strip().upper()
    if frequency and frequency not in vocabularies.FREQUENCIES:
        errors["frequency"] = _("Unknown frequency {code}.", code=frequency)
    spatial = (values.get("spatial") or "").strip().upper()
    if spatial and spatial not in vocabularies.spatial_codes():
        errors["spatial"] = _("Use LV or a municipality code such as LV-RIX.")
    hvd = (values.get("hvd_category") or "").strip()
    if hvd and hvd not in vocabularies.HVD_CATEGORIES:
        errors["hvd_category"] = _("Unknown high-value dataset category {code}.", code=hvd)
    licence = (values.get("licence") or "").strip()
    if licence and not (vocabularies.licence_code(licence) or is_url(licence)):
        errors["licence"] = _("Use an EU licence code (such as CC_BY_4_0) or a licence URL.")
    email = (values.get("contact_email") or "").strip()
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        errors["contact_email"] = _("Enter an e-mail address such as info@iestade.gov.lv.")
    for key in ("landing_page", "conforms_to"):
        if values.get(key) and not is_url(values[key].strip()):
            errors[key] = _("Enter a web address starting with http:// or https://.")
    return errors


def is_url(value: str) -> bool:
    return value.startswith(("http://", "https://")) and " " not in value and len(value) > 10
