"""Server-rendered SVG line chart of daily p50 and p95 latency (no JavaScript, no CDN)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from dati.audit.schemas import AccessTimeRow

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 40


@dataclass
class Series:
    label: str
    css_class: str
    points: list[tuple[float, float]] = field(default_factory=list)

    @property
    def polyline(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in self.points)


@dataclass
class Chart:
    width: int
    height: int
    series: list[Series]
    y_ticks: list[tuple[float, str]]  # (y position, label)
    x_labels: list[tuple[float, str]]
    empty: bool


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)


def latency_chart(daily: Sequence[AccessTimeRow]) -> Chart:
    """p50 and p95 per day, scaled into the plot area; days without successful reads are skipped."""
    days = [row for row in daily if row.p95_ms is not None]
    top = _nice_max(max((row.p95_ms or 0.0) for row in days) if days else 0.0)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(days) - 1)

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / top)

    p50 = Series("p50", "line-p50")
    p95 = Series("p95", "line-p95")
    x_labels = []
    for i, row in enumerate(days):
        x = LEFT + (i * step if len(days) > 1 else plot_w / 2)
        p50.points.append((x, y(row.p50_ms or 0.0)))
        p95.points.append((x, y(row.p95_ms or 0.0)))
        if row.day and (len(days) <= 8 or i % max(1, len(days) // 6) == 0):
            x_labels.append((x, row.day.strftime("%d.%m.")))
    ticks = [(y(top * f), f"{top * f:g} ms") for f in (0, 0.25, 0.5, 0.75, 1)]
    return Chart(WIDTH, HEIGHT, [p50, p95], ticks, x_labels, empty=not days)
