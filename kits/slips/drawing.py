"""Drawing primitives of the packing slips PDF: fonts, page geometry, wrapping, tables as PDF forms,
QR and bar codes.

Every distinct table row and table header is drawn once per document as a PDF form object and then
only placed; the QR code is one path built from the `qrcode` matrix (one rectangle per run of dark
modules); fonts are registered once per process.

Nothing that identifies a thing is ever cut: a value wider than its place wraps (`wrap`), at spaces
first, then after a hyphen, slash, dot or underscore, and only as a last resort between characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
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
BODY_SIZE = 8.5
LINE_HEIGHT = 10.0  # between the lines of a wrapped table cell
ROW_PADDING = 2.0  # above and below a table row's text
HEADER_ROW_HEIGHT = 16.0
FOOTER_HEIGHT = 24.0
CELL_PADDING = 2.0  # left and right of a cell's text
COLUMN_GAP = 4.0
BARCODE_HEIGHT = 40.0

_BREAK_AFTER = re.compile(r"(?<=[-/._])")


@cache
def register_fonts() -> None:
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))


def page_size(name: str) -> tuple[float, float]:
    try:
        return PAGE_SIZES[name.upper()]
    except KeyError:
        raise ValueError(f"Unknown page size {name!r}: use one of {', '.join(PAGE_SIZES)}.") from None


def text_width(text: str, font: str = FONT, size: float = BODY_SIZE) -> float:
    return pdfmetrics.stringWidth(text, font, size)


def wrap(text: str, width: float, font: str = FONT, size: float = BODY_SIZE) -> tuple[str, ...]:
    """The lines of `text` within `width`: every character kept, in order.

    Words stay whole where they fit; a longer one breaks after a hyphen, slash, dot or underscore
    (`SOIREE-AW26-ROBE-` / `001-XS`), and only past those between characters.
    """
    if text_width(text, font, size) <= width:
        return (text,)
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, font, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
            current = ""
        for piece in _break_word(word, width, font, size):
            candidate = current + piece
            if current and text_width(candidate, font, size) > width:
                lines.append(current)
                candidate = piece
            current = candidate
    if current or not lines:
        lines.append(current)
    return tuple(lines)


def _break_word(word: str, width: float, font: str, size: float) -> list[str]:
    """Pieces of a word too wide for its place: at its break points, and a piece still too wide by
    characters."""
    pieces: list[str] = []
    for part in _BREAK_AFTER.split(word):
        while part and text_width(part, font, size) > width:
            cut = 1
            while cut < len(part) and text_width(part[: cut + 1], font, size) <= width:
                cut += 1
            pieces.append(part[:cut])
            part = part[cut:]
        if part:
            pieces.append(part)
    return pieces


@dataclass(frozen=True, slots=True)
class Column:
    """One table column: its header, where it starts (from the table's left edge), its width, and
    how its cells are drawn: wrapped text, a number on the right, or a tick box."""

    label: str
    x: float
    width: float
    kind: str = "text"  # text | number | box

    @property
    def text_width(self) -> float:
        return self.width - 2 * CELL_PADDING


def size_columns(
    table_width: float, specs: Sequence[tuple[str, str, float, float]], *, fill: str
) -> tuple[Column, ...]:
    """Columns that size to their content.

    `specs` are (label, kind, widest content, largest share of the free width) per column; a share of
    0 means the content's width whatever it is (numbers, tick boxes). The `fill` column takes what
    is left. A column never gets narrower than its header nor wider than its share: past that, its
    values wrap.
    """
    fixed = {
        label: max(content, text_width(label, FONT_BOLD)) + 2 * CELL_PADDING
        for label, _kind, content, share in specs
        if not share
    }
    free = table_width - sum(fixed.values()) - COLUMN_GAP * (len(specs) - 1)
    widths: dict[str, float] = dict(fixed)
    for label, _kind, content, share in specs:
        if share and label != fill:
            header = text_width(label, FONT_BOLD) + 2 * CELL_PADDING
            widths[label] = max(header, min(content + 2 * CELL_PADDING, free * share))
    widths[fill] = free - sum(width for label, width in widths.items() if label not in fixed)
    columns = []
    x = 0.0
    for label, kind, _content, _share in specs:
        columns.append(Column(label, x, widths[label], kind))
        x += widths[label] + COLUMN_GAP
    return tuple(columns)


def row_height(lines: int) -> float:
    return 2 * ROW_PADDING + max(lines, 1) * LINE_HEIGHT


@dataclass(frozen=True, slots=True)
class PageGeometry:
    width: float
    height: float

    @classmethod
    def for_page(cls, size: tuple[float, float]) -> PageGeometry:
        return cls(*size)

    @property
    def table_width(self) -> float:
        return self.width - 2 * MARGIN

    def table_space(self, table_top: float) -> float:
        """Height for table rows under a header whose top is `table_top` below the page's top."""
        return self.height - table_top - HEADER_ROW_HEIGHT - MARGIN - FOOTER_HEIGHT


def paginate(heights: Sequence[float], *, first: float, following: float, reserve: float) -> list[int]:
    """Rows on each page: as many as fit, and the last page also keeps `reserve` points under its
    rows (for totals). At least one row moves on with the block, never the block alone."""
    pages: list[int] = []
    index, count, space = 0, len(heights), first
    while True:
        start, used = index, 0.0
        while index < count and used + heights[index] <= space:
            used += heights[index]
            index += 1
        if index == start and index < count and space == following:
            index += 1  # a row taller than a page: it gets a page of its own rather than none
        if index == count:
            if used + reserve <= space or index == start:
                pages.append(index - start)
                return pages
            index -= 1  # the block would not fit: the last row goes with it to the next page
        pages.append(index - start)
        space = following


@dataclass
class PageDrawer:
    """One document's canvas with the helpers every page of it draws with."""

    canvas: Canvas
    geometry: PageGeometry
    printed_on: date
    forms: dict[tuple, str] = field(default_factory=dict)
    qr_versions: dict[int, int] = field(default_factory=dict)
    form_count: int = 0

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

    def new_form(self, draw: Callable[[], None], width: float, height: float) -> str:
        """A form drawn now, under a new name (for what its caller keeps or uses once per slip)."""
        self.form_count += 1
        name = f"N{self.form_count}"
        self.canvas.beginForm(name, 0, 0, width, height)
        draw()
        self.canvas.endForm()
        return name

    def place_table(self, header: str, rows: Sequence[tuple[str, float]], top: float) -> float:
        """The table header with `rows` (row forms and their heights) under it, its top `top` points
        below the page's top; the height it took.

        The whole block (header + rows) is itself a form, keyed by its rows: kits of one campaign
        share their lines, so page 2 of every slip places the same block, and a page costs one
        placement instead of one per row.
        """
        height = HEADER_ROW_HEIGHT + sum(row_height for _name, row_height in rows)

        def draw() -> None:
            canvas = self.canvas
            canvas.saveState()
            canvas.translate(0, height - HEADER_ROW_HEIGHT)
            canvas.doForm(header)
            for name, row_height in rows:
                canvas.translate(0, -row_height)
                canvas.doForm(name)
            canvas.restoreState()

        block = self.form(
            ("table", header, *(name for name, _ in rows)), draw, self.geometry.table_width, height
        )
        canvas = self.canvas
        canvas.saveState()
        canvas.translate(MARGIN, self.geometry.height - top - height)
        canvas.doForm(block)
        canvas.restoreState()
        return height

    def table_header(self, columns: tuple[Column, ...]) -> str:
        def draw() -> None:
            canvas = self.canvas
            canvas.setFillGray(0.88)
            canvas.rect(0, 0, self.geometry.table_width, HEADER_ROW_HEIGHT, stroke=0, fill=1)
            canvas.setFillGray(0)
            canvas.setFont(FONT_BOLD, BODY_SIZE)
            for column in columns:
                if column.kind == "text":
                    canvas.drawString(column.x + CELL_PADDING, 5, column.label)
                else:
                    canvas.drawRightString(column.x + column.width - CELL_PADDING, 5, column.label)

        return self.form(("header", columns), draw, self.geometry.table_width, HEADER_ROW_HEIGHT)

    def table_row(self, columns: tuple[Column, ...], cells: Sequence[Any]) -> tuple[str, float]:
        """A row as a form: each text cell's lines one under the other (drawn one after the other, so
        a wrapped value reads in order), numbers on the right, tick boxes; its form name and height.

        `cells` holds, per column, the wrapped lines (text), the number, or whether to draw the box.
        """
        height = row_height(max((len(cell) for cell in cells if isinstance(cell, tuple)), default=1))

        def draw() -> None:
            canvas = self.canvas
            canvas.setFont(FONT, BODY_SIZE)
            baseline = height - ROW_PADDING - 8
            for column, cell in zip(columns, cells, strict=True):
                if column.kind == "text":
                    for index, line in enumerate(cell):
                        canvas.drawString(column.x + CELL_PADDING, baseline - index * LINE_HEIGHT, line)
                elif column.kind == "number":
                    canvas.drawRightString(column.x + column.width - CELL_PADDING, baseline, str(cell))
                elif cell:
                    self.tick_box(column.x + column.width - CELL_PADDING - 10, height - ROW_PADDING - 10)
            canvas.setStrokeGray(0.75)
            canvas.setLineWidth(0.4)
            canvas.line(0, 0, self.geometry.table_width, 0)
            canvas.setStrokeGray(0)
            canvas.setLineWidth(0.8)

        return self.new_form(draw, self.geometry.table_width, height), height  # cached by the callers

    def tick_box(self, x: float, y: float) -> None:
        self.canvas.rect(x, y, 10, 10, stroke=1, fill=0)

    def footer(self, left: str, right: str) -> None:
        canvas = self.canvas
        canvas.setFont(FONT, 8)
        if left:
            canvas.drawString(MARGIN, MARGIN, left)
        canvas.drawRightString(self.geometry.width - MARGIN, MARGIN, right)

    def lines(
        self, lines: Sequence[str], x: float, y: float, font: str, size: float, leading: float
    ) -> float:
        """Draw lines one under the other from baseline `y`; the baseline after the last."""
        text = self.canvas.beginText(x, y)
        text.setFont(font, size, leading)
        for line in lines:
            text.textLine(line)
        self.canvas.drawText(text)
        return y - leading * len(lines)

    def stamp(self, text: str) -> None:
        """Big grey words across the page, under everything drawn after them."""
        canvas, geometry = self.canvas, self.geometry
        diagonal = (geometry.width**2 + geometry.height**2) ** 0.5
        size = min(44.0, 0.8 * diagonal / max(text_width(text, FONT_BOLD, 1), 1))
        canvas.saveState()
        canvas.setFillGray(0.82)
        canvas.translate(geometry.width / 2, geometry.height / 2)
        canvas.rotate(54.0 if geometry.height > geometry.width else 36.0)
        canvas.setFont(FONT_BOLD, size)
        canvas.drawCentredString(0, -size / 3, text)
        canvas.restoreState()

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
        # In module units (a scaled coordinate system), every run is four small integers: the path
        # is written as PDF operators at once rather than number by number.
        runs = []
        for row_index, row in enumerate(matrix):
            top = count - 1 - row_index
            start = None
            for column, dark in enumerate([*row, False]):
                if dark and start is None:
                    start = column
                elif not dark and start is not None:
                    runs.append(f"{start} {top} {column - start} 1 re")
                    start = None
        canvas = self.canvas
        canvas.saveState()
        canvas.translate(x, y)
        canvas.scale(size / count, size / count)
        canvas.addLiteral("\n".join(runs) + "\nf")
        canvas.restoreState()

    def barcode(self, text: str, right: float, top: float) -> float:
        """A Code128 of `text` with the text under it, right-aligned at `right`; its width."""
        width = barcode_width(text)
        _code128(text).drawOn(self.canvas, right - width, top - BARCODE_HEIGHT)
        self.canvas.setFont(FONT_BOLD, 11)
        self.canvas.drawCentredString(right - width / 2, top - BARCODE_HEIGHT - 14, text)
        return width


@lru_cache(maxsize=8)  # a slip measures its codes, then draws them
def _code128(text: str) -> Code128:
    return Code128(text, barHeight=BARCODE_HEIGHT, barWidth=1.1, quiet=True, lquiet=11, rquiet=11)


@lru_cache(maxsize=8)
def barcode_width(text: str) -> float:
    return float(_code128(text).width)
