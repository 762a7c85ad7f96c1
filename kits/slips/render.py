"""Packing slips as PDF: a pure renderer from slip data to a PDF file.

Layout (SPEC §4): a pick list first (units per SKU of the kits to pack, in natural bin order, with
totals), then one slip per shipment: brand and campaign header, the shipment number as Code128 and
text, a QR code of the portal page where the host confirms receipt, the ship-to block, the line
table whose header repeats on continuation pages, "page n of m", totals, the host's referral code,
return instructions, and last a return form (the returnable lines with tick boxes, the return
address, the return-by date and a barcode the scan station reads as "return received"). A slip
speaks its host's language; the pick list the warehouse's. A slip of a kit that is not to be packed
says so across every page, and its units stay out of the pick list.

Nothing that identifies a thing is cut: table columns size to their content, and a value wider
than its column (or an address wider than its block) wraps onto more lines (`drawing.wrap`).

Why it is fast (≈1,500 pages in a few seconds): the layout is computed up front (row heights are
known, so "page n of m" needs no second pass); every distinct table row and the table header are
drawn once per document as PDF form objects and then only placed; the QR code is one path built
from the `qrcode` matrix; fonts are registered once per process. Each page is written to the file
as soon as it is shown (`pdf_stream`), so memory does not grow with the batch.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO

from kits.slips.drawing import (
    FONT,
    FONT_BOLD,
    MARGIN,
    Column,
    PageDrawer,
    PageGeometry,
    barcode_width,
    page_size,
    paginate,
    register_fonts,
    size_columns,
    text_width,
    wrap,
)
from kits.slips.pdf_stream import StreamingCanvas

QR_SIZE = 92.0
TICK_BOX = 10.0


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
    language: str = "en"  # the host's: the slip is read at home
    to_pack: bool = True  # False: the kit is in another state; the slip says so and the pick list skips it
    state: str = ""  # that state, in the host's language
    return_code: str = ""  # the return form's barcode: the scan station's "return received" for this kit
    return_address: tuple[str, ...] = ()

    @property
    def total_units(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def declared_value(self) -> Decimal:
        return sum((line.unit_value * line.quantity for line in self.lines), Decimal("0.00"))

    @property
    def returnable_lines(self) -> tuple[SlipLine, ...]:
        return tuple(line for line in self.lines if line.returnable)


@dataclass(frozen=True, slots=True)
class PickLine:
    bin_location: str
    sku: str
    description: str
    variant: str
    units: int


_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple:
    """Sort key that reads numbers as numbers: `A-2` before `A-10` (string order puts it after)."""
    parts = _DIGITS.split(text.casefold())
    return tuple((1, int(part), part) if index % 2 else (0, 0, part) for index, part in enumerate(parts))


def bin_order(line: SlipLine | PickLine) -> tuple:
    """Natural bin order, lines without a bin last, then by SKU."""
    return (line.bin_location == "", natural_key(line.bin_location), natural_key(line.sku))


def pick_list(slips: Iterable[Slip]) -> list[PickLine]:
    """Units per SKU over the slips of kits to pack, in bin order."""
    units: dict[str, int] = {}
    first: dict[str, SlipLine] = {}
    for slip in slips:
        if not slip.to_pack:
            continue
        for line in slip.lines:
            units[line.sku] = units.get(line.sku, 0) + line.quantity
            first.setdefault(line.sku, line)
    return [
        PickLine(
            bin_location=line.bin_location,
            sku=line.sku,
            description=line.description,
            variant=line.variant,
            units=units[line.sku],
        )
        for line in sorted(first.values(), key=bin_order)
    ]


def labels(language: str) -> dict[str, str]:
    """Printed words in one language (looked up once per document and language)."""
    from django.utils.translation import gettext as _
    from django.utils.translation import override

    with override(language):
        return {
            "SKU": _("SKU"),
            "Description": _("Description"),
            "Colour / size": _("Colour / size"),
            "Qty": _("Qty"),
            "Return": _("Return"),
            "Bin": _("Bin"),
            "Units": _("Units"),
            "Sent": _("Sent"),
            "Returned": _("Returned"),
            "Damaged": _("Damaged"),
            "yes": _("yes"),
            "Pick list": _("Pick list"),
            "pick_summary": _("{shipments} shipment(s) · {skus} SKU(s) · printed {date}"),
            "pick_not_counted": _(
                "Not counted: {count} kit(s) not to be packed (their slips say so across the page)."
            ),
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
            "return_by": _(
                "Send the articles marked 'yes' in the Return column back by {date}, with the return "
                "form on the last page of this slip."
            ),
            "return_how": _("Pack them in this box and use the prepaid return label inside."),
            "return_keep": _("Promotion material (no mark) is yours to keep."),
            "nothing_back": _("Nothing to send back: everything in this kit is yours to keep."),
            "no_return_date": _("the date we will send you"),
            "printed_on": _("Printed on {date}"),
            "stamp": _("{state} — do not pack"),
            "Return form": _("Return form"),
            "return_form_by": _("Return by {date}"),
            "Return address": _("RETURN ADDRESS"),
            "no_return_address": _("The address on the prepaid return label in your kit."),
            "return_tick": _(
                "Tick Returned for each article you send back, and Damaged if it is damaged (write the "
                "number when there are several). Put this form in the parcel."
            ),
            "return_scan": _("Warehouse: scan on arrival (return received)"),
        }


def _date(value: date, language: str) -> str:
    from django.utils import formats
    from django.utils.translation import override

    with override(language):
        return formats.date_format(value, "DATE_FORMAT")


def _amount(value: Decimal, language: str) -> str:
    from django.utils import formats
    from django.utils.translation import override

    with override(language):
        return formats.number_format(value, 2, use_l10n=True, force_grouping=True)


@dataclass(frozen=True, slots=True)
class _Tables:
    """The columns of one language's tables in one document."""

    slip: tuple[Column, ...]
    returns: tuple[Column, ...]


class _Renderer(PageDrawer):
    """Draws the pick list and the slips of one document."""

    def setup(self, slips: Sequence[Slip], language: str) -> None:
        self.words: dict[str, dict[str, str]] = {}
        self.tables: dict[str, _Tables] = {}
        self.rows: dict[tuple, tuple[str, float]] = {}
        self.language = language
        # Column widths follow the widest value of the document: every distinct line, once.
        self.distinct = list({id(line): line for slip in slips for line in slip.lines}.values())

    def words_for(self, language: str) -> dict[str, str]:
        words = self.words.get(language)
        if words is None:
            words = self.words[language] = labels(language)
        return words

    def widest(self, values: Iterable[str]) -> float:
        return max((text_width(value) for value in set(values)), default=0.0)

    def tables_for(self, language: str) -> _Tables:
        tables = self.tables.get(language)
        if tables is None:
            words = self.words_for(language)
            sku = self.widest(line.sku for line in self.distinct)
            variant = self.widest(line.variant for line in self.distinct)
            quantity = self.widest(str(line.quantity) for line in self.distinct)
            width = self.geometry.table_width
            slip = size_columns(
                width,
                [
                    (words["SKU"], "text", sku, 0.40),
                    (words["Description"], "text", 0.0, 1.0),
                    (words["Colour / size"], "text", variant, 0.28),
                    (words["Qty"], "number", quantity, 0.0),
                    (words["Return"], "number", self.widest([words["yes"], "—"]), 0.0),
                    ("✓", "box", TICK_BOX, 0.0),
                ],
                fill=words["Description"],
            )
            returns = size_columns(
                width,
                [
                    (words["SKU"], "text", sku, 0.40),
                    (words["Description"], "text", 0.0, 1.0),
                    (words["Colour / size"], "text", variant, 0.28),
                    (words["Sent"], "number", quantity, 0.0),
                    (words["Returned"], "box", TICK_BOX, 0.0),
                    (words["Damaged"], "box", TICK_BOX, 0.0),
                ],
                fill=words["Description"],
            )
            tables = self.tables[language] = _Tables(slip, returns)
        return tables

    def slip_row(self, language: str, line: SlipLine) -> tuple[str, float]:
        """A line's row of the slip table, drawn the first time it shows in this language."""
        key = ("slip", language, id(line))
        placed = self.rows.get(key)
        if placed is None:
            columns, words = self.tables_for(language).slip, self.words_for(language)
            cells = [
                *self.text_cells(columns, line.sku, line.description, line.variant),
                line.quantity,
                words["yes"] if line.returnable else "—",
                True,
            ]
            placed = self.rows[key] = self.table_row(columns, cells)
        return placed

    def return_row(self, language: str, line: SlipLine) -> tuple[str, float]:
        """A returnable line's row of the return form, drawn the first time it shows in this language."""
        key = ("return", language, id(line))
        placed = self.rows.get(key)
        if placed is None:
            columns = self.tables_for(language).returns
            cells = [
                *self.text_cells(columns, line.sku, line.description, line.variant),
                line.quantity,
                True,
                True,
            ]
            placed = self.rows[key] = self.table_row(columns, cells)
        return placed

    def text_cells(self, columns: tuple[Column, ...], *values: str) -> list:
        return [wrap(value, column.text_width) for column, value in zip(columns, values, strict=False)]

    # --- pick list -------------------------------------------------------------------------

    def draw_pick_list(self, slips: Sequence[Slip]) -> None:
        canvas, geometry = self.canvas, self.geometry
        words = self.words_for(self.language)
        lines = pick_list(slips)
        to_pack = sum(1 for slip in slips if slip.to_pack)
        columns = size_columns(
            geometry.table_width,
            [
                (words["Bin"], "text", self.widest(line.bin_location for line in lines), 0.25),
                (words["SKU"], "text", self.widest(line.sku for line in lines), 0.35),
                (words["Description"], "text", 0.0, 1.0),
                (words["Colour / size"], "text", self.widest(line.variant for line in lines), 0.20),
                (words["Units"], "number", self.widest(str(line.units) for line in lines), 0.0),
                ("✓", "box", TICK_BOX, 0.0),
            ],
            fill=words["Description"],
        )
        rows = [
            self.table_row(
                columns,
                [
                    *self.text_cells(columns, line.bin_location, line.sku, line.description, line.variant),
                    line.units,
                    True,
                ],
            )
            for line in lines
        ]
        summary = [
            words["pick_summary"].format(
                shipments=to_pack, skus=len(lines), date=_date(self.printed_on, self.language)
            )
        ]
        if to_pack < len(slips):
            summary.append(words["pick_not_counted"].format(count=len(slips) - to_pack))
        table_top = MARGIN + 34 + 14 * len(summary) + 16
        space = geometry.table_space(table_top)
        pages = paginate([height for _name, height in rows], first=space, following=space, reserve=40)
        header = self.table_header(columns)
        top = geometry.height - MARGIN
        index = 0
        for page_number, count in enumerate(pages, start=1):
            canvas.setFont(FONT_BOLD, 16)
            canvas.drawString(MARGIN, top - 16, words["Pick list"])
            self.lines(summary, MARGIN, top - 34, FONT, 10, 14)
            height = self.place_table(header, rows[index : index + count], table_top)
            index += count
            if page_number == len(pages):
                total = sum(line.units for line in lines)
                canvas.setFont(FONT_BOLD, 10)
                canvas.drawString(
                    MARGIN,
                    geometry.height - table_top - height - 24,
                    words["pick_total"].format(units=total, skus=len(lines)),
                )
            self.footer(words["Pick list"], words["page_of"].format(n=page_number, m=len(pages)))
            canvas.showPage()

    # --- slips -----------------------------------------------------------------------------

    def draw_slip(self, slip: Slip) -> int:
        """Every page of one slip, the return form last; the number of pages."""
        words = self.words_for(slip.language)
        tables = self.tables_for(slip.language)
        slip_rows = [self.slip_row(slip.language, line) for line in slip.lines]
        returnable = slip.returnable_lines
        return_rows = [self.return_row(slip.language, line) for line in returnable]
        first = _FirstPage(self, slip, words)
        next_top = _continuation_top(self, slip, words)
        totals = _totals_lines(self, slip, words)
        packing = paginate(
            [height for _name, height in slip_rows],
            first=self.geometry.table_space(first.table_top),
            following=self.geometry.table_space(next_top),
            reserve=totals.height,
        )
        form = _ReturnForm(self, slip, words) if returnable else None
        returning = (
            paginate(
                [height for _name, height in return_rows],
                first=self.geometry.table_space(form.table_top),
                following=self.geometry.table_space(next_top),
                reserve=0,
            )
            if form
            else []
        )
        total_pages = len(packing) + len(returning)
        header = self.table_header(tables.slip)
        index = 0
        for page_number, count in enumerate(packing, start=1):
            page_of = words["page_of"].format(n=page_number, m=total_pages)
            self.begin_slip_page(slip, words)
            if page_number == 1:
                first.draw(page_of)
                top = first.table_top
            else:
                self.continuation(slip, words, words["Packing slip"])
                top = next_top
            height = self.place_table(header, slip_rows[index : index + count], top)
            index += count
            if page_number == len(packing):
                totals.draw(self.geometry.height - top - height)
            self.footer(f"{slip.brand} · {slip.number}", page_of)
            self.canvas.showPage()
        if form is not None:
            header = self.table_header(tables.returns)
            index = 0
            for page_number, count in enumerate(returning, start=len(packing) + 1):
                page_of = words["page_of"].format(n=page_number, m=total_pages)
                self.begin_slip_page(slip, words)
                if page_number == len(packing) + 1:
                    form.draw()
                    top = form.table_top
                else:
                    self.continuation(slip, words, words["Return form"])
                    top = next_top
                self.place_table(header, return_rows[index : index + count], top)
                index += count
                self.footer(f"{slip.brand} · {slip.number} · {words['Return form']}", page_of)
                self.canvas.showPage()
        return total_pages

    def begin_slip_page(self, slip: Slip, words: dict[str, str]) -> None:
        if not slip.to_pack:
            self.stamp(words["stamp"].format(state=slip.state.upper()))

    def continuation(self, slip: Slip, words: dict[str, str], title: str) -> None:
        canvas = self.canvas
        top = self.geometry.height - MARGIN
        right = self.geometry.width - MARGIN
        canvas.setFont(FONT_BOLD, 11)
        canvas.drawString(MARGIN, top - 12, slip.brand)
        canvas.drawRightString(right, top - 12, slip.number)
        self.lines(_continuation_lines(self, slip, words, title), MARGIN, top - 27, FONT, 9, 11)


def _continuation_lines(
    renderer: _Renderer, slip: Slip, words: dict[str, str], title: str
) -> tuple[str, ...]:
    text = f"{title} · {slip.ship_to_name} · {words['continued']}"
    return wrap(text, renderer.geometry.table_width, FONT, 9)


def _continuation_top(renderer: _Renderer, slip: Slip, words: dict[str, str]) -> float:
    """Where the table starts on a continuation page (the longer of the two titles decides)."""
    lines = max(
        len(_continuation_lines(renderer, slip, words, words["Packing slip"])),
        len(_continuation_lines(renderer, slip, words, words["Return form"])),
    )
    return MARGIN + 27 + 11 * (lines - 1) + 14


class _FirstPage:
    """A slip's first page above its table: header, codes, ship-to; laid out before it is drawn."""

    def __init__(self, renderer: _Renderer, slip: Slip, words: dict[str, str]) -> None:
        self.renderer, self.slip, self.words = renderer, slip, words
        geometry = renderer.geometry
        self.top = geometry.height - MARGIN
        header_width = geometry.table_width - barcode_width(slip.number) - 12
        self.campaign = wrap(slip.campaign_name, header_width, FONT, 11)
        self.title_y = self.top - 52 - 13 * (len(self.campaign) - 1)
        block = geometry.table_width - QR_SIZE - 16
        self.name = wrap(slip.ship_to_name, block, FONT_BOLD, 12)
        self.address = [line for part in slip.ship_to_address for line in wrap(part, block, FONT, 10)]
        self.phone = wrap(f"{words['Phone']} {slip.ship_to_phone}", block, FONT, 10)
        self.ship_to_y = min(self.top - 84, self.title_y - 32)
        bottom = self.ship_to_y - 15 * len(self.name) - 13 * (len(self.address) + len(self.phone))
        if slip.referral_code:
            bottom -= 16
        qr_bottom = self.top - 84 - QR_SIZE - 11
        self.table_top = geometry.height - min(bottom, qr_bottom) + 16

    def draw(self, page_of: str) -> None:
        renderer, slip, words = self.renderer, self.slip, self.words
        canvas, right = renderer.canvas, renderer.geometry.width - MARGIN
        canvas.setFont(FONT_BOLD, 18)
        canvas.drawString(MARGIN, self.top - 18, slip.brand)
        renderer.lines(self.campaign, MARGIN, self.top - 36, FONT, 11, 13)
        canvas.setFont(FONT, 9)
        canvas.drawString(MARGIN, self.title_y, f"{words['Packing slip']} · {page_of}")
        renderer.barcode(slip.number, right, self.top)
        canvas.setFont(FONT, 8)
        canvas.drawString(MARGIN, self.ship_to_y, words["Ship to"])
        y = renderer.lines(self.name, MARGIN, self.ship_to_y - 15, FONT_BOLD, 12, 15) + 2
        y = renderer.lines((*self.address, *self.phone), MARGIN, y, FONT, 10, 13)
        if slip.referral_code:
            y -= 3
            label = words["Your referral code"]
            canvas.setFont(FONT, 10)
            canvas.drawString(MARGIN, y, label)
            canvas.setFont(FONT_BOLD, 10)
            canvas.drawString(MARGIN + text_width(label, FONT, 10) + 4, y, slip.referral_code)
        renderer.qr_code(slip.confirm_url, right - QR_SIZE, self.top - 84 - QR_SIZE, QR_SIZE)
        canvas.setFont(FONT, 7.5)
        canvas.drawCentredString(right - QR_SIZE / 2, self.top - 84 - QR_SIZE - 11, words["scan_to_confirm"])


@dataclass
class _Totals:
    renderer: _Renderer
    slip: Slip
    words: dict[str, str]
    returns: tuple[str, ...]

    @property
    def height(self) -> float:
        return 18 + 22 + 12 * len(self.returns) + 18 + 6

    def draw(self, y: float) -> None:
        """Totals and return instructions under the table, whose bottom is at `y`."""
        renderer, slip, words = self.renderer, self.slip, self.words
        canvas = renderer.canvas
        y -= 18
        canvas.setFont(FONT_BOLD, 10)
        canvas.drawString(MARGIN, y, words["total_units"].format(units=slip.total_units))
        value = words["declared_value"].format(
            value=_amount(slip.declared_value, slip.language), currency=slip.currency
        )
        canvas.drawRightString(renderer.geometry.width - MARGIN, y, value)
        y -= 22
        canvas.drawString(MARGIN, y, words["Returns"])
        y = renderer.lines(self.returns, MARGIN, y - 12, FONT, 9, 12)
        canvas.setFont(FONT, 8)
        printed = words["printed_on"].format(date=_date(renderer.printed_on, slip.language))
        canvas.drawString(MARGIN, y - 6, printed)


def _due(slip: Slip, words: dict[str, str]) -> str:
    return _date(slip.return_due_on, slip.language) if slip.return_due_on else words["no_return_date"]


def _totals_lines(renderer: _Renderer, slip: Slip, words: dict[str, str]) -> _Totals:
    width = renderer.geometry.table_width
    if slip.returnable_lines:
        texts = [words["return_by"].format(date=_due(slip, words)), words["return_how"]]
    else:
        texts = [words["nothing_back"]]
    if any(not line.returnable for line in slip.lines) and slip.returnable_lines:
        texts.append(words["return_keep"])
    lines = tuple(line for text in texts for line in wrap(text, width, FONT, 9))
    return _Totals(renderer, slip, words, lines)


class _ReturnForm:
    """The first page of a slip's return form above its table."""

    def __init__(self, renderer: _Renderer, slip: Slip, words: dict[str, str]) -> None:
        self.renderer, self.slip, self.words = renderer, slip, words
        geometry = renderer.geometry
        self.top = geometry.height - MARGIN
        code_width = barcode_width(slip.return_code or slip.number)
        left = geometry.table_width - code_width - 12
        self.who = wrap(f"{slip.number} · {slip.ship_to_name}", left, FONT, 10)
        self.due = wrap(words["return_form_by"].format(date=_due(slip, words)), left, FONT_BOLD, 11)
        address = slip.return_address or (words["no_return_address"],)
        self.address = [line for part in address for line in wrap(part, left, FONT, 10)]
        self.tick = wrap(words["return_tick"], geometry.table_width, FONT, 9)
        self.address_y = min(self.top - 40 - 12 * len(self.who) - 14 * len(self.due) - 10, self.top - 84)
        bottom = self.address_y - 13 * len(self.address) - 8 - 11 * len(self.tick)
        self.table_top = geometry.height - bottom + 12

    def draw(self) -> None:
        renderer, slip, words = self.renderer, self.slip, self.words
        canvas, right = renderer.canvas, renderer.geometry.width - MARGIN
        canvas.setFont(FONT_BOLD, 16)
        canvas.drawString(MARGIN, self.top - 16, words["Return form"])
        y = renderer.lines(self.who, MARGIN, self.top - 34, FONT, 10, 12)
        renderer.lines(self.due, MARGIN, y - 4, FONT_BOLD, 11, 14)
        code = slip.return_code or slip.number
        width = renderer.barcode(code, right, self.top)
        canvas.setFont(FONT, 7.5)
        canvas.drawCentredString(right - width / 2, self.top - 66, words["return_scan"])
        canvas.setFont(FONT, 8)
        canvas.drawString(MARGIN, self.address_y, words["Return address"])
        y = renderer.lines(self.address, MARGIN, self.address_y - 13, FONT, 10, 13)
        renderer.lines(self.tick, MARGIN, y - 4, FONT, 9, 11)


def write_packing_slips(
    slips: Sequence[Slip],
    *,
    out: IO[bytes],
    page_size_name: str = "A4",
    printed_on: date | None = None,
    language: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    progress_every: int = 25,
) -> int:
    """Write the pick list and every slip to `out`, page by page; the number of pages written.

    The pick list is in `language` (default: the active one); each slip in its host's language.
    `on_progress(done, total)` is called every `progress_every` slips and at the end.
    """
    from django.utils.translation import get_language

    register_fonts()
    geometry = PageGeometry.for_page(page_size(page_size_name))
    canvas = StreamingCanvas(out, pagesize=(geometry.width, geometry.height))
    canvas.setTitle("Packing slips")
    canvas.setAuthor(slips[0].brand if slips else "")
    renderer = _Renderer(canvas, geometry, printed_on or date.today())
    renderer.setup(slips, language or get_language() or "en")
    renderer.draw_pick_list(slips)
    for done, slip in enumerate(slips, start=1):
        renderer.draw_slip(slip)
        if on_progress is not None and (done % progress_every == 0 or done == len(slips)):
            on_progress(done, len(slips))
    pages = canvas.getPageNumber() - 1
    canvas.save()
    return pages


def render_packing_slips(
    slips: Sequence[Slip],
    *,
    page_size_name: str = "A4",
    printed_on: date | None = None,
    language: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    progress_every: int = 25,
) -> bytes:
    """The PDF of the pick list and every slip, as bytes (see `write_packing_slips`)."""
    out = io.BytesIO()
    write_packing_slips(
        slips,
        out=out,
        page_size_name=page_size_name,
        printed_on=printed_on,
        language=language,
        on_progress=on_progress,
        progress_every=progress_every,
    )
    return out.getvalue()
