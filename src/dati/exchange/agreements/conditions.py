"""Row conditions and pseudonyms: comparing typed values with SQL's semantics, and the keyed,
per-agreement pseudonyms that replace values the recipient may link but not read."""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from dati.audit import crypto

PSEUDONYM_PURPOSE = b"dati/pseudonyms/v1/"


@dataclass(frozen=True)
class Condition:
    """``field op values`` with values already in the field's type."""

    field: str
    op: str
    values: tuple[Any, ...]


def coerce(type_: str, value: Any) -> Any:
    """A condition value in the Python type the query engine returns for the field's type."""
    if value is None:
        raise ValueError("no value")
    if type_ == "integer" or type_ == "year":
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError("not an integer")
        return int(value)
    if type_ == "number":
        if isinstance(value, bool):
            raise ValueError("not a number")
        return Decimal(str(value))
    if type_ == "boolean":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1", "jā", "ja"):
            return True
        if text in ("false", "0", "nē", "ne"):
            return False
        raise ValueError("not a boolean")
    if type_ == "date":
        return (
            value
            if isinstance(value, date) and not isinstance(value, datetime)
            else date.fromisoformat(str(value))
        )
    if type_ == "datetime":
        return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return str(value)


def _comparable(value: Any, like: Any) -> Any:
    # Decimal and float compare exactly in Python; floats from the engine are turned into
    # Decimals from their shortest repr so 0.1 equals a condition value of 0.1.
    if isinstance(value, float):
        return Decimal(repr(value))
    # Rows already made JSON-ready (the CKAN datastore) carry dates as ISO text.
    if isinstance(value, str) and isinstance(like, date):
        try:
            return type(like).fromisoformat(value)
        except ValueError:
            return value
    return value


def _matches(condition: Condition, value: Any) -> bool:
    # SQL semantics: a missing value matches no comparison, not even "not equal".
    if value is None:
        return False
    value = _comparable(value, condition.values[0] if condition.values else None)
    try:
        if condition.op == "eq":
            return bool(value == condition.values[0])
        if condition.op == "ne":
            return bool(value != condition.values[0])
        if condition.op == "in":
            return value in condition.values
        if condition.op == "lt":
            return bool(value < condition.values[0])
        if condition.op == "lte":
            return bool(value <= condition.values[0])
        if condition.op == "gt":
            return bool(value > condition.values[0])
        if condition.op == "gte":
            return bool(value >= condition.values[0])
    except TypeError:
        return False
    return False


def row_matches(conditions: Iterable[Condition], row: Mapping[str, Any]) -> bool:
    return all(_matches(c, row.get(c.field)) for c in conditions)


def pseudonym_key(secret: str, agreement_number: str) -> bytes:
    """Stable across an agreement's versions, different for every agreement and instance."""
    return crypto.derive_key(secret, PSEUDONYM_PURPOSE + agreement_number.encode("utf-8"))


def pseudonym(key: bytes, value: Any) -> str | None:
    if value is None:
        return None
    text = value.isoformat() if isinstance(value, date | datetime) else str(value)
    return "ps_" + hmac.digest(key, text.encode("utf-8"), "sha256").hex()[:32]
