"""The gateway's enforcement policy, as pure functions: given who asks, for which resource,
which fields, filters and version, and the agreements that exist, decide whether to serve,
which fields to return, which row conditions to add, which fields to pseudonymise, and how
many rows remain in today's quota. ``enforce`` then applies the decision to the rows a query
engine returned, whatever that engine did: it is the last line, not the only one.

Nothing here touches the database or the clock; ``services/access.py`` gathers the inputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dati.exchange.agreements.conditions import Condition, pseudonym, pseudonym_key, row_matches
from dati.i18n import gettext as _

OPEN, OWNER, PLATFORM, AGREEMENT, DENIED = "open", "owner", "platform", "agreement", "denied"


@dataclass(frozen=True)
class FieldInfo:
    name: str
    type: str = "string"
    classification: str = "open"


@dataclass(frozen=True)
class ResourceInfo:
    name: str
    owner_org_id: int
    is_open: bool
    fields: tuple[FieldInfo, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def identifier_fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.classification == "personal_identifier")

    def type_of(self, name: str) -> str:
        return next((f.type for f in self.fields if f.name == name), "string")


@dataclass(frozen=True)
class AgreementTerms:
    """The enforceable part of one agreement version."""

    number: str
    version: int
    status: str
    provider_org_id: int
    recipient_org_id: int
    resource: str
    fields: tuple[str, ...]
    conditions: tuple[Condition, ...]
    pseudonymised: frozenset[str]
    valid_from: date
    valid_until: date
    requests_per_day: int
    rows_per_day: int
    version_policy: str = "latest"
    pinned_version: int | None = None
    purpose: str = ""


@dataclass(frozen=True)
class Requester:
    """What the gateway needs to know about the actor."""

    authenticated: bool
    # Organisations whose agreements the actor may use (holds the recipient role there).
    recipient_org_ids: frozenset[int] = frozenset()
    # Organisations whose own data the actor may read (holds any role there).
    owner_org_ids: frozenset[int] = frozenset()
    # A platform job (demo loader, CLI, scheduled work), not a person: reads everything, logged.
    platform: bool = False


@dataclass(frozen=True)
class ReadRequest:
    fields: tuple[str, ...] = ()  # empty: every field the caller may see
    filters: tuple[Condition, ...] = ()
    sort: tuple[str, ...] = ()
    version: int | None = None  # None: the latest version
    latest_version: int | None = None
    agreement: str | None = None  # the agreement number the caller chose


@dataclass(frozen=True)
class Usage:
    requests: int = 0
    rows: int = 0


@dataclass(frozen=True)
class Decision:
    allowed: bool
    basis: str
    reason: str = ""
    status: int = 200  # 403 refused, 429 quota used up
    agreement: AgreementTerms | None = None
    return_fields: tuple[str, ...] = ()
    read_fields: tuple[str, ...] = ()  # return fields plus those the gateway itself needs
    conditions: tuple[Condition, ...] = ()
    pseudonymise: frozenset[str] = frozenset()
    pseudonym_key: bytes | None = None
    row_allowance: int | None = None
    version: int | None = None
    identifier_fields: tuple[str, ...] = field(default_factory=tuple)

    @property
    def audited(self) -> bool:
        return self.basis != OPEN


def _refuse(reason: str, status: int = 403) -> Decision:
    return Decision(allowed=False, basis=DENIED, reason=reason, status=status)


# --- the decision ---------------------------------------------------------------------------


def _state_reason(terms: AgreementTerms, today: date) -> str | None:
    """Why an agreement cannot be used today, or None when it can."""
    if terms.status == "active":
        if today < terms.valid_from:
            return _(
                "Agreement {number} is in force only from {day}.",
                number=terms.number,
                day=terms.valid_from.isoformat(),
            )
        if today > terms.valid_until:
            return _(
                "Agreement {number} expired on {day}.",
                number=terms.number,
                day=terms.valid_until.isoformat(),
            )
        return None
    reasons = {
        "awaiting_provider": _(
            "Agreement {number} is not signed yet by the provider.", number=terms.number
        ),
        "awaiting_recipient": _(
            "Agreement {number} is not signed yet by your institution.", number=terms.number
        ),
        "suspended": _("Agreement {number} is suspended.", number=terms.number),
        "revoked": _("Agreement {number} was revoked.", number=terms.number),
        "expired": _("Agreement {number} has expired.", number=terms.number),
        "superseded": _("Agreement {number} has a newer version.", number=terms.number),
    }
    return reasons.get(terms.status, _("Agreement {number} is not in force.", number=terms.number))


def decide(
    resource: ResourceInfo,
    requester: Requester,
    request: ReadRequest,
    agreements: Sequence[AgreementTerms],
    usage: Mapping[str, Usage],
    *,
    today: date,
    secret: str,
) -> Decision:
    """Serve or refuse, and exactly what to serve."""
    names = resource.names
    if resource.is_open:
        return Decision(
            True,
            OPEN,
            return_fields=request.fields or names,
            read_fields=request.fields or names,
            version=request.version,
        )
    if not requester.authenticated:
        return _refuse(
            _("Log in or use an API token: {resource} is not open data.", resource=resource.name),
            401,
        )
    if resource.owner_org_id in requester.owner_org_ids or requester.platform:
        return Decision(
            True, PLATFORM if requester.platform else OWNER, return_fields=request.fields or names, read_fields=_with(request.fields or names, resource.identifier_fields, names),
            version=request.version, identifier_fields=resource.identifier_fields,
        )  # fmt: skip
    mine = [
        a
        for a in agreements
        if a.resource == resource.name and a.recipient_org_id in requester.recipient_org_ids
    ]
    if request.agreement:
        mine = [a for a in mine if a.number == request.agreement]
        if not mine:
            return _refuse(
                _(
                    "Your institution has no agreement {number} for {resource}.",
                    number=request.agreement,
                    resource=resource.name,
                )
            )
    if not mine:
        return _refuse(
            _(
                "Your institution has no agreement for {resource}. Request access to it first.",
                resource=resource.name,
            )
        )
    usable = [a for a in mine if _state_reason(a, today) is None]
    if not usable:
        return _refuse(" ".join(sorted({r for a in mine if (r := _state_reason(a, today))})))
    if len(usable) > 1:
        return _refuse(
            _(
                "Several agreements cover {resource}: choose one with the agreement parameter ({numbers}).",
                resource=resource.name,
                numbers=", ".join(sorted(a.number for a in usable)),
            )
        )
    return _within_agreement(
        resource, request, usable[0], usage.get(usable[0].number, Usage()), secret
    )


def _with(first: Sequence[str], extra: Iterable[str], order: Sequence[str]) -> tuple[str, ...]:
    wanted = set(first) | set(extra)
    return tuple(n for n in order if n in wanted)


def _within_agreement(
    resource: ResourceInfo, request: ReadRequest, terms: AgreementTerms, used: Usage, secret: str
) -> Decision:
    agreed = [n for n in resource.names if n in set(terms.fields)]
    outside = [f for f in request.fields if f not in agreed]
    if outside:
        return _refuse(
            _(
                "Agreement {number} does not cover the field(s): {fields}.",
                number=terms.number,
                fields=", ".join(outside),
            )
        )
    hidden = set(terms.pseudonymised)
    for name in [f.field for f in request.filters] + list(request.sort):
        if name not in agreed:
            return _refuse(
                _(
                    "You may not filter or sort by {field}: agreement {number} does not cover it.",
                    field=name,
                    number=terms.number,
                )
            )
        if name in hidden:
            return _refuse(
                _(
                    "You may not filter or sort by {field}: agreement {number} pseudonymises it.",
                    field=name,
                    number=terms.number,
                )
            )
    version = request.version
    if terms.version_policy == "pinned":
        if version not in (None, terms.pinned_version):
            return _refuse(
                _(
                    "Agreement {number} covers only version {version} of the resource.",
                    number=terms.number,
                    version=terms.pinned_version,
                )
            )
        version = terms.pinned_version
    elif (
        version is not None
        and request.latest_version is not None
        and version != request.latest_version
    ):
        return _refuse(
            _(
                "Agreement {number} covers only the latest version of the resource.",
                number=terms.number,
            )
        )
    if used.requests >= terms.requests_per_day:
        return _refuse(
            _(
                "Agreement {number} allows {limit} requests a day; today's are used up.",
                number=terms.number,
                limit=terms.requests_per_day,
            ),
            429,
        )
    if used.rows >= terms.rows_per_day:
        return _refuse(
            _(
                "Agreement {number} allows {limit} rows a day; today's are used up.",
                number=terms.number,
                limit=terms.rows_per_day,
            ),
            429,
        )
    returned = tuple(request.fields) or tuple(agreed)
    needed = list(resource.identifier_fields) + [c.field for c in terms.conditions]
    return Decision(
        allowed=True,
        basis=AGREEMENT,
        agreement=terms,
        return_fields=returned,
        read_fields=_with(returned, needed, resource.names),
        conditions=terms.conditions,
        pseudonymise=frozenset(hidden & set(returned)),
        pseudonym_key=pseudonym_key(secret, terms.number),
        row_allowance=terms.rows_per_day - used.rows,
        version=version,
        identifier_fields=resource.identifier_fields,
    )


# --- applying it ------------------------------------------------------------------------------


def permitted_rows(
    decision: Decision, rows: Iterable[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    """The engine's rows that satisfy the agreement's conditions, within today's allowance."""
    kept = [row for row in rows if row_matches(decision.conditions, row)]
    if decision.row_allowance is not None:
        kept = kept[: max(0, decision.row_allowance)]
    return kept


def shape(decision: Decision, row: Mapping[str, Any]) -> dict[str, Any]:
    """One row as the recipient may see it: agreed fields only, pseudonymised as agreed."""
    key = decision.pseudonym_key
    out: dict[str, Any] = {}
    for name in decision.return_fields:
        value = row.get(name)
        out[name] = (
            pseudonym(key, value) if key is not None and name in decision.pseudonymise else value
        )
    return out


def enforce(decision: Decision, rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    if not decision.allowed:
        return []
    return [shape(decision, row) for row in permitted_rows(decision, rows)]


def subjects(decision: Decision, rows: Iterable[Mapping[str, Any]]) -> set[str]:
    """Personal codes in the (raw, permitted) rows: the people whose records were returned."""
    found: set[str] = set()
    for row in rows:
        for name in decision.identifier_fields:
            value = row.get(name)
            if value not in (None, ""):
                found.add(str(value))
    return found
