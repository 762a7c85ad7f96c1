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
dark modules); fonts are registered once per process. Those drawing primitives live in
`kits.slips.drawing`; this module says what a slip and the pick list print.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from kits.slips.drawing import (
    BODY_SIZE,
    FIRST_PAGE_TABLE_TOP,
    FONT,
    FONT_BOLD,
    HEADER_ROW_HEIGHT,
    MARGIN,
    NEXT_PAGE_TABLE_TOP,
    PICK_TABLE_TOP,
    PICK_TOTALS_HEIGHT,
    ROW_HEIGHT,
    TOTALS_HEIGHT,
    PageDrawer,
    PageGeometry,
    page_size,
    register_fonts,
)

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


def slip_pages(slip_line_count: int, size: str = "A4") -> list[int]:
    """Table rows on each page of a slip with this many lines (its page count is the length)."""
    geometry = PageGeometry.for_page(page_size(size))
    return geometry.paginate(
        slip_line_count, first=geometry.first_rows, following=geometry.next_rows, reserve=TOTALS_HEIGHT
    )


class _Renderer(PageDrawer):
    """Draws the pick list and the slips of one document."""

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
    register_fonts()
    geometry = PageGeometry.for_page(page_size(page_size_name))
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
