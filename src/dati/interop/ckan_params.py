"""What every CKAN action receives (``Call``) and how it reads CKAN-style parameters:
query strings give text (or lists for repeated names), JSON bodies give typed values."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from dati.auth.actor import Actor
from dati.config import Settings
from dati.errors import DatiError, Invalid
from dati.i18n import gettext as _

Params = dict[str, Any]
MAX_LIST = 1000


class SearchQueryError(DatiError):
    """A package_search query CKAN would reject (unknown field, bad sort)."""

    status, type, title = 400, "search-query", "Search Query Error"


@dataclass(frozen=True)
class Call:
    """One action call: who asks, with which parameters, on which site."""

    session: Session
    actor: Actor
    params: Params
    settings: Settings

    @property
    def base_url(self) -> str:
        return self.settings.base_url


def text(params: Params, name: str, default: str = "") -> str:
    value = params.get(name, default)
    if isinstance(value, list):
        value = value[0] if value else default
    return str(value if value is not None else default).strip()


def required(params: Params, name: str) -> str:
    value = text(params, name)
    if not value:
        raise Invalid(_("Missing value"), errors={name: _("Missing value")})
    return value


def number(params: Params, name: str, default: int, low: int = 0, high: int = MAX_LIST) -> int:
    raw = text(params, name, str(default)) or str(default)
    try:
        value = int(raw)
    except ValueError:
        raise Invalid(_("Invalid integer"), errors={name: _("Invalid integer")}) from None
    if not low <= value <= high:
        raise Invalid(
            _("Must be between {low} and {high}.", low=low, high=high),
            errors={name: _("Must be between {low} and {high}.", low=low, high=high)},
        )
    return value


def flag(params: Params, name: str, default: bool = False) -> bool:
    value = params.get(name, default)
    if isinstance(value, bool):
        return value
    return text(params, name).lower() in ("true", "1", "yes", "on")


def names(params: Params, name: str) -> list[str]:
    """A list parameter: a JSON list, a repeated query parameter or one value."""
    value = params.get(name)
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    text_value = str(value).strip()
    if text_value.startswith("["):
        try:
            parsed = json.loads(text_value)
        except ValueError:
            raise Invalid(_("Invalid list"), errors={name: _("Invalid list")}) from None
        return [str(v) for v in parsed]
    return [text_value]
