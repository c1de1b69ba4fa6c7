"""Plain PDF reports (agreements, readiness and progress reports) with Latvian text.

fpdf2 with the vendored DejaVu Sans, which covers Latvian diacritics; see web/fonts/LICENSE-DejaVu.txt.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONT_DIR = Path(__file__).resolve().parent / "web" / "fonts"
# fpdf2 warns for every <title>/<desc> it skips; our charts always carry both for screen readers.
logging.getLogger("fpdf.svg").setLevel(logging.ERROR)


class PdfReport:
    """A simple flowing document: headings, paragraphs, key-value lists and tables."""

    def __init__(self, title: str, *, subtitle: str = "", lang: str = "lv"):
        self._pdf = FPDF(format="A4")
        self._pdf.set_title(title)
        self._pdf.set_lang(lang)
        self._pdf.set_creator("dati")
        self._pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        self._pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self._pdf.set_auto_page_break(auto=True, margin=15)
        self._pdf.add_page()
        self._pdf.set_font("DejaVu", "B", 18)
        self._pdf.multi_cell(0, 9, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if subtitle:
            self._pdf.set_font("DejaVu", "", 11)
            self._pdf.multi_cell(0, 6, subtitle, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self._pdf.ln(4)

    def heading(self, text: str, level: int = 2) -> None:
        self._pdf.ln(2)
        self._pdf.set_font("DejaVu", "B", {1: 16, 2: 13, 3: 11}.get(level, 11))
        self._pdf.multi_cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self._pdf.ln(1)

    def paragraph(self, text: str) -> None:
        self._pdf.set_font("DejaVu", "", 10)
        self._pdf.multi_cell(0, 5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self._pdf.ln(2)

    def key_values(self, pairs: Sequence[tuple[str, str]]) -> None:
        for key, value in pairs:
            self._pdf.set_font("DejaVu", "B", 10)
            self._pdf.cell(55, 6, key)
            self._pdf.set_font("DejaVu", "", 10)
            self._pdf.multi_cell(0, 6, value or "—", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self._pdf.ln(2)

    def table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[object]],
        *,
        col_widths: Sequence[int] | None = None,
    ) -> None:
        self._pdf.set_font("DejaVu", "", 9)
        with self._pdf.table(
            col_widths=tuple(col_widths) if col_widths else None,
            line_height=5,
            text_align="LEFT",
        ) as table:
            header = table.row()
            for h in headers:
                header.cell(str(h))
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell("" if value is None else str(value))
        self._pdf.ln(3)

    def ensure_space(self, height: float) -> None:
        """Start a new page unless ``height`` millimetres still fit (keeps a heading with its chart)."""
        if self._pdf.get_y() + height > self._pdf.page_break_trigger:
            self._pdf.add_page()

    def svg(self, drawing: str, *, width: float = 170) -> None:
        """Embed an SVG drawing (e.g. a ``dati.charts`` chart) ``width`` millimetres wide."""
        self._pdf.image(io.BytesIO(drawing.encode("utf-8")), w=width)
        self._pdf.ln(3)

    def output(self) -> bytes:
        return bytes(self._pdf.output())
