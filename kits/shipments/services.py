"""Every change to a kit sent to a host: allocation, transitions, returns, settlement, problems."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from ambassadors.models import Host, HostStatus, KitReturnPolicy
from backend.errors import Conflict, Invalid
from backend.models import User
from backend.transitions import check_transition, move_status
from kits.models import (
    SHIPMENT_TRANSITIONS,
    KitSettlement,
    KitTemplate,
    MovementKind,
    ProblemKind,
    Shipment,
    ShipmentLine,
    ShipmentProblem,
    ShipmentStatus,
    ShipmentStatusChange,
)
from kits.signals import kit_settled, kit_shipped
from kits.stock.services import lock_stocks, move_stock

logger = logging.getLogger(__name__)


# --- allocation ------------------------------------------------------------------------------


@transaction.atomic
def allocate_kit(*, host: Host, by: User | None) -> Shipment:
    """Reserve every line of the campaign's kit template for the host, or nothing.

    Short stock raises `Conflict` (`short_stock`) whose `extra.short` lists every short SKU with
    the units needed and available. The ship-to block is copied from the host at this moment.
    """
    if host.status == HostStatus.BANNED:
        raise Conflict("A banned host gets no kit.", code="host_banned")
    campaign = host.campaign
    template = KitTemplate.objects.filter(campaign=campaign).first()
    if template is None:
        raise Conflict(f"Campaign {campaign.slug} has no kit template.", code="no_kit_template")
    lines = list(template.lines.select_related("item").order_by("item_id"))
    if not lines:
        raise Conflict(f"The kit template of {campaign.slug} is empty.", code="no_kit_template")
    if Shipment.objects.live().filter(host=host).exists():
        raise Conflict("This host already has a kit.", code="already_allocated")

    stocks = lock_stocks(line.item_id for line in lines)
    short: list[dict[str, Any]] = []
    for line in lines:
        stock = stocks.get(line.item_id)
        available = stock.available if stock else 0
        if available < line.quantity:
            short.append({"sku": line.item.sku, "needed": line.quantity, "available": max(available, 0)})
    if short:
        raise Conflict(
            f"Not enough stock for {len(short)} SKU(s): {', '.join(entry['sku'] for entry in short)}.",
            code="short_stock",
            extra={"short": short},
        )

    try:
        with transaction.atomic():
            shipment = Shipment.objects.create(
                host=host,
                campaign=campaign,
                ship_to_name=host.full_name,
                ship_to_line1=host.address_line1,
                ship_to_line2=host.address_line2,
                ship_to_postal_code=host.postal_code,
                ship_to_city=host.city,
                ship_to_country=host.country,
                ship_to_phone=host.phone,
                return_due_on=campaign.kit_return_due_on,
            )
    except IntegrityError as error:  # a concurrent allocation for the same host won
        raise Conflict("This host already has a kit.", code="already_allocated") from error
    shipment.number = f"KIT-{shipment.allocated_at.year}-{shipment.pk:06d}"
    shipment.save(update_fields=["number"])
    ShipmentLine.objects.bulk_create(
        ShipmentLine(
            shipment=shipment,
            item=line.item,
            quantity=line.quantity,
            unit_cost=line.item.unit_cost,
            retail_price=line.item.retail_price,
            returnable=line.item.returnable,
        )
        for line in lines
    )
    for line in lines:
        move_stock(
            stock=stocks[line.item_id],
            kind=MovementKind.ALLOCATION,
            quantity=line.quantity,
            on_hand_delta=0,
            allocated_delta=line.quantity,
            by=by,
            shipment=shipment,
        )
    ShipmentStatusChange.objects.create(
        shipment=shipment, by=by, from_status="", to_status=ShipmentStatus.ALLOCATED
    )
    return shipment


def allocate_kit_on_selection(*, host: Host, by: User | None) -> Shipment | None:
    """Selection never fails because of stock: a short kit leaves the host without allocation.

    Logistics then allocates on demand once stock arrives. Campaigns without a kit template give
    no kit at all.
    """
    if not KitTemplate.objects.filter(campaign_id=host.campaign_id).exists():
        return None
    try:
        with transaction.atomic():
            return allocate_kit(host=host, by=by)
    except Conflict as error:
        logger.warning(
            "kit not allocated at selection",
            extra={"host_id": host.pk, "code": error.code, "detail": error.message},
        )
        return None


# --- shipment transitions --------------------------------------------------------------------


def _transition(
    *, shipment: Shipment, to: str, by: User | None, reason: str = "", **fields: Any
) -> tuple[Shipment, str]:
    """Lock the shipment, check the transitions map, write the history row, save the fields."""
    return move_status(
        shipment,
        to_status=to,
        transitions=SHIPMENT_TRANSITIONS,
        history=ShipmentStatusChange,
        by=by,
        reason=reason,
        fields=fields,
    )


@transaction.atomic
def mark_packed(*, shipment: Shipment, by: User | None) -> Shipment:
    packed, _ = _transition(shipment=shipment, to=ShipmentStatus.PACKED, by=by, packed_at=timezone.now())
    return packed


@transaction.atomic
def mark_shipped(
    *, shipment: Shipment, carrier: str, tracking_number: str, by: User | None, tracking_url: str = ""
) -> Shipment:
    """Hand the kit to the carrier: its units leave the stock (on hand and allocated)."""
    if not carrier.strip():
        raise Invalid("The carrier is required.", field="carrier")
    if not tracking_number.strip():
        raise Invalid("The tracking number is required.", field="tracking_number")
    shipped, _ = _transition(
        shipment=shipment,
        to=ShipmentStatus.SHIPPED,
        by=by,
        carrier=carrier.strip(),
        tracking_number=tracking_number.strip(),
        tracking_url=tracking_url,
        shipped_at=timezone.now(),
    )
    lines = list(shipped.lines.all())
    stocks = lock_stocks(line.item_id for line in lines)
    for line in sorted(lines, key=lambda line: line.item_id):
        move_stock(
            stock=stocks[line.item_id],
            kind=MovementKind.SHIPMENT,
            quantity=line.quantity,
            on_hand_delta=-line.quantity,
            allocated_delta=-line.quantity,
            by=by,
            shipment=shipped,
        )
    kit_shipped.send(sender=Shipment, shipment=shipped, by=by)
    return shipped


@transaction.atomic
def confirm_delivery(*, shipment: Shipment, by: User | None) -> Shipment:
    """The host (portal) or staff confirms the kit arrived."""
    delivered, _ = _transition(
        shipment=shipment, to=ShipmentStatus.DELIVERED, by=by, delivered_at=timezone.now()
    )
    return delivered


@transaction.atomic
def cancel_shipment(*, shipment: Shipment, by: User | None, reason: str = "") -> Shipment:
    """Cancel before shipping: every reserved unit is released."""
    cancelled, _ = _transition(
        shipment=shipment, to=ShipmentStatus.CANCELLED, by=by, reason=reason, cancelled_at=timezone.now()
    )
    lines = list(cancelled.lines.all())
    stocks = lock_stocks(line.item_id for line in lines)
    for line in sorted(lines, key=lambda line: line.item_id):
        move_stock(
            stock=stocks[line.item_id],
            kind=MovementKind.RELEASE,
            quantity=line.quantity,
            on_hand_delta=0,
            allocated_delta=-line.quantity,
            by=by,
            shipment=cancelled,
            reason=reason,
        )
    return cancelled


@dataclass(frozen=True)
class ReturnedLine:
    sku: str
    good: int
    damaged: int


@transaction.atomic
def receive_return(*, shipment: Shipment, lines: Sequence[ReturnedLine], by: User | None) -> Shipment:
    """Record a return parcel: per SKU, units back in good state (restocked) and damaged (not).

    Several parcels may come back for one kit; each adds to what was returned before.
    """
    locked = Shipment.objects.select_for_update().get(pk=shipment.pk)
    if locked.status != ShipmentStatus.RETURNED:  # a further parcel of a returned kit stays "returned"
        check_transition(
            current=locked.status, to_status=ShipmentStatus.RETURNED, transitions=SHIPMENT_TRANSITIONS
        )
    if not lines:
        raise Invalid("A return lists at least one line.", field="lines")
    by_sku = {line.item.sku: line for line in locked.lines.select_related("item")}
    seen: set[str] = set()
    for returned in lines:
        line = by_sku.get(returned.sku)
        if line is None:
            raise Invalid(f"SKU {returned.sku} is not in this kit.", field="lines", code="unknown_sku")
        if returned.sku in seen:
            raise Invalid(f"SKU {returned.sku} is listed twice.", field="lines", code="duplicate_sku")
        seen.add(returned.sku)
        if not line.returnable:
            raise Invalid(f"SKU {returned.sku} is not returnable.", field="lines", code="not_returnable")
        if returned.good < 0 or returned.damaged < 0 or returned.good + returned.damaged == 0:
            raise Invalid(f"Return at least one unit of {returned.sku}.", field="lines")
        if returned.good + returned.damaged > line.missing:
            raise Invalid(
                f"Only {line.missing} unit(s) of {returned.sku} are still due back.",
                field="lines",
                code="too_many_returned",
            )
    if locked.status == ShipmentStatus.DELIVERED:
        locked, _ = _transition(
            shipment=locked, to=ShipmentStatus.RETURNED, by=by, returned_at=timezone.now()
        )
    stocks = lock_stocks(by_sku[returned.sku].item_id for returned in lines)
    for returned in sorted(lines, key=lambda returned: by_sku[returned.sku].item_id):
        line = by_sku[returned.sku]
        line.returned_good += returned.good
        line.returned_damaged += returned.damaged
        line.save(update_fields=["returned_good", "returned_damaged"])
        stock = stocks[line.item_id]
        if returned.good:
            move_stock(
                stock=stock,
                kind=MovementKind.RETURN_GOOD,
                quantity=returned.good,
                on_hand_delta=returned.good,
                allocated_delta=0,
                by=by,
                shipment=locked,
            )
        if returned.damaged:
            move_stock(
                stock=stock,
                kind=MovementKind.RETURN_DAMAGED,
                quantity=returned.damaged,
                on_hand_delta=0,
                allocated_delta=0,
                by=by,
                shipment=locked,
            )
    return locked


@transaction.atomic
def close_shipment(*, shipment: Shipment, by: User | None, reason: str = "") -> Shipment:
    """Nothing more is expected back: settle what is missing and close."""
    closed, _ = _transition(
        shipment=shipment, to=ShipmentStatus.CLOSED, by=by, reason=reason, closed_at=timezone.now()
    )
    settle_missing_kit_items(shipment=closed, by=by)
    return closed


@transaction.atomic
def settle_missing_kit_items(*, shipment: Shipment, by: User | None) -> KitSettlement:
    """Value the returnable units that never came back and settle them by the campaign's policy.

    Deduct at retail or at cost → `amount_to_deduct` is that value (the rewards ledger posts it);
    gift or write-off → nothing is deducted. Exactly one settlement per shipment (a second call
    returns the first). Damaged returns came back, so they are not missing.
    """
    existing = KitSettlement.objects.filter(shipment=shipment).first()
    if existing is not None:
        return existing
    campaign = shipment.campaign
    missing_lines = []
    missing_units = 0
    cost_value = Decimal("0.00")
    retail_value = Decimal("0.00")
    for line in shipment.lines.select_related("item").order_by("item__sku"):
        if line.missing <= 0:
            continue
        missing_units += line.missing
        cost_value += line.unit_cost * line.missing
        retail_value += line.retail_price * line.missing
        missing_lines.append(
            {
                "sku": line.item.sku,
                "missing": line.missing,
                "unit_cost": str(line.unit_cost),
                "retail_price": str(line.retail_price),
            }
        )
    policy = campaign.kit_return_policy
    amount_to_deduct: Decimal = {
        str(KitReturnPolicy.DEDUCT_RETAIL): retail_value,
        str(KitReturnPolicy.DEDUCT_COST): cost_value,
    }.get(policy, Decimal("0.00"))
    settlement = KitSettlement.objects.create(
        shipment=shipment,
        host=shipment.host,
        campaign=campaign,
        policy=policy,
        currency=campaign.currency,
        missing_units=missing_units,
        missing_cost_value=cost_value,
        missing_retail_value=retail_value,
        amount_to_deduct=amount_to_deduct,
        missing_lines=missing_lines,
        settled_by=by,
    )
    kit_settled.send(sender=KitSettlement, settlement=settlement, by=by)
    return settlement


# --- problems reported by hosts --------------------------------------------------------------

REPORTABLE_STATUSES = frozenset({ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED})


@transaction.atomic
def report_kit_problem(
    *,
    shipment: Shipment,
    by: User | None,
    kind: str,
    description: str,
    line: ShipmentLine | None = None,
    quantity: int | None = None,
) -> ShipmentProblem:
    """A host tells logistics that items are missing or damaged (once the kit has left)."""
    shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
    if shipment.status not in REPORTABLE_STATUSES:
        raise Conflict(
            "A problem can be reported once the kit is on its way.",
            code="not_reportable",
            extra={"current": shipment.status, "allowed": sorted(REPORTABLE_STATUSES)},
        )
    if kind not in ProblemKind.values:
        raise Invalid("Unknown problem kind.", field="kind")
    if not description.strip():
        raise Invalid("Describe the problem.", field="description")
    if line is not None and line.shipment_id != shipment.pk:
        raise Invalid("This article is not in your kit.", field="line")
    if quantity is not None and (quantity < 1 or (line is not None and quantity > line.quantity)):
        raise Invalid("The quantity must be between 1 and the quantity sent.", field="quantity")
    return ShipmentProblem.objects.create(
        shipment=shipment,
        reported_by=by,
        kind=kind,
        line=line,
        quantity=quantity,
        description=description.strip(),
    )


@transaction.atomic
def resolve_kit_problem(*, problem: ShipmentProblem, by: User | None, resolution: str) -> ShipmentProblem:
    locked = ShipmentProblem.objects.select_for_update().get(pk=problem.pk)
    if locked.resolved_at is not None:
        raise Conflict("This problem is already resolved.", code="already_resolved")
    if not resolution.strip():
        raise Invalid("Say how the problem was resolved.", field="resolution")
    locked.resolved_at = timezone.now()
    locked.resolved_by = by
    locked.resolution = resolution.strip()
    locked.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    return locked
