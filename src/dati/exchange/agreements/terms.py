"""Turning a steward's review or an amendment into checked agreement terms, and reading the
enforceable terms back out of a stored document. Messages name the form field at fault."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from dati.catalog.models import AccessRights, Resource
from dati.errors import Invalid
from dati.exchange.agreements import document
from dati.exchange.agreements.conditions import Condition, coerce
from dati.exchange.agreements.gateway import AgreementTerms, FieldInfo, ResourceInfo
from dati.exchange.agreements.schemas import AmendTerms, Terms
from dati.i18n import gettext as _

# Agreements are Latvian documents first; stewards may write their own duties in either language.
DEFAULT_DUTIES = (
    "Datus izmanto tikai norādītajam nolūkam, nenodod trešajām personām un dzēš, tiklīdz beidzas "
    "glabāšanas termiņš vai nolūks ir sasniegts (atkarībā no tā, kas iestājas pirmais)."
)


def resource_info(resource: Resource) -> ResourceInfo:
    return ResourceInfo(
        name=resource.name,
        owner_org_id=resource.owner_org_id,
        is_open=resource.access_rights == AccessRights.PUBLIC and not resource.personal_data,
        fields=tuple(FieldInfo(f.name, f.type, f.classification.value) for f in resource.fields),
    )


@dataclass(frozen=True)
class Baseline:
    """What the terms start from: the access request, or the version being amended."""

    fields: list[str]
    purpose: str
    legal_basis: str
    valid_from: date
    valid_until: date
    requests_per_day: int
    rows_per_day: int


def _json_value(value: Any) -> Any:
    """A typed value as the document stores it: no floats, dates as ISO text."""
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)  # Decimal


def resolve(
    resource: Resource, baseline: Baseline, change: Terms, *, today: date, narrowing: bool
) -> document.Terms:
    """Checked terms. ``narrowing``: the fields may only shrink (a review of a request)."""
    errors: dict[str, str] = {}
    schema = {f.name: f for f in resource.fields}
    fields = change.fields or list(baseline.fields)
    unknown = [f for f in fields if f not in schema]
    if unknown:
        errors["fields"] = _("The resource has no field(s): {fields}.", fields=", ".join(unknown))
    elif narrowing and (extra := [f for f in fields if f not in baseline.fields]):
        errors["fields"] = _(
            "Only requested fields can be granted; not requested: {fields}.",
            fields=", ".join(extra),
        )
    if not fields:
        errors["fields"] = _("Grant at least one field.")
    conditions = []
    for i, cond in enumerate(change.row_conditions):
        key = f"row_conditions.{i}"
        spec = schema.get(cond.field)
        if spec is None:
            errors[key] = _("The resource has no field {field}.", field=cond.field)
            continue
        if cond.op != "in" and len(cond.values) != 1:
            errors[key] = _("Give one value for {field}.", field=cond.field)
            continue
        try:
            values = [_json_value(coerce(spec.type, value)) for value in cond.values]
        except (ValueError, TypeError, ArithmeticError):
            errors[key] = _(
                "A value for {field} is not a valid {type}.", field=cond.field, type=spec.type
            )
            continue
        conditions.append({"field": cond.field, "op": cond.op, "values": values})
    hidden = sorted(set(change.pseudonymised_fields))
    if stray := [f for f in hidden if f not in fields]:
        errors["pseudonymised_fields"] = _(
            "Only granted fields can be pseudonymised: {fields}.", fields=", ".join(stray)
        )
    purpose = getattr(change, "purpose", None) or baseline.purpose
    legal_basis = getattr(change, "legal_basis", None) or baseline.legal_basis
    valid_from = change.valid_from or baseline.valid_from
    valid_until = change.valid_until or baseline.valid_until
    if valid_until < valid_from:
        errors["valid_until"] = _("The end date is before the start date.")
    elif valid_until < today:
        errors["valid_until"] = _("The end date has already passed.")
    if change.version_policy == "pinned" and change.pinned_version is None:
        errors["pinned_version"] = _("Name the version the agreement covers.")
    if errors:
        raise Invalid(_("The terms have errors; nothing was saved."), errors=errors)
    ordered = [name for name in schema if name in set(fields)]
    return document.Terms(
        fields=tuple(
            {
                "name": name,
                "title_lv": schema[name].title_lv or name,
                "title_en": schema[name].title_en or schema[name].title_lv or name,
                "classification": schema[name].classification.value,
            }
            for name in ordered
        ),
        row_conditions=tuple(conditions),
        pseudonymised_fields=tuple(hidden),
        purpose=purpose,
        legal_basis=legal_basis,
        valid_from=valid_from,
        valid_until=valid_until,
        requests_per_day=change.requests_per_day or baseline.requests_per_day,
        rows_per_day=change.rows_per_day or baseline.rows_per_day,
        retention_days=change.retention_days,
        retention_duties=change.retention_duties.strip() or DEFAULT_DUTIES,
        version_policy=change.version_policy,
        pinned_version=change.pinned_version if change.version_policy == "pinned" else None,
    )


def baseline_of(doc: dict[str, Any]) -> Baseline:
    return Baseline(
        fields=[f["name"] for f in doc["fields"]],
        purpose=doc["purpose"],
        legal_basis=doc["legal_basis"],
        valid_from=date.fromisoformat(doc["validity"]["from"]),
        valid_until=date.fromisoformat(doc["validity"]["until"]),
        requests_per_day=doc["limits"]["requests_per_day"],
        rows_per_day=doc["limits"]["rows_per_day"],
    )


def amend_defaults(doc: dict[str, Any]) -> AmendTerms:
    """The current document's terms as a starting point for an amendment form."""
    policy = doc["resource"]["version_policy"]
    return AmendTerms.model_validate(
        {
            "fields": [f["name"] for f in doc["fields"]],
            "row_conditions": doc["row_conditions"],
            "pseudonymised_fields": doc["pseudonymised_fields"],
            "requests_per_day": doc["limits"]["requests_per_day"],
            "rows_per_day": doc["limits"]["rows_per_day"],
            "retention_days": doc["retention"]["days"],
            "retention_duties": doc["retention"]["duties"],
            "version_policy": policy["policy"],
            "pinned_version": policy.get("version"),
        }
    )


def enforceable(
    doc: dict[str, Any],
    *,
    status: str,
    provider_org_id: int,
    recipient_org_id: int,
    field_types: dict[str, str],
) -> AgreementTerms:
    """The gateway's view of a stored document; condition values typed by the resource schema."""
    policy = doc["resource"]["version_policy"]
    return AgreementTerms(
        number=doc["number"],
        version=doc["version"],
        status=status,
        provider_org_id=provider_org_id,
        recipient_org_id=recipient_org_id,
        resource=doc["resource"]["name"],
        fields=tuple(f["name"] for f in doc["fields"]),
        conditions=tuple(
            Condition(
                c["field"],
                c["op"],
                tuple(coerce(field_types.get(c["field"], "string"), v) for v in c["values"]),
            )
            for c in doc["row_conditions"]
        ),
        pseudonymised=frozenset(doc["pseudonymised_fields"]),
        valid_from=date.fromisoformat(doc["validity"]["from"]),
        valid_until=date.fromisoformat(doc["validity"]["until"]),
        requests_per_day=doc["limits"]["requests_per_day"],
        rows_per_day=doc["limits"]["rows_per_day"],
        version_policy=policy["policy"],
        pinned_version=policy.get("version"),
        purpose=doc["purpose"],
    )
