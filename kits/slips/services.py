"""Printing packing slips: what goes on them, the print log, and batches rendered by a task.

Small batches (up to `settings.PACKING_SLIPS_DIRECT_MAX` shipments) are rendered in the request;
larger ones become a `SlipBatch` rendered by `render_slip_batch` (a task) into private storage, with
its progress on the row for the staff page to show. Every print is logged (`PrintLog`).

The scan station reads a slip's barcode (or its QR code) and moves the kit one step; the return
form's barcode (`return_code`) always means "return received".
"""

import logging
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override
from django_tasks import task
from phonenumber_field.phonenumber import to_python

from backend.errors import Conflict, Invalid
from backend.models import User
from backend.transitions import move_status
from kits.models import (
    SLIP_BATCH_TRANSITIONS,
    PrintLog,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    SlipBatch,
    SlipBatchStatus,
    SlipPageSize,
)
from kits.shipments.services import ReturnedLine, confirm_delivery, mark_packed, mark_shipped, receive_return
from kits.signals import slip_codes_wanted
from kits.slips.render import Slip, SlipLine, bin_order, render_packing_slips, write_packing_slips

logger = logging.getLogger(__name__)

# One batch never holds more than this: a day's work for a warehouse, a few thousand pages.
MAX_BATCH_SHIPMENTS = 2000
# The kits a print by filter chooses when no state is asked for: those still to be packed.
TO_PACK = (ShipmentStatus.ALLOCATED,)
# The return form's barcode: this prefix and the shipment number.
RETURN_CODE_PREFIX = "R-"


def return_code(number: str) -> str:
    """What the return form's barcode holds: scanned, it means "return received" for this kit."""
    return f"{RETURN_CODE_PREFIX}{number}"


def slip_language(language: str) -> str:
    """The host's language if the slips speak it, else the site's."""
    short = (language or "").split("-")[0].lower()
    return short if short in {code for code, _name in settings.LANGUAGES} else settings.LANGUAGE_CODE


def confirm_url(number: str) -> str:
    """The portal page where the host confirms the kit arrived (printed as the slip's QR code)."""
    return settings.SITE_URL + reverse("kits:my_kit_detail", args=[number])


def get_shipment(number: str) -> Shipment:
    """The shipment with this number, or 404 (also for text no number can contain, such as NUL,
    which PostgreSQL refuses in a query)."""
    if "\x00" in number:
        raise Http404("No shipment has this number.")
    return get_object_or_404(Shipment, number=number)


def _international(phone: Any) -> str:
    number = to_python(phone)
    if number is None or not number.is_valid():
        return str(phone or "")
    return number.as_international


def build_slips(shipment_ids: Sequence[int]) -> list[Slip]:
    """The slips of these shipments in the given order, read in three queries of plain values.

    Plain values (not model instances) keep a 500-kit batch of 50,000 lines small in memory; lines
    equal across kits share one `SlipLine`, which the renderer also draws once. Lines come in
    natural bin order (`A-2` before `A-10`), the order a picker walks. A kit not to be packed (any
    state but allocated) carries its state, in the host's language, for the slip to say so.
    """
    ids = list(dict.fromkeys(shipment_ids))
    shipments = {
        row["id"]: row
        for row in Shipment.objects.filter(id__in=ids).values(
            "id",
            "number",
            "status",
            "host_id",
            "host__user__language",
            "campaign__name",
            "campaign__currency",
            "ship_to_name",
            "ship_to_line1",
            "ship_to_line2",
            "ship_to_postal_code",
            "ship_to_city",
            "ship_to_country",
            "ship_to_phone",
            "return_due_on",
        )
    }
    lines: dict[int, list[SlipLine]] = {shipment_id: [] for shipment_id in shipments}
    shared: dict[tuple, SlipLine] = {}
    rows = (
        ShipmentLine.objects.filter(shipment_id__in=ids)
        .order_by("shipment_id")
        .values_list(
            "shipment_id",
            "item__sku",
            "item__name",
            "item__colour",
            "item__size",
            "item__bin_location",
            "quantity",
            "returnable",
            "retail_price",
        )
    )
    for (
        shipment_id,
        sku,
        name,
        colour,
        size,
        bin_location,
        quantity,
        returnable,
        retail_price,
    ) in rows.iterator(chunk_size=5000):
        key = (sku, name, colour, size, bin_location, quantity, returnable, retail_price)
        line = shared.get(key)
        if line is None:
            line = shared[key] = SlipLine(
                sku=sku,
                description=name,
                variant=" / ".join(part for part in (colour, size) if part),
                bin_location=bin_location,
                quantity=quantity,
                returnable=returnable,
                unit_value=retail_price,
            )
        lines[shipment_id].append(line)
    order = {id(line): bin_order(line) for line in shared.values()}
    for kit_lines in lines.values():
        kit_lines.sort(key=lambda line: order[id(line)])
    host_codes = _slip_codes({row["host_id"] for row in shipments.values()})
    return_address = tuple(settings.KIT_RETURN_ADDRESS)
    state_labels: dict[tuple[str, str], str] = {}
    slips = []
    for shipment_id in ids:
        row = shipments.get(shipment_id)
        if row is None:
            continue
        number = row["number"] or f"#{shipment_id}"  # only unset inside the allocating transaction
        language = slip_language(row["host__user__language"])
        state = (language, row["status"])
        if state not in state_labels:
            with override(language):
                state_labels[state] = str(ShipmentStatus(row["status"]).label)
        address = [
            row["ship_to_line1"],
            row["ship_to_line2"],
            f"{row['ship_to_postal_code']} {row['ship_to_city']}",
        ]
        slips.append(
            Slip(
                number=number,
                brand=settings.BRAND_NAME,
                campaign_name=row["campaign__name"],
                confirm_url=confirm_url(number),
                ship_to_name=row["ship_to_name"],
                ship_to_address=(*[part for part in address if part.strip()], row["ship_to_country"]),
                ship_to_phone=_international(row["ship_to_phone"]),
                referral_code=host_codes.get(row["host_id"], ""),
                return_due_on=row["return_due_on"],
                currency=row["campaign__currency"],
                lines=tuple(lines[shipment_id]),
                language=language,
                to_pack=row["status"] in TO_PACK,
                state=state_labels[state],
                return_code=return_code(number),
                return_address=return_address,
            )
        )
    return slips


def _slip_codes(host_ids: Iterable[int]) -> dict[int, str]:
    """The referral code each host's slips print, as the receivers of `slip_codes_wanted` answer.

    Kits does not import referrals (apps depend the other way); a host without an answer (referrals
    not wired for the campaign) prints none.
    """
    codes: dict[int, str] = {}
    for _receiver, answer in slip_codes_wanted.send(sender=Shipment, host_ids=list(host_ids)):
        # django-stubs type any receiver's answer as `str | None`; this signal's receivers answer a dict.
        codes.update(cast(dict[int, str], answer or {}))
    return codes


def _check_page_size(page_size: str) -> str:
    if page_size not in SlipPageSize.values:
        raise Invalid(
            f"Unknown page size {page_size!r}: use {' or '.join(SlipPageSize.values)}.", field="page_size"
        )
    return page_size


def _check_shipments(shipment_ids: Sequence[int]) -> list[int]:
    ids = list(dict.fromkeys(shipment_ids))
    if not ids:
        raise Invalid("No shipment to print.", code="nothing_to_print", field="shipments")
    if len(ids) > MAX_BATCH_SHIPMENTS:
        raise Invalid(
            f"At most {MAX_BATCH_SHIPMENTS} shipments per batch; narrow the filter.",
            code="batch_too_large",
            field="shipments",
        )
    return ids


def is_direct(count: int) -> bool:
    """Small batches answer directly; larger ones run as a task."""
    return count <= settings.PACKING_SLIPS_DIRECT_MAX


@transaction.atomic
def log_printing(
    *, shipment_ids: Sequence[int], by: User | None, page_size: str, batch: SlipBatch | None = None
) -> PrintLog:
    """Record who printed which shipments' slips, and when."""
    ids = list(dict.fromkeys(shipment_ids))
    log = PrintLog.objects.create(by=by, page_size=page_size, shipment_count=len(ids), batch=batch)
    log.shipments.add(*ids)
    return log


@transaction.atomic
def print_packing_slips(*, shipment_ids: Sequence[int], by: User | None, page_size: str = "A4") -> bytes:
    """Render the slips of these shipments now (pick list first) and log the print."""
    ids = _check_shipments(shipment_ids)
    _check_page_size(page_size)
    pdf = render_packing_slips(build_slips(ids), page_size_name=page_size)
    log_printing(shipment_ids=ids, by=by, page_size=page_size)
    return pdf


@transaction.atomic
def request_slip_batch(
    *, shipment_ids: Sequence[int], by: User | None, page_size: str = "A4", description: str = ""
) -> SlipBatch:
    """Queue a batch to be rendered by the task worker; the print is logged now, with the batch."""
    ids = _check_shipments(shipment_ids)
    _check_page_size(page_size)
    batch = SlipBatch.objects.create(
        requested_by=by, page_size=page_size, total=len(ids), description=description[:200]
    )
    batch.shipments.add(*ids)
    log_printing(shipment_ids=ids, by=by, page_size=page_size, batch=batch)
    batch_id = str(batch.pk)
    transaction.on_commit(lambda: render_slip_batch.enqueue(batch_id=batch_id))
    return batch


def _move_batch(batch: SlipBatch, to: str, **fields: Any) -> SlipBatch:
    with transaction.atomic():
        moved, _ = move_status(batch, to_status=to, transitions=SLIP_BATCH_TRANSITIONS, fields=fields)
    return moved


def run_slip_batch(*, batch_id: Any) -> SlipBatch:
    """Render a queued batch into private storage, updating its progress as slips are drawn.

    Not atomic on purpose: progress is committed as it goes, so the staff page sees it move. The PDF
    is spooled to a temporary file, never held whole in memory.
    """
    batch = _move_batch(
        SlipBatch.objects.get(pk=batch_id), SlipBatchStatus.RUNNING, started_at=timezone.now()
    )
    ids = list(batch.shipments.order_by("campaign_id", "number").values_list("id", flat=True))

    def progress(done: int, total: int) -> None:
        SlipBatch.objects.filter(pk=batch.pk).update(done=done)

    try:
        slips = build_slips(ids)
        with tempfile.TemporaryFile() as spool:
            pages = write_packing_slips(
                slips, out=spool, page_size_name=batch.page_size, on_progress=progress
            )
            spool.seek(0)
            batch.file.save(f"{batch.pk}.pdf", File(spool), save=False)
    except Exception as error:
        logger.exception("packing slip batch failed", extra={"batch_id": str(batch.pk)})
        return _move_batch(
            batch,
            SlipBatchStatus.FAILED,
            error=str(error)[:500] or type(error).__name__,
            finished_at=timezone.now(),
        )
    return _move_batch(
        batch,
        SlipBatchStatus.DONE,
        file=batch.file.name,
        done=len(slips),
        pages=pages,  # the pick list's and every slip's: what the printer will print
        finished_at=timezone.now(),
    )


@task()
def render_slip_batch(batch_id: str) -> None:
    run_slip_batch(batch_id=batch_id)


def shipments_for_filter(*, campaign_slug: str = "", status: str = "") -> QuerySet[Shipment]:
    """Shipments chosen by campaign and/or state, in print order.

    Without a state, only the kits still to be packed: a campaign's cancelled or closed kits must
    not reach the packing bench (nor add their units to the pick list) unless asked for by state.
    """
    shipments = Shipment.objects.all()
    if campaign_slug:
        shipments = shipments.filter(campaign__slug=campaign_slug)
    shipments = shipments.filter(status=status) if status else shipments.filter(status__in=TO_PACK)
    return shipments.order_by("campaign_id", "number")


def shipment_ids_for_numbers(numbers: list[str]) -> list[int]:
    """Ids in the order given; unknown numbers are a 400 that names them."""
    wanted = [number.replace("\x00", "?").strip().upper() for number in numbers]
    found = dict(Shipment.objects.filter(number__in=wanted).values_list("number", "id"))
    unknown = [number for number in wanted if number not in found]
    if unknown:
        raise Invalid(
            f"Unknown shipment number(s): {', '.join(unknown[:20])}.",
            code="unknown_shipment",
            field="shipments",
        )
    return [found[number] for number in wanted]


def describe_filter(campaign: str, state: str) -> str:
    parts = [f"campaign {campaign}" if campaign else "", f"state {state}" if state else "kits to pack"]
    return ", ".join(part for part in parts if part)


# --- scan station ----------------------------------------------------------------------------

# What a scan does, by the shipment's current state.
SCAN_ACTIONS = {
    ShipmentStatus.ALLOCATED: "pack",
    ShipmentStatus.PACKED: "ship",
    ShipmentStatus.SHIPPED: "return",
    ShipmentStatus.DELIVERED: "return",
    ShipmentStatus.RETURNED: "return",  # a further parcel of the same kit
}


@dataclass(frozen=True)
class ScanResult:
    shipment: Shipment
    action: str  # pack | ship | return
    previous: str  # the state before the scan
    units: int = 0  # units back in stock, for a return


def normalise_scan(raw: str) -> str:
    """The shipment number in what a scanner typed: the barcode text, or the slip's QR code URL."""
    text = (raw or "").replace("\x00", "").strip()
    match = SCANNED_URL.search(text)
    if match:
        text = match.group(1)
    return text.upper()[:40]


SCANNED_URL = re.compile(r"/portal/kit/([A-Za-z0-9-]+)/?")


def find_scanned(number: str) -> Shipment:
    shipment = Shipment.objects.filter(number=number).first()
    if shipment is None:
        raise Invalid(
            f"No shipment has the number {number or '(empty)'}.", code="unknown_shipment", field="number"
        )
    return shipment


@transaction.atomic
def scan_shipment(
    *, number: str, by: User | None, carrier: str = "", tracking_number: str = ""
) -> ScanResult:
    """Move a scanned kit one step: allocated → packed, packed → shipped, shipped/delivered → return received.

    The return form's code (`return_code`) only ever means "return received": scanned on a kit
    still in the warehouse, it is refused rather than packing or shipping it.

    A return scanned at the warehouse is the whole kit back in good state (`receive_return` with every
    returnable unit still due); damaged units are recorded through the returns API instead. A kit
    scanned back while still "shipped" was evidently delivered first: staff confirm the delivery in
    the same transaction. Closed and cancelled kits, and returns with nothing due, are refused with
    the current state and the states the station can move.
    """
    returning = number.startswith(RETURN_CODE_PREFIX)
    if returning:
        number = number.removeprefix(RETURN_CODE_PREFIX)
    shipment = Shipment.objects.select_for_update().filter(number=number).first()
    if shipment is None:
        raise Invalid(
            f"No shipment has the number {number or '(empty)'}.", code="unknown_shipment", field="number"
        )
    previous = shipment.status
    action = SCAN_ACTIONS.get(ShipmentStatus(previous))
    if returning and action != "return":
        raise Conflict(
            f"{shipment.number} is {ShipmentStatus(previous).label.lower()}: a return form was scanned, "
            "but this kit has not been shipped.",
            code="nothing_to_scan",
            extra={"current": previous, "allowed": [str(state) for state in SCAN_ACTIONS]},
        )
    if action == "pack":
        return ScanResult(mark_packed(shipment=shipment, by=by), action, previous)
    if action == "ship":
        shipped = mark_shipped(shipment=shipment, carrier=carrier, tracking_number=tracking_number, by=by)
        return ScanResult(shipped, action, previous)
    due = [
        ReturnedLine(sku=line.item.sku, good=line.missing, damaged=0)
        for line in shipment.lines.select_related("item")
        if line.missing > 0
    ]
    if action is None or not due:
        raise Conflict(
            f"{shipment.number} is {ShipmentStatus(previous).label.lower()}: "
            + ("nothing is due back." if action else "the scan station has nothing to do with it."),
            code="nothing_to_scan",
            extra={"current": previous, "allowed": [str(state) for state in SCAN_ACTIONS]},
        )
    if previous == ShipmentStatus.SHIPPED:
        shipment = confirm_delivery(shipment=shipment, by=by)
    returned = receive_return(shipment=shipment, lines=due, by=by)
    return ScanResult(returned, action, previous, units=sum(line.good for line in due))
