"""Packing slips as PDF: a pure renderer from slip data to PDF bytes (or a file-like stream).

Layout (SPEC §4): a pick list first (units per SKU in bin order, with totals), then one slip per
shipment: brand and campaign header, the shipment number as Code128 and text, a QR code of the
portal page where the host confirms receipt, the ship-to block, the line table whose header repeats
on continuation pages, "page n of m", totals, the host's referral code, return instructions and
the return-by date.

Why it is fast (≈1,500 pages in a few seconds): the layout is computed up front (row counts per page
are known, so "page n of m" needs no second pass); every distinct table row and the table header are
drawn once per document as PDF form objects and then only placed, so a page costs a few dozen
string appends; the QR code is one path built from the `qrcode` matrix (one rectangle per run of
dark modules); fonts are registered once per process.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import IO, Any

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

# Slip table columns: (label, x offset from the left margin, width).
SLIP_COLUMNS = (
    ("SKU", 0.0, 100.0),
    ("Description", 104.0, 190.0),
    ("Colour / size", 298.0, 104.0),
    ("Qty", 406.0, 30.0),
    ("Return", 442.0, 48.0),
    ("✓", 494.0, 20.0),
)
PICK_COLUMNS = (
    ("Bin", 0.0, 64.0),
    ("SKU", 68.0, 100.0),
    ("Description", 172.0, 170.0),
    ("Colour / size", 346.0, 96.0),
    ("Units", 446.0, 44.0),
    ("✓", 494.0, 20.0),
)


@dataclass(frozen=True, slots=True)
class SlipLine:
    sku: str
    description: str
    variant: str
    bin_location: str
    quantity: int
    returnable: bool
    unit_value: Decimal  # declared (retail) value of one unit


@dataclass(frozen=True, slots=True)
class Slip:
    """Everything one packing slip prints; built from a shipment by `kits.slips.services`."""

    number: str
    brand: str
    campaign_name: str
    confirm_url: str
    ship_to_name: str
    ship_to_address: tuple[str, ...]  # address lines, postal code + city, country
    ship_to_phone: str  # international format
    referral_code: str
    return_due_on: date | None
    currency: str
    lines: tuple[SlipLine, ...]

    @property
    def total_units(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def declared_value(self) -> Decimal:
        return sum((line.unit_value * line.quantity for line in self.lines), Decimal("0.00"))


@dataclass(frozen=True, slots=True)
class PickLine:
    bin_location: str
    sku: str
    description: str
    variant: str
    units: int


def pick_list(slips: Iterable[Slip]) -> list[PickLine]:
    """Units per SKU over all slips, in bin order (SKUs without a bin last), then by SKU."""
    units: dict[str, int] = {}
    first: dict[str, SlipLine] = {}
    for slip in slips:
        for line in slip.lines:
            units[line.sku] = units.get(line.sku, 0) + line.quantity
            first.setdefault(line.sku, line)
    ordered = sorted(first.values(), key=lambda line: (line.bin_location == "", line.bin_location, line.sku))
    return [
        PickLine(
            bin_location=line.bin_location,
            sku=line.sku,
            description=line.description,
            variant=line.variant,
            units=units[line.sku],
        )
        for line in ordered
    ]


@cache
def _register_fonts() -> None:
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))


def page_size(name: str) -> tuple[float, float]:
    try:
        return PAGE_SIZES[name.upper()]
    except KeyError:
        raise ValueError(f"Unknown page size {name!r}: use one of {', '.join(PAGE_SIZES)}.") from None


@dataclass(frozen=True, slots=True)
class _Geometry:
    width: float
    height: float
    first_rows: int  # rows on a slip's first page
    next_rows: int  # rows on a continuation page
    pick_rows: int

    @classmethod
    def for_page(cls, size: tuple[float, float]) -> _Geometry:
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


def slip_pages(slip_line_count: int, size: str = "A4") -> list[int]:
    """Table rows on each page of a slip with this many lines (its page count is the length)."""
    geometry = _Geometry.for_page(page_size(size))
    return geometry.paginate(
        slip_line_count, first=geometry.first_rows, following=geometry.next_rows, reserve=TOTALS_HEIGHT
    )


@dataclass
class _Renderer:
    canvas: Canvas
    geometry: _Geometry
    labels: dict[str, str]
    printed_on: date
    forms: dict[tuple, str] = field(default_factory=dict)
    qr_versions: dict[int, int] = field(default_factory=dict)

    # --- shared drawing helpers ------------------------------------------------------------

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

    # --- pick list -------------------------------------------------------------------------

    def pick_row(self, line: PickLine) -> str:
        def draw() -> None:
            canvas = self.canvas
            columns = PICK_COLUMNS
            canvas.setFont(FONT, BODY_SIZE)
            canvas.drawString(columns[0][1] + 2, 4, self.fit(line.bin_location, columns[0][2] - 4))
            canvas.drawString(columns[1][1] + 2, 4, self.fit(line.sku, columns[1][2] - 4))
            canvas.drawString(columns[2][1] + 2, 4, self.fit(line.description, columns[2][2] - 4))
            canvas.drawString(columns[3][1] + 2, 4, self.fit(line.variant, columns[3][2] - 4))
            canvas.drawRightString(columns[4][1] + columns[4][2] - 2, 4, str(line.units))
            self.tick_box(columns[5][1])
            self.row_rule()

        return self.form(("pick", line), draw, self.table_width, ROW_HEIGHT)

    def draw_pick_list(self, lines: list[PickLine], shipment_count: int) -> None:
        geometry, canvas, labels = self.geometry, self.canvas, self.labels
        pages = geometry.paginate(
            len(lines), first=geometry.pick_rows, following=geometry.pick_rows, reserve=PICK_TOTALS_HEIGHT
        )
        header = self.table_header(PICK_COLUMNS)
        top = geometry.height - MARGIN
        index = 0
        for page_number, rows in enumerate(pages, start=1):
            canvas.setFont(FONT_BOLD, 16)
            canvas.drawString(MARGIN, top - 16, labels["Pick list"])
            canvas.setFont(FONT, 10)
            canvas.drawString(
                MARGIN,
                top - 34,
                labels["pick_summary"].format(
                    shipments=shipment_count, skus=len(lines), date=self.printed_on.isoformat()
                ),
            )
            y = geometry.height - PICK_TABLE_TOP - HEADER_ROW_HEIGHT
            self.place_table(header, lines[index : index + rows], self.pick_row, y)
            y -= rows * ROW_HEIGHT
            index += rows
            if page_number == len(pages):
                total = sum(line.units for line in lines)
                canvas.setFont(FONT_BOLD, 10)
                canvas.drawString(MARGIN, y - 24, labels["pick_total"].format(units=total, skus=len(lines)))
            self.footer(labels["Pick list"], labels["page_of"].format(n=page_number, m=len(pages)))
            canvas.showPage()

    # --- slips -----------------------------------------------------------------------------

    def slip_row(self, line: SlipLine) -> str:
        def draw() -> None:
            canvas = self.canvas
            columns = SLIP_COLUMNS
            canvas.setFont(FONT, BODY_SIZE)
            canvas.drawString(columns[0][1] + 2, 4, self.fit(line.sku, columns[0][2] - 4))
            canvas.drawString(columns[1][1] + 2, 4, self.fit(line.description, columns[1][2] - 4))
            canvas.drawString(columns[2][1] + 2, 4, self.fit(line.variant, columns[2][2] - 4))
            canvas.drawRightString(columns[3][1] + columns[3][2] - 2, 4, str(line.quantity))
            canvas.drawString(columns[4][1] + 2, 4, self.labels["yes"] if line.returnable else "—")
            self.tick_box(columns[5][1])
            self.row_rule()

        return self.form(("slip", line), draw, self.table_width, ROW_HEIGHT)

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

    def draw_slip(self, slip: Slip) -> int:
        geometry, canvas, labels = self.geometry, self.canvas, self.labels
        pages = geometry.paginate(
            len(slip.lines), first=geometry.first_rows, following=geometry.next_rows, reserve=TOTALS_HEIGHT
        )
        header = self.table_header(SLIP_COLUMNS)
        width, height = geometry.width, geometry.height
        top = height - MARGIN
        right = width - MARGIN
        index = 0
        for page_number, rows in enumerate(pages, start=1):
            page_of = labels["page_of"].format(n=page_number, m=len(pages))
            if page_number == 1:
                canvas.setFont(FONT_BOLD, 18)
                canvas.drawString(MARGIN, top - 18, slip.brand)
                canvas.setFont(FONT, 11)
                canvas.drawString(MARGIN, top - 36, self.fit(slip.campaign_name, 300, FONT, 11))
                canvas.setFont(FONT, 9)
                canvas.drawString(MARGIN, top - 52, f"{labels['Packing slip']} · {page_of}")
                self.barcode(slip.number, right, top)
                # ship-to block, left
                y = top - 84
                canvas.setFont(FONT, 8)
                canvas.drawString(MARGIN, y, labels["Ship to"])
                canvas.setFont(FONT_BOLD, 12)
                y -= 15
                canvas.drawString(MARGIN, y, self.fit(slip.ship_to_name, 330, FONT_BOLD, 12))
                canvas.setFont(FONT, 10)
                for address_line in slip.ship_to_address:
                    y -= 13
                    canvas.drawString(MARGIN, y, self.fit(address_line, 330, FONT, 10))
                y -= 13
                canvas.drawString(MARGIN, y, f"{labels['Phone']} {slip.ship_to_phone}")
                if slip.referral_code:
                    y -= 16
                    canvas.setFont(FONT, 10)
                    canvas.drawString(MARGIN, y, labels["Your referral code"])
                    canvas.setFont(FONT_BOLD, 10)
                    canvas.drawString(
                        MARGIN + pdfmetrics.stringWidth(labels["Your referral code"], FONT, 10) + 4,
                        y,
                        slip.referral_code,
                    )
                # QR code of the confirm-receipt page, right
                qr_size = 92.0
                self.qr_code(slip.confirm_url, right - qr_size, top - 84 - qr_size, qr_size)
                canvas.setFont(FONT, 7.5)
                canvas.drawCentredString(
                    right - qr_size / 2, top - 84 - qr_size - 11, labels["scan_to_confirm"]
                )
                table_top = FIRST_PAGE_TABLE_TOP
            else:
                canvas.setFont(FONT_BOLD, 11)
                canvas.drawString(MARGIN, top - 12, slip.brand)
                canvas.drawRightString(right, top - 12, slip.number)
                canvas.setFont(FONT, 9)
                canvas.drawString(MARGIN, top - 27, self.fit(slip.campaign_name, 300, FONT, 9))
                canvas.drawRightString(right, top - 27, f"{slip.ship_to_name} · {labels['continued']}")
                table_top = NEXT_PAGE_TABLE_TOP
            y = height - table_top - HEADER_ROW_HEIGHT
            self.place_table(header, slip.lines[index : index + rows], self.slip_row, y)
            y -= rows * ROW_HEIGHT
            index += rows
            if page_number == len(pages):
                self.totals(slip, y)
            self.footer(f"{slip.brand} · {slip.number}", page_of)
            canvas.showPage()
        return len(pages)

    def totals(self, slip: Slip, y: float) -> None:
        canvas, labels = self.canvas, self.labels
        right = self.geometry.width - MARGIN
        y -= 18
        canvas.setFont(FONT_BOLD, 10)
        canvas.drawString(MARGIN, y, labels["total_units"].format(units=slip.total_units))
        canvas.drawRightString(
            right,
            y,
            labels["declared_value"].format(value=f"{slip.declared_value:,.2f}", currency=slip.currency),
        )
        y -= 22
        canvas.setFont(FONT_BOLD, 10)
        canvas.drawString(MARGIN, y, labels["Returns"])
        canvas.setFont(FONT, 9)
        due = slip.return_due_on.isoformat() if slip.return_due_on else labels["no_return_date"]
        for text in (
            labels["return_by"].format(date=due),
            labels["return_how"],
            labels["return_keep"],
        ):
            y -= 13
            canvas.drawString(MARGIN, y, text)
        y -= 18
        canvas.setFont(FONT, 8)
        canvas.drawString(MARGIN, y, labels["printed_on"].format(date=self.printed_on.isoformat()))


def _labels() -> dict[str, str]:
    """Printed words, in the active language (looked up once per document)."""
    from django.utils.translation import gettext as _

    return {
        "SKU": _("SKU"),
        "Description": _("Description"),
        "Colour / size": _("Colour / size"),
        "Qty": _("Qty"),
        "Return": _("Return"),
        "Bin": _("Bin"),
        "Units": _("Units"),
        "yes": _("yes"),
        "Pick list": _("Pick list"),
        "pick_summary": _("{shipments} shipment(s) · {skus} SKU(s) · printed {date}"),
        "pick_total": _("Total: {units} unit(s) of {skus} SKU(s)"),
        "Packing slip": _("Packing slip"),
        "page_of": _("page {n} of {m}"),
        "Ship to": _("SHIP TO"),
        "Phone": _("Phone"),
        "Your referral code": _("Your referral code:"),
        "scan_to_confirm": _("Scan to confirm receipt"),
        "continued": _("continued"),
        "total_units": _("Total units: {units}"),
        "declared_value": _("Declared value: {value} {currency}"),
        "Returns": _("Returns"),
        "return_by": _("Send the articles marked 'yes' in the Return column back by {date}."),
        "return_how": _("Pack them in this box with this slip and use the prepaid return label inside."),
        "return_keep": _("Promotion material (no mark) is yours to keep."),
        "no_return_date": _("the date we will send you"),
        "printed_on": _("Printed on {date}"),
    }


def render_packing_slips(
    slips: Sequence[Slip],
    *,
    page_size_name: str = "A4",
    out: IO[bytes] | None = None,
    printed_on: date | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    progress_every: int = 25,
) -> bytes | None:
    """Render the pick list and every slip; PDF bytes, or written to `out` (then None).

    `on_progress(done, total)` is called every `progress_every` slips and at the end.
    """
    _register_fonts()
    geometry = _Geometry.for_page(page_size(page_size_name))
    target = out if out is not None else io.BytesIO()
    canvas = Canvas(target, pagesize=(geometry.width, geometry.height), pageCompression=1, invariant=1)
    canvas.setTitle("Packing slips")
    canvas.setAuthor(slips[0].brand if slips else "")
    renderer = _Renderer(canvas, geometry, _labels(), printed_on or date.today())
    if slips:
        renderer.draw_pick_list(pick_list(slips), len(slips))
    for done, slip in enumerate(slips, start=1):
        renderer.draw_slip(slip)
        if on_progress is not None and (done % progress_every == 0 or done == len(slips)):
            on_progress(done, len(slips))
    if not slips:
        canvas.setFont(FONT, 12)
        canvas.drawString(MARGIN, geometry.height - MARGIN - 12, renderer.labels["Pick list"])
        canvas.showPage()
    canvas.save()
    if out is None:
        assert isinstance(target, io.BytesIO)
        return target.getvalue()
    return None
