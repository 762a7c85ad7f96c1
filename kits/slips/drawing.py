"""Drawing primitives of the packing slips PDF: fonts, page geometry, tables as PDF forms, QR and bar codes.

Every distinct table row and table header is drawn once per document as a PDF form object and then
only placed; the QR code is one path built from the `qrcode` matrix (one rectangle per run of dark
modules); fonts are registered once per process.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.exceptions import DataOverflowError
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
FONT = "SoireeSans"
FONT_BOLD = "SoireeSans-Bold"
PAGE_SIZES = {"A4": A4, "LETTER": LETTER}

MARGIN = 36.0
ROW_HEIGHT = 14.0
HEADER_ROW_HEIGHT = 16.0
FOOTER_HEIGHT = 24.0
TOTALS_HEIGHT = 118.0
FIRST_PAGE_TABLE_TOP = 236.0  # distance from the top edge to the table header on a slip's first page
NEXT_PAGE_TABLE_TOP = 70.0  # same on continuation pages
PICK_TABLE_TOP = 96.0
PICK_TOTALS_HEIGHT = 40.0
BODY_SIZE = 8.5


@cache
def register_fonts() -> None:
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))


def page_size(name: str) -> tuple[float, float]:
    try:
        return PAGE_SIZES[name.upper()]
    except KeyError:
        raise ValueError(f"Unknown page size {name!r}: use one of {', '.join(PAGE_SIZES)}.") from None


@dataclass(frozen=True, slots=True)
class PageGeometry:
    width: float
    height: float
    first_rows: int  # rows on a slip's first page
    next_rows: int  # rows on a continuation page
    pick_rows: int

    @classmethod
    def for_page(cls, size: tuple[float, float]) -> PageGeometry:
        width, height = size
        bottom = MARGIN + FOOTER_HEIGHT

        def rows(table_top: float) -> int:
            return int((height - table_top - HEADER_ROW_HEIGHT - bottom) // ROW_HEIGHT)

        return cls(width, height, rows(FIRST_PAGE_TABLE_TOP), rows(NEXT_PAGE_TABLE_TOP), rows(PICK_TABLE_TOP))

    def paginate(self, count: int, *, first: int, following: int, reserve: float) -> list[int]:
        """Rows per page so that the last page also holds a `reserve`-high block under its rows."""
        reserve_rows = int(-(-reserve // ROW_HEIGHT))
        pages: list[int] = []
        remaining = count
        capacity = first
        while True:
            if remaining + reserve_rows <= capacity:
                pages.append(remaining)
                return pages
            take = capacity if remaining > capacity else max(remaining - 1, 0)
            pages.append(take)
            remaining -= take
            capacity = following


@dataclass
class PageDrawer:
    """One document's canvas with the helpers every page of it draws with."""

    canvas: Canvas
    geometry: PageGeometry
    labels: dict[str, str]
    printed_on: date
    forms: dict[tuple, str] = field(default_factory=dict)
    qr_versions: dict[int, int] = field(default_factory=dict)

    def fit(self, text: str, width: float, font: str = FONT, size: float = BODY_SIZE) -> str:
        if pdfmetrics.stringWidth(text, font, size) <= width:
            return text
        while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
            text = text[:-1]
        return text + "…"

    def form(self, key: tuple, draw: Callable[[], None], width: float, height: float) -> str:
        """The name of a form object drawn once per document (a table row, a table header)."""
        name = self.forms.get(key)
        if name is None:
            name = f"F{len(self.forms)}"
            self.forms[key] = name
            self.canvas.beginForm(name, 0, 0, width, height)
            draw()
            self.canvas.endForm()
        return name

    def place_table(self, header: str, rows: Sequence, row_form: Callable[[Any], str], y: float) -> None:
        """The table header with `rows` under it, its top at `y`.

        The whole block (header + rows) is itself a form, keyed by its rows: kits of one campaign
        share their lines, so page 2 of every slip places the same block, and a page costs one
        placement instead of one per row.
        """
        row_names = [row_form(row) for row in rows]  # defined before the block that uses them
        height = HEADER_ROW_HEIGHT + len(rows) * ROW_HEIGHT

        def draw() -> None:
            canvas = self.canvas
            canvas.saveState()
            canvas.translate(0, height - HEADER_ROW_HEIGHT)
            canvas.doForm(header)
            for name in row_names:
                canvas.translate(0, -ROW_HEIGHT)
                canvas.doForm(name)
            canvas.restoreState()

        block = self.form(("table", header, tuple(rows)), draw, self.table_width, height)
        canvas = self.canvas
        canvas.saveState()
        canvas.translate(MARGIN, y + HEADER_ROW_HEIGHT - height)
        canvas.doForm(block)
        canvas.restoreState()

    def table_header(self, columns: tuple) -> str:
        def draw() -> None:
            canvas = self.canvas
            canvas.setFillGray(0.88)
            canvas.rect(0, 0, self.table_width, HEADER_ROW_HEIGHT, stroke=0, fill=1)
            canvas.setFillGray(0)
            canvas.setFont(FONT_BOLD, BODY_SIZE)
            for label, x, width in columns:
                text = self.labels.get(label, label)
                if label in ("Qty", "Units"):
                    canvas.drawRightString(x + width - 2, 5, text)
                else:
                    canvas.drawString(x + 2, 5, text)

        return self.form(("header", columns), draw, self.table_width, HEADER_ROW_HEIGHT)

    def tick_box(self, x: float) -> None:
        self.canvas.rect(x + 5, 3, 9, 9, stroke=1, fill=0)

    def row_rule(self) -> None:
        canvas = self.canvas
        canvas.setStrokeGray(0.75)
        canvas.setLineWidth(0.4)
        canvas.line(0, 0, self.table_width, 0)
        canvas.setStrokeGray(0)
        canvas.setLineWidth(0.8)

    @property
    def table_width(self) -> float:
        return self.geometry.width - 2 * MARGIN

    def footer(self, left: str, right: str) -> None:
        canvas = self.canvas
        canvas.setFont(FONT, 8)
        canvas.drawString(MARGIN, MARGIN, left)
        canvas.drawRightString(self.geometry.width - MARGIN, MARGIN, right)

    def qr_code(self, data: str, x: float, y: float, size: float) -> None:
        """The QR code as one filled path: one rectangle per horizontal run of dark modules."""
        # A fixed mask pattern: choosing the "best" of eight costs six times the encoding itself, and
        # any mask decodes the same.
        # The version (size) is found once per data length: slips' URLs differ only in digits.
        version = self.qr_versions.get(len(data))
        code = qrcode.QRCode(version=version, error_correction=ERROR_CORRECT_M, border=0, mask_pattern=4)
        code.add_data(data)
        try:
            code.make(fit=version is None)
        except DataOverflowError:  # same length, denser content: let the library size it
            code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=4)
            code.add_data(data)
            code.make(fit=True)
        self.qr_versions.setdefault(len(data), code.version)
        matrix = code.get_matrix()
        count = len(matrix)
        module = size / count
        path = self.canvas.beginPath()
        for row_index, row in enumerate(matrix):
            top = y + size - (row_index + 1) * module
            start = None
            for column, dark in enumerate([*row, False]):
                if dark and start is None:
                    start = column
                elif not dark and start is not None:
                    path.rect(x + start * module, top, (column - start) * module, module)
                    start = None
        self.canvas.drawPath(path, stroke=0, fill=1)

    def barcode(self, number: str, right: float, top: float) -> None:
        barcode = Code128(number, barHeight=40, barWidth=1.1, quiet=True, lquiet=11, rquiet=11)
        barcode.drawOn(self.canvas, right - barcode.width, top - 40)
        self.canvas.setFont(FONT_BOLD, 11)
        self.canvas.drawCentredString(right - barcode.width / 2, top - 54, number)
