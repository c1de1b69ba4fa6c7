"""Whether an indicator is on track in a year: the one rule, in code and in words."""

from __future__ import annotations

import enum
from collections.abc import Iterable

from dati.i18n import gettext as _
from dati.monitoring.models import ReferenceKind, ReferenceValue

# How far below the year's expected value still counts as "at risk" rather than "off track".
TOLERANCE = 0.10


class Status(enum.StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_TARGET = "no_target"
    NOT_MEASURED = "not_measured"


STATUS_LABELS = {
    Status.ON_TRACK: "On track",
    Status.AT_RISK: "At risk",
    Status.OFF_TRACK: "Off track",
    Status.NO_TARGET: "No numeric target for this year",
    Status.NOT_MEASURED: "Not yet measured",
}


def status_label(status: Status) -> str:
    return _(STATUS_LABELS[status])


def rule_text() -> str:
    """The status rule in words, shown wherever a status is."""
    return (
        _(
            "On track: the actual value for the year reaches the expected value, which is the trajectory value for that year or, in the target year, the national target when the trajectory cell is not a number. At risk: it falls short by no more than {tolerance} % of the expected value. Off track: it falls short by more. No status: the year has no numeric expected value (the trajectory is printed as text, such as “Vismaz 70%” or “N/A”). Not yet measured: no actual value has been recorded or computed for the year.",
            tolerance=int(TOLERANCE * 100),
        )
        + " "
        + _(
            "In the current year the status is provisional: the value so far is compared with the value expected at the end of the year."
        )
    )


def expected_value(references: Iterable[ReferenceValue], year: int) -> float | None:
    """The number an actual value for ``year`` is compared with, in the indicator's own unit."""
    in_unit = [r for r in references if r.year == year and not r.unit and r.value is not None]
    for kind in (ReferenceKind.LV_TRAJECTORY, ReferenceKind.LV_TARGET):
        for ref in in_unit:
            if ref.kind is kind:
                return ref.value
    return None


def status_for(actual: float | None, expected: float | None, *, measured: bool) -> Status:
    """Compare one year's actual value with its expected value (higher is better for every
    indicator the strategy and the roadmap define)."""
    if not measured:
        return Status.NOT_MEASURED
    if actual is None or expected is None:
        return Status.NO_TARGET
    if actual >= expected:
        return Status.ON_TRACK
    if actual >= expected - abs(expected) * TOLERANCE:
        return Status.AT_RISK
    return Status.OFF_TRACK
