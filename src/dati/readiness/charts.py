"""Radar charts drawn on the server as accessible SVG.

The SVG is an image with a title and a text description of every value (role="img"); the
page shows the same numbers in a table beside it. Series differ by line pattern as well as
colour, so the chart does not rely on colour alone (WCAG 1.4.1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from dati.i18n import gettext as _

WIDTH, HEIGHT = 640, 470
CX, CY, RADIUS = 320.0, 215.0, 150.0
LEVELS = (25, 50, 75, 100)
STYLES = {
    # stroke, dash pattern, fill opacity; colours have at least 4.5:1 contrast on white.
    "primary": ("#9e3039", "", 0.22),
    "reference": ("#0b4f8a", "7 4", 0.0),
    "previous": ("#4a5360", "2 3", 0.0),
}


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    style: str = "primary"


def _point(index: int, count: int, value: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    r = RADIUS * max(0.0, min(100.0, value)) / 100
    return CX + r * math.cos(angle), CY + r * math.sin(angle)


def _wrap(label: str, width: int = 18) -> list[str]:
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _number(value: float | None) -> str:
    return _("no data") if value is None else f"{value:.0f}"


def describe(axes: Sequence[str], series: Sequence[Series]) -> str:
    """Every value in words, for the SVG's <desc>."""
    parts = []
    for s in series:
        values = "; ".join(f"{axis} {_number(v)}" for axis, v in zip(axes, s.values, strict=True))
        parts.append(f"{s.name}: {values}.")
    return " ".join(parts) + " " + _("Scale 0 to 100.")


def radar_svg(
    axes: Sequence[str], series: Sequence[Series], *, title: str, chart_id: str
) -> Markup:
    """A radar chart of 0–100 values, one axis per dimension."""
    count = len(axes)
    if count < 3:
        raise ValueError("a radar chart needs at least three axes")
    ident = escape(chart_id)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" class="radar" '
        f'role="img" aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(describe(axes, series))}</desc>',
        '<g fill="none" stroke="#cfd6de" stroke-width="1">',
    ]
    for level in LEVELS:
        ring = " ".join(
            f"{x:.1f},{y:.1f}" for x, y in (_point(i, count, level) for i in range(count))
        )
        out.append(f'<polygon points="{ring}"/>')
    for i in range(count):
        x, y = _point(i, count, 100)
        out.append(f'<line x1="{CX}" y1="{CY}" x2="{x:.1f}" y2="{y:.1f}"/>')
    out.append("</g>")
    out.append('<g font-size="11" fill="#4a5360">')
    for level in LEVELS:
        x, y = _point(0, count, level)
        out.append(f'<text x="{x + 4:.1f}" y="{y + 4:.1f}">{level}</text>')
    out.append("</g>")
    out.append('<g font-size="13" fill="#1b1f24">')
    for i, axis in enumerate(axes):
        x, y = _point(i, count, 100)
        angle = -math.pi / 2 + 2 * math.pi * i / count
        dx, dy = math.cos(angle), math.sin(angle)
        anchor = "middle" if abs(dx) < 0.3 else ("start" if dx > 0 else "end")
        lines = _wrap(axis)
        lx = x + dx * 12
        if dy < -0.3:  # above the chart: the last line sits just over the axis end
            ly = y - 12 - (len(lines) - 1) * 15
        elif dy > 0.3:  # below: the first line sits just under it
            ly = y + 20
        else:  # beside: centred on the axis end
            ly = y + 4 - (len(lines) - 1) * 7.5
        out.append(f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}">')
        for n, line in enumerate(lines):
            out.append(f'<tspan x="{lx:.1f}" dy="{0 if n == 0 else 15}">{escape(line)}</tspan>')
        out.append("</text>")
    out.append("</g>")
    for s in series:
        stroke, dash, opacity = STYLES.get(s.style, STYLES["primary"])
        points = " ".join(
            f"{x:.1f},{y:.1f}"
            for x, y in (_point(i, count, v or 0) for i, v in enumerate(s.values))
        )
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<polygon points="{points}" fill="{stroke}" fill-opacity="{opacity}" '
            f'stroke="{stroke}" stroke-width="2.5"{dash_attr}/>'
        )
        if s.style == "primary":
            for i, v in enumerate(s.values):
                x, y = _point(i, count, v or 0)
                out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{stroke}"/>')
    out.append(_legend(series))
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text piece above is escaped


def _legend(series: Sequence[Series]) -> str:
    parts = ['<g font-size="13" fill="#1b1f24">']
    x = 20.0
    y = HEIGHT - 18
    for s in series:
        stroke, dash, _opacity = STYLES.get(s.style, STYLES["primary"])
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="{x:.0f}" y1="{y - 4}" x2="{x + 30:.0f}" y2="{y - 4}" stroke="{stroke}" '
            f'stroke-width="3"{dash_attr}/>'
        )
        parts.append(f'<text x="{x + 38:.0f}" y="{y}">{escape(s.name)}</text>')
        x += 48 + 7.2 * len(s.name)
    parts.append("</g>")
    return "".join(parts)
