"""Server-rendered, accessible SVG charts: a line chart (trajectory, target and actual series
over years) and a horizontal bar chart. No JavaScript and no chart library.

Every chart is ``role="img"`` with a ``<title>`` and a ``<desc>`` text alternative; pages put
the data table beside it. Series differ by dash pattern and marker shape as well as colour,
so they can be told apart without colour (WCAG 1.4.1). The same SVG embeds in ``dati.pdf``.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from markupsafe import Markup, escape

SeriesStyle = Literal["actual", "trajectory", "target", "reference"]
Formatter = Callable[[float], str]

# Colours meet 3:1 contrast against white for graphics (WCAG 1.4.11).
_STYLES: dict[str, dict[str, str]] = {
    "actual": {"colour": "#0b4f8a", "dash": "", "marker": "circle", "line": "yes"},
    "trajectory": {"colour": "#4a5360", "dash": "6 4", "marker": "square", "line": "yes"},
    "target": {"colour": "#9e3039", "dash": "", "marker": "diamond", "line": ""},
    "reference": {"colour": "#8a5a00", "dash": "", "marker": "triangle", "line": ""},
}
# fpdf2 picks the first family when the SVG is embedded in a PDF: it must be the PDF's
# registered Unicode font, or Latvian letters fail; browsers fall back to sans-serif.
_FONT = "DejaVu, sans-serif"


@dataclass(frozen=True)
class Series:
    """One named series of (year, value) points; ``None`` values leave a gap."""

    label: str
    points: Sequence[tuple[int, float | None]]
    style: SeriesStyle = "actual"


def _plain(value: float) -> str:
    return f"{value:g}"


def _chart_id(prefix: str, title: str) -> str:
    return f"{prefix}-{hashlib.sha1(title.encode()).hexdigest()[:10]}"  # noqa: S324 - an id, not security


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten that is >= value (axis maximum)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power + 1e-9:
            return step * power
    return 10 * power


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'
    if shape == "square":
        return f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" fill="{colour}"/>'
    if shape == "diamond":
        pts = f"{x:.1f},{y - 6:.1f} {x + 6:.1f},{y:.1f} {x:.1f},{y + 6:.1f} {x - 6:.1f},{y:.1f}"
        return f'<polygon points="{pts}" fill="{colour}"/>'
    pts = f"{x:.1f},{y - 6:.1f} {x + 6:.1f},{y + 5:.1f} {x - 6:.1f},{y + 5:.1f}"
    return f'<polygon points="{pts}" fill="{colour}"/>'


def describe_series(series: Sequence[Series], value_format: Formatter = _plain) -> str:
    """A sentence per series listing its points: the default text alternative."""
    parts = []
    for s in series:
        points = [f"{year}: {value_format(v)}" for year, v in s.points if v is not None]
        if points:
            parts.append(f"{s.label} — " + "; ".join(points) + ".")
    return " ".join(parts)


def _svg_open(chart_id: str, width: int, height: int, title: str, description: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="{_FONT}" '
        f'style="max-width:100%;height:auto">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>'
    )


def line_chart(
    series: Sequence[Series],
    *,
    title: str,
    description: str | None = None,
    value_format: Formatter = _plain,
    width: int = 640,
    height: int = 300,
    chart_id: str | None = None,
) -> Markup:
    """Years on the x axis, values on the y axis from zero; lines for line styles, markers for all."""
    chart_id = chart_id or _chart_id("line", title)
    description = description if description is not None else describe_series(series, value_format)
    shown = [year for s in series for year, _v in s.points]
    # Every year between the first and the last, so a year printed as text still has its place.
    years = list(range(min(shown), max(shown) + 1)) if shown else []
    values = [v for s in series for _y, v in s.points if v is not None]
    left, right, top, bottom = 64, 16, 20 + 18 * math.ceil(len(series) / 2), 36
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = nice_ceiling(max(values, default=0.0))
    low_value = min(0.0, min(values, default=0.0))
    span = (top_value - low_value) or 1.0

    def x_of(year: int) -> float:
        if len(years) == 1:
            return left + plot_w / 2
        return left + plot_w * (years.index(year) / (len(years) - 1))

    def y_of(value: float) -> float:
        return top + plot_h * (1 - (value - low_value) / span)

    out = [_svg_open(chart_id, width, height, title, description)]
    out.append('<g aria-hidden="true">')
    for i in range(5):
        tick = low_value + span * i / 4
        y = y_of(tick)
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#cfd6de"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="#1b1f24">{escape(value_format(tick))}</text>'
        )
    for year in years:
        out.append(
            f'<text x="{x_of(year):.1f}" y="{height - bottom + 18}" font-size="11" '
            f'text-anchor="middle" fill="#1b1f24">{year}</text>'
        )
    for index, s in enumerate(series):
        style = _STYLES[s.style]
        lx, ly = 8 + (index % 2) * (width // 2), 14 + 18 * (index // 2)
        sample = (
            f'<line x1="{lx}" y1="{ly}" x2="{lx + 24}" y2="{ly}" stroke="{style["colour"]}" '
            f'stroke-width="2" stroke-dasharray="{style["dash"] or "none"}"/>'
            if style["line"]
            else ""
        )
        out.append(sample + _marker(style["marker"], lx + 12, ly, style["colour"]))
        out.append(
            f'<text x="{lx + 32}" y="{ly + 4}" font-size="12" fill="#1b1f24">{escape(s.label)}</text>'
        )
        if style["line"]:
            for run in _runs(s.points):
                if len(run) > 1:
                    pts = " ".join(f"{x_of(yr):.1f},{y_of(v):.1f}" for yr, v in run)
                    out.append(
                        f'<polyline points="{pts}" fill="none" stroke="{style["colour"]}" '
                        f'stroke-width="2.5" stroke-dasharray="{style["dash"] or "none"}"/>'
                    )
        for year, value in s.points:
            if value is not None:
                out.append(_marker(style["marker"], x_of(year), y_of(value), style["colour"]))
    out.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        f'stroke="#4a5360"/></g></svg>'
    )
    return Markup("".join(out))  # noqa: S704 - every text piece above is escaped


def _runs(points: Sequence[tuple[int, float | None]]) -> list[list[tuple[int, float]]]:
    """Consecutive non-empty points, so a missing year breaks the line instead of bridging it."""
    runs: list[list[tuple[int, float]]] = [[]]
    for year, value in sorted(points):
        if value is None:
            runs.append([])
        else:
            runs[-1].append((year, value))
    return [r for r in runs if r]


def bar_chart(
    bars: Sequence[tuple[str, float | None]],
    *,
    title: str,
    description: str | None = None,
    value_format: Formatter = _plain,
    missing_label: str = "—",
    width: int = 640,
    chart_id: str | None = None,
) -> Markup:
    """Horizontal bars, one per labelled value; a ``None`` value shows ``missing_label``."""
    chart_id = chart_id or _chart_id("bar", title)
    if description is None:
        description = "; ".join(
            f"{label}: {missing_label if v is None else value_format(v)}" for label, v in bars
        )
    longest = max((len(label) for label, _v in bars), default=1)
    # About 7.5 px per character at 12 px (capitals are wide); at least 60, at most 45 %.
    label_w, row_h, top = int(min(max(longest * 7.5 + 12, 60), width * 0.45)), 28, 8
    height = top * 2 + row_h * max(len(bars), 1)
    plot_w = width - label_w - 90
    top_value = nice_ceiling(max((v for _l, v in bars if v is not None), default=0.0))
    out = [_svg_open(chart_id, width, height, title, description), '<g aria-hidden="true">']
    for i, (label, value) in enumerate(bars):
        y = top + i * row_h
        out.append(
            f'<text x="{label_w - 8}" y="{y + 18}" font-size="12" text-anchor="end" '
            f'fill="#1b1f24">{escape(_shorten(label, int((label_w - 12) / 7.5)))}</text>'
        )
        if value is None:
            text_x, text = float(label_w + 4), missing_label
        else:
            bar_w = max(plot_w * max(value, 0) / top_value, 1)
            out.append(
                f'<rect x="{label_w}" y="{y + 5}" width="{bar_w:.1f}" height="{row_h - 10}" '
                f'fill="#0b4f8a"/>'
            )
            text_x, text = label_w + bar_w + 6, value_format(value)
        out.append(
            f'<text x="{text_x:.1f}" y="{y + 18}" font-size="12" fill="#1b1f24">{escape(text)}</text>'
        )
    out.append(
        f'<line x1="{label_w}" y1="{top}" x2="{label_w}" y2="{height - top}" stroke="#4a5360"/>'
        "</g></svg>"
    )
    return Markup("".join(out))  # noqa: S704 - every text piece above is escaped


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 1)].rstrip() + "…"
