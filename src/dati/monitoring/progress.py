"""An indicator's progress year by year: expected value, current actual value and status."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dati import clock
from dati.monitoring.models import ActualValue, Indicator, ReferenceKind, ReferenceValue
from dati.monitoring.status import Status, expected_value, status_for

RATED = (Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK)


@dataclass(frozen=True)
class YearProgress:
    year: int
    expected: float | None
    expected_text: str  # the printed trajectory cell when it is not a plain number
    actual: ActualValue | None
    status: Status
    # The year is not over: the value so far is compared with the end-of-year expectation.
    provisional: bool = False


@dataclass(frozen=True)
class IndicatorProgress:
    indicator: Indicator
    computed: bool
    years: list[YearProgress]
    focus: YearProgress  # the year the page or report is about

    def reference(self, kind: ReferenceKind) -> ReferenceValue | None:
        """The last printed cell of a kind (baselines and targets have one)."""
        cells = [r for r in self.indicator.references if r.kind == kind]
        return cells[-1] if cells else None

    @property
    def latest(self) -> YearProgress | None:
        measured = [y for y in self.years if y.actual is not None]
        return measured[-1] if measured else None


def current_values(values: Iterable[ActualValue]) -> dict[int, ActualValue]:
    """The value in force per year: the newest row, since each entry replaces the one before."""
    current: dict[int, ActualValue] = {}
    for value in sorted(values, key=lambda v: v.id):
        current[value.year] = value
    return current


def _year_progress(indicator: Indicator, year: int, actual: ActualValue | None) -> YearProgress:
    expected = expected_value(indicator.references, year)
    printed = [
        r.value_text
        for r in indicator.references
        if r.year == year and r.kind is ReferenceKind.LV_TRAJECTORY and r.value is None
    ]
    status = status_for(actual.value if actual else None, expected, measured=actual is not None)
    provisional = year >= clock.today().year and status in RATED
    return YearProgress(year, expected, printed[0] if printed else "", actual, status, provisional)


def build_progress(
    indicator: Indicator, values: Iterable[ActualValue], year: int, *, computed: bool
) -> IndicatorProgress:
    """Progress over every year that has a trajectory, target or actual value, plus ``year``."""
    current = current_values(values)
    years = {
        r.year
        for r in indicator.references
        if r.kind in (ReferenceKind.LV_TRAJECTORY, ReferenceKind.LV_TARGET)
    }
    years |= set(current) | {year}
    rows = [_year_progress(indicator, y, current.get(y)) for y in sorted(years)]
    focus = next(r for r in rows if r.year == year)
    return IndicatorProgress(indicator, computed, rows, focus)
