"""Domain checks on a resource's DCAT-AP properties, with messages naming each field."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dati.auth.actor import Role
from dati.auth.models import Membership, User
from dati.catalog import vocabularies
from dati.catalog.models import InformationSystem
from dati.i18n import gettext as _
from dati.orgs import service as orgs_service
from dati.orgs.models import Organisation


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


def resolve_links(
    session: Session,
    owner: Organisation,
    publisher: str | None,
    system: str | None,
    steward: str | None,
    errors: dict[str, str],
    only: set[str] | None = None,
) -> dict[str, Any]:
    """Resolve publisher, system and steward names to ids, collecting errors by field."""
    links: dict[str, Any] = {}
    wanted = only if only is not None else {"publisher", "system", "steward"}
    if "publisher" in wanted:
        found = orgs_service.find_by_short_name(session, publisher) if publisher else None
        if publisher and found is None:
            errors["publisher"] = _("Unknown organisation.")
        links["publisher_org_id"] = found.id if found else (owner.id if only is None else None)
    if "system" in wanted:
        links["system_id"] = None
        if system:
            sys_row = session.scalars(
                select(InformationSystem).where(InformationSystem.name == system)
            ).first()
            if sys_row is None:
                errors["system"] = _("Unknown information system.")
            elif sys_row.owner_org_id != owner.id:
                errors["system"] = _("The system belongs to another institution.")
            else:
                links["system_id"] = sys_row.id
    if "steward" in wanted and (steward or only is not None):
        links["steward_user_id"] = None
        if steward:
            user = session.scalars(
                select(User).where(func.lower(User.username) == steward.strip().lower())
            ).first()
            is_steward = user is not None and session.scalar(
                select(Membership.id).where(
                    Membership.user_id == user.id,
                    Membership.org_id == owner.id,
                    Membership.role == Role.STEWARD,
                )
            )
            if not is_steward:
                errors["steward"] = _(
                    "{name} is not a data steward of {org}.", name=steward, org=owner.short_name
                )
            else:
                links["steward_user_id"] = user.id if user else None
    return links
