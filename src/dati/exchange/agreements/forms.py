"""Reading the review, amendment and request forms into the service's input shapes.

Forms post flat fields; conditions come as numbered rows (cond_field_0, cond_op_0,
cond_values_0, ...), values separated by commas.
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from starlette.datastructures import FormData

from dati.errors import Invalid
from dati.exchange.agreements.schemas import AccessRequestCreate, AmendTerms, Terms
from dati.i18n import gettext as _

Model = TypeVar("Model", bound=BaseModel)

CONDITION_ROWS = 3
Direction = Literal["incoming", "outgoing", "all"]


def direction(value: str) -> Direction:
    """A list filter from the query string; anything unknown shows all."""
    if value == "incoming":
        return "incoming"
    if value == "outgoing":
        return "outgoing"
    return "all"


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _optional(form: FormData, name: str) -> str | None:
    return _text(form, name) or None


def _list(form: FormData, name: str) -> list[str]:
    return [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]


def conditions(form: FormData) -> list[dict[str, Any]]:
    found = []
    for i in range(CONDITION_ROWS):
        field = _text(form, f"cond_field_{i}")
        if not field:
            continue
        values = [v.strip() for v in _text(form, f"cond_values_{i}").split(",") if v.strip()]
        found.append({"field": field, "op": _text(form, f"cond_op_{i}") or "eq", "values": values})
    return found


def terms_values(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {
        "fields": _list(form, "fields") or None,
        "row_conditions": conditions(form),
        "pseudonymised_fields": _list(form, "pseudonymised_fields"),
        "valid_from": _optional(form, "valid_from"),
        "valid_until": _optional(form, "valid_until"),
        "requests_per_day": _optional(form, "requests_per_day"),
        "rows_per_day": _optional(form, "rows_per_day"),
        "retention_days": _optional(form, "retention_days") or 365,
        "retention_duties": _text(form, "retention_duties"),
        "version_policy": _text(form, "version_policy") or "latest",
        "pinned_version": _optional(form, "pinned_version"),
        "note": _text(form, "note"),
    }
    return values


def _message(error: ErrorDetails) -> str:
    """Pydantic's English message for one form field, in the page's language."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "missing":
        return _("Required.")
    if kind == "string_too_short":
        return _("At least {count} characters.", count=ctx.get("min_length", 1))
    if kind == "string_too_long":
        return _("At most {count} characters.", count=ctx.get("max_length", 0))
    if kind == "too_short":
        return _("Choose at least {count}.", count=ctx.get("min_length", 1))
    if kind == "too_long":
        return _("At most {count} items.", count=ctx.get("max_length", 0))
    if kind in ("greater_than_equal", "greater_than"):
        return _("At least {value}.", value=ctx.get("ge", ctx.get("gt", "")))
    if kind in ("less_than_equal", "less_than"):
        return _("At most {value}.", value=ctx.get("le", ctx.get("lt", "")))
    if kind.startswith(("int_", "float_")):
        return _("Enter a whole number.")
    if kind.startswith("date_"):
        return _("Enter a date as YYYY-MM-DD.")
    if kind in ("literal_error", "enum"):
        return _("Choose one of the offered values.")
    if kind == "value_error":  # our own validators' messages, already translated
        return str(error["msg"]).removeprefix("Value error, ")
    return _("This value is not valid.")


def _validated(model: type[Model], values: dict[str, Any]) -> Model:
    """The model, or Invalid with a message in the page's language beside each form field."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            name = ".".join(str(p) for p in error["loc"]) or "form"
            errors.setdefault(name, _message(error))
        raise Invalid(_("Correct the marked fields."), errors=errors) from None


def review_terms(form: FormData) -> Terms:
    """Errors name the form fields; the error handler puts them beside each control."""
    return _validated(Terms, terms_values(form))


def amend_terms(form: FormData) -> AmendTerms:
    values = terms_values(form)
    values["purpose"] = _optional(form, "purpose")
    values["legal_basis"] = _optional(form, "legal_basis")
    return _validated(AmendTerms, values)


def request_create(form: FormData) -> AccessRequestCreate:
    return _validated(
        AccessRequestCreate,
        {
            "resource": _text(form, "resource"),
            "org": _optional(form, "org"),
            "fields": _list(form, "fields"),
            "purpose": _text(form, "purpose"),
            "legal_basis": _text(form, "legal_basis"),
            "valid_from": _optional(form, "valid_from"),
            "valid_until": _optional(form, "valid_until"),
            "requests_per_day": _optional(form, "requests_per_day"),
            "rows_per_day": _optional(form, "rows_per_day"),
        },
    )


def form_echo(form: FormData) -> dict[str, Any]:
    """The submitted values, so a refused form re-renders without losing what was typed."""
    echo: dict[str, Any] = {}
    for key in form:
        items = [v for v in form.getlist(key) if isinstance(v, str)]
        echo[key] = (
            items if key in ("fields", "pseudonymised_fields") else (items[0] if items else "")
        )
    return echo
