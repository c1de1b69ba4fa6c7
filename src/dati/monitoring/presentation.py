"""How indicator numbers, statuses and charts read in the current language (pages and PDF)."""

from __future__ import annotations

from babel.numbers import format_decimal
from markupsafe import Markup

from dati import charts
from dati.i18n import get_language, pick
from dati.i18n import gettext as _
from dati.monitoring.models import ActualValue, Indicator, ReferenceKind, ReferenceValue
from dati.monitoring.progress import IndicatorProgress
from dati.monitoring.status import Status, status_label

UNIT_LABELS = {
    "percent": "%",
    "count": "count",
    "households": "households",
    "EUR": "EUR",
    "text": "text",
    "points": "points",
}


REFERENCE_LABELS = {
    ReferenceKind.LV_BASELINE: "Baseline",
    ReferenceKind.LV_TRAJECTORY: "Trajectory",
    ReferenceKind.LV_TARGET: "National target",
    ReferenceKind.EU_BASELINE: "EU baseline",
    ReferenceKind.EU_TARGET: "EU target",
}


def reference_label(kind: ReferenceKind) -> str:
    return _(REFERENCE_LABELS[kind])


def unit_label(unit: str) -> str:
    return _(UNIT_LABELS.get(unit, unit))


def number(value: float, unit: str = "") -> str:
    """Latvian (or English) digit grouping and decimal mark, with the unit where it reads well."""
    text = format_decimal(value, locale=get_language(), format="#,##0.##")
    if unit == "percent":
        return f"{text} %"
    if unit in ("households", "EUR", "points"):
        return f"{text} {unit_label(unit)}"
    return text


def reference_text(ref: ReferenceValue | None, unit: str) -> str:
    """A printed cell: its exact text when it was not a plain number, else the number."""
    if ref is None:
        return "—"
    if ref.value_text:
        return ref.value_text
    return number(ref.value, ref.unit or unit) if ref.value is not None else "—"


def actual_text(value: ActualValue | None, unit: str) -> str:
    if value is None:
        return _("not yet measured")
    if value.value is None:
        return value.value_text
    return number(value.value, unit)


def expected_text(expected: float | None, printed: str, unit: str) -> str:
    if expected is not None:
        return number(expected, unit)
    return printed or "—"


STATUS_CLASSES = {
    Status.ON_TRACK: "status-on",
    Status.AT_RISK: "status-risk",
    Status.OFF_TRACK: "status-off",
    Status.NO_TARGET: "status-none",
    Status.NOT_MEASURED: "status-none",
}


def status_text(status: Status, provisional: bool = False) -> str:
    """The status in words; "(provisional)" while the year is not over."""
    label = status_label(status)
    return f"{label} ({_('provisional')})" if provisional else label


def status_badge(status: Status, provisional: bool = False) -> Markup:
    # The symbol repeats the word, so the status never depends on colour alone.
    symbols = {Status.ON_TRACK: "✓", Status.AT_RISK: "!", Status.OFF_TRACK: "✗"}
    symbol = symbols.get(status, "–")
    return Markup(
        '<span class="status {cls}"><span aria-hidden="true">{sym}</span> {label}</span>'
    ).format(cls=STATUS_CLASSES[status], sym=symbol, label=status_text(status, provisional))


def name(indicator: Indicator) -> str:
    return pick(indicator.name_lv, indicator.name_en)


def method(indicator: Indicator) -> str:
    return pick(indicator.method_lv, indicator.method_en)


def _points(progress: IndicatorProgress, kind: ReferenceKind) -> list[tuple[int, float | None]]:
    return [
        (r.year, r.value)
        for r in progress.indicator.references
        if r.kind is kind and not r.unit and r.value is not None
    ]


def chart(progress: IndicatorProgress, *, width: int = 640, height: int = 300) -> Markup | None:
    """Trajectory against actual values (with the national and EU targets) as an SVG line
    chart; ``None`` when the indicator has no numbers to draw (qualitative targets)."""
    unit = progress.indicator.unit
    actual = [
        (y.year, y.actual.value)
        for y in progress.years
        if y.actual is not None and y.actual.value is not None
    ]
    series = [
        charts.Series(
            _("Trajectory"), _points(progress, ReferenceKind.LV_TRAJECTORY), "trajectory"
        ),
        charts.Series(_("Actual"), actual, "actual"),
        charts.Series(_("National target"), _points(progress, ReferenceKind.LV_TARGET), "target"),
        charts.Series(_("EU target"), _points(progress, ReferenceKind.EU_TARGET), "reference"),
    ]
    series = [s for s in series if s.points]
    if not series:
        return None
    title = _("{name}: trajectory and actual values", name=name(progress.indicator))
    description = charts.describe_series(series, lambda v: number(v, unit))
    if not actual:
        description += " " + _("No actual value has been measured yet.")
    return charts.line_chart(
        series,
        title=title,
        description=description,
        value_format=lambda v: number(v, unit),
        width=width,
        height=height,
        chart_id=f"chart-{progress.indicator.code}",
    )


def status_counts(items: list[IndicatorProgress]) -> dict[Status, int]:
    counts = dict.fromkeys(Status, 0)
    for item in items:
        counts[item.focus.status] += 1
    return counts


def status_chart(items: list[IndicatorProgress], year: int) -> Markup:
    counts = status_counts(items)
    bars: list[tuple[str, float | None]] = [(status_label(s), float(counts[s])) for s in Status]
    return charts.bar_chart(
        bars,
        title=_("Indicators by status in {year}", year=year),
        value_format=lambda v: number(v),
        chart_id=f"status-{year}",
    )
