"""The shared SVG charts: accessible, escaped, honest about gaps."""

from __future__ import annotations

import re

from dati.charts import Series, bar_chart, line_chart, nice_ceiling


def test_line_chart_is_an_image_with_a_text_alternative() -> None:
    svg = line_chart(
        [
            Series("Trajektorija", [(2026, 0.0), (2027, 4.0), (2030, 14.0)], "trajectory"),
            Series("Faktiski", [(2026, 1.0)], "actual"),
            Series("Mērķis", [(2030, 14.0)], "target"),
        ],
        title="Resoru skaits",
        chart_id="c1",
    )
    assert 'role="img"' in svg and 'aria-labelledby="c1-title c1-desc"' in svg
    assert '<title id="c1-title">Resoru skaits</title>' in svg
    desc = re.search(r'<desc id="c1-desc">(.*?)</desc>', svg)
    assert desc and "Trajektorija — 2026: 0; 2027: 4; 2030: 14." in desc.group(1)
    # Every year between the first and last gets its place on the axis, even without a value.
    assert all(f">{year}</text>" in svg for year in range(2026, 2031))


def test_missing_values_break_the_line() -> None:
    svg = line_chart(
        [Series("A", [(2024, 1.0), (2025, None), (2026, 3.0), (2027, 4.0)])], title="t"
    )
    assert svg.count("<polyline") == 1  # 2024 stands alone; 2026-2027 is the only line
    assert svg.count("<circle") == 1 + 3  # legend marker plus one per value


def test_text_is_escaped() -> None:
    svg = line_chart([Series("<script>alert(1)</script>", [(2026, 1.0)])], title="a & b <c>")
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "a &amp; b &lt;c&gt;" in svg


def test_bar_chart_labels_missing_values() -> None:
    svg = bar_chart(
        [("augsta riska", 3.0), ("minimāls risks", None)],
        title="MI",
        missing_label="vēl nav mērīts",
    )
    assert "vēl nav mērīts" in svg and svg.count("<rect") == 2  # background + one bar
    assert "augsta riska: 3; minimāls risks: vēl nav mērīts" in svg


def test_axis_maximum_is_a_round_number() -> None:
    assert [nice_ceiling(v) for v in (0, 7, 14, 93.9, 1121, 455678)] == [
        1,
        10,
        20,
        100,
        2000,
        500000,
    ]
