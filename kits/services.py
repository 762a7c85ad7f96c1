"""Every change to kits: catalogue, stock movements, kit templates, allocation, shipments, returns.

Stock rows are always locked (`select_for_update`) in ascending SKU order before they change, so
two transactions touching several SKUs never deadlock and never oversell.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from ambassadors.models import Campaign, Host, HostStatus, KitReturnPolicy
from backend.errors import Conflict, Invalid, InvalidTransition
from backend.models import User
from kits.models import (
    SHIPMENT_TRANSITIONS,
    Item,
    KitSettlement,
    KitTemplate,
    KitTemplateLine,
    MovementKind,
    ProblemKind,
    Shipment,
    ShipmentLine,
    ShipmentProblem,
    ShipmentStatus,
    ShipmentStatusChange,
    Stock,
    StockMovement,
)
from kits.signals import kit_settled

logger = logging.getLogger(__name__)

# Fields of the catalogue a person may set (stock is never set directly: it follows the ledger).
ITEM_FIELDS = (
    "name",
    "colour",
    "size",
    "ean",
    "unit_cost",
    "retail_price",
    "currency",
    "weight_grams",
    "bin_location",
    "returnable",
    "active",
)


# --- catalogue -------------------------------------------------------------------------------


@transaction.atomic
def create_item(*, sku: str, **fields: Any) -> Item:
    """Add a SKU to the catalogue with an empty stock row."""
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise Invalid(f"Unknown catalogue fields: {', '.join(sorted(unknown))}.", code="unknown_field")
    if Item.objects.filter(sku=sku).exists():
        raise Conflict(f"SKU {sku} already exists.", code="duplicate_sku")
    _check_ean_free(ean=fields.get("ean", ""), sku=sku)
    item = Item.objects.create(sku=sku, **fields)
    Stock.objects.create(item=item)
    return item


@transaction.atomic
def update_item(*, item: Item, **fields: Any) -> Item:
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise Invalid(f"Unknown catalogue fields: {', '.join(sorted(unknown))}.", code="unknown_field")
    if "ean" in fields:
        _check_ean_free(ean=fields["ean"], sku=item.sku)
    for name, value in fields.items():
        setattr(item, name, value)
    item.save(update_fields=[*fields, "updated_at"])
    return item


def _check_ean_free(*, ean: str, sku: str) -> None:
    if ean and Item.objects.filter(ean=ean).exclude(sku=sku).exists():
        raise Conflict(f"EAN {ean} already belongs to another SKU.", code="duplicate_ean")


@dataclass
class CatalogueImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    # (row number, message); row 1 is the header.
    errors: list[tuple[int, str]] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


@transaction.atomic
def import_catalogue(*, rows: Iterable[dict[str, Any]], dry_run: bool = False) -> CatalogueImportReport:
    """Create or update SKUs from validated rows (`sku` + `ITEM_FIELDS`), all or nothing.

    Each row is `{"row": <number>, "data": {...}}` or carries its errors as `{"row", "errors"}`; if
    any row has an error, or on a dry run, nothing is written and the report says what would happen.
    """
    report = CatalogueImportReport(dry_run=dry_run)
    seen: dict[str, int] = {}
    for row in rows:
        number = row["row"]
        if row.get("errors"):
            report.errors.extend((number, message) for message in row["errors"])
            continue
        data = dict(row["data"])
        sku = data.pop("sku")
        if sku in seen:
            report.errors.append((number, f"SKU {sku} already appears on row {seen[sku]}."))
            continue
        seen[sku] = number
        try:
            with transaction.atomic():
                existing = Item.objects.filter(sku=sku).first()
                if existing is None:
                    create_item(sku=sku, **data)
                    report.created.append(sku)
                else:
                    update_item(item=existing, **data)
                    report.updated.append(sku)
        except (Invalid, Conflict) as error:
            report.errors.append((number, error.message))
    if report.errors or dry_run:
        transaction.set_rollback(True)
    return report


# --- stock ledger ----------------------------------------------------------------------------


def _lock_stocks(item_ids: Iterable[int]) -> dict[int, Stock]:
    """Lock the stock rows of these items in a deterministic order (by item id)."""
    ids = sorted(set(item_ids))
    locked = (
        Stock.objects.select_for_update(of=("self",))
        .select_related("item")
        .filter(item_id__in=ids)
        .order_by("item_id")
    )
    return {stock.item_id: stock for stock in locked}


def _move(
    *,
    stock: Stock,
    kind: str,
    quantity: int,
    on_hand_delta: int,
    allocated_delta: int,
    by: User | None,
    reason: str = "",
    shipment: Shipment | None = None,
) -> StockMovement:
    """Apply one movement to a locked stock row and write its ledger line (the only writer of stock)."""
    stock.on_hand += on_hand_delta
    stock.allocated += allocated_delta
    if stock.allocated < 0 or stock.on_hand < stock.allocated:
        raise Conflict(
            f"Stock of {stock.item.sku} cannot go below what is allocated to kits.",
            code="insufficient_stock",
            extra={"on_hand": stock.on_hand - on_hand_delta, "allocated": stock.allocated - allocated_delta},
        )
    stock.save(update_fields=["on_hand", "allocated", "updated_at"])
    return StockMovement.objects.create(
        item_id=stock.item_id,
        kind=kind,
        quantity=quantity,
        on_hand_delta=on_hand_delta,
        allocated_delta=allocated_delta,
        reason=reason,
        shipment=shipment,
        by=by,
    )


def _stock_for(item: Item) -> Stock:
    stock = _lock_stocks([item.pk]).get(item.pk)
    if stock is None:  # an item created outside the services (e.g. a data migration)
        Stock.objects.get_or_create(item=item)
        stock = _lock_stocks([item.pk])[item.pk]
    return stock


@transaction.atomic
def receive_stock(*, item: Item, quantity: int, by: User | None, reason: str = "") -> StockMovement:
    """Units delivered to the warehouse."""
    if quantity < 1:
        raise Invalid("A receipt brings at least one unit.", field="quantity")
    return _move(
        stock=_stock_for(item),
        kind=MovementKind.RECEIPT,
        quantity=quantity,
        on_hand_delta=quantity,
        allocated_delta=0,
        by=by,
        reason=reason,
    )


@transaction.atomic
def adjust_stock(*, item: Item, delta: int, reason: str, by: User | None) -> StockMovement:
    """Correct the units on hand after a count; never below what is allocated to kits."""
    if delta == 0:
        raise Invalid("An adjustment changes the stock by at least one unit.", field="delta")
    if not reason.strip():
        raise Invalid("An adjustment needs a reason.", field="reason")
    return _move(
        stock=_stock_for(item),
        kind=MovementKind.ADJUSTMENT,
        quantity=abs(delta),
        on_hand_delta=delta,
        allocated_delta=0,
        by=by,
        reason=reason.strip(),
    )


@transaction.atomic
def write_off_stock(*, item: Item, quantity: int, reason: str, by: User | None) -> StockMovement:
    """Units on hand destroyed or lost; never the units allocated to kits."""
    if quantity < 1:
        raise Invalid("A write-off removes at least one unit.", field="quantity")
    if not reason.strip():
        raise Invalid("A write-off needs a reason.", field="reason")
    return _move(
        stock=_stock_for(item),
        kind=MovementKind.WRITE_OFF,
        quantity=quantity,
        on_hand_delta=-quantity,
        allocated_delta=0,
        by=by,
        reason=reason.strip(),
    )


# --- kit templates ---------------------------------------------------------------------------


@transaction.atomic
def set_kit_template(
    *, campaign: Campaign, lines: Sequence[tuple[Item, int]], by: User | None, name: str = ""
) -> KitTemplate:
    """Replace the campaign's kit template with these (item, quantity) lines."""
    if not lines:
        raise Invalid("A kit template needs at least one line.", field="lines")
    skus = [item.sku for item, _ in lines]
    duplicates = sorted({sku for sku in skus if skus.count(sku) > 1})
    if duplicates:
        raise Invalid(f"SKU listed twice: {', '.join(duplicates)}.", field="lines", code="duplicate_sku")
    for item, quantity in lines:
        if quantity < 1:
            raise Invalid(f"Quantity of {item.sku} must be at least 1.", field="lines")
        if not item.active:
            raise Invalid(f"SKU {item.sku} is inactive.", field="lines", code="inactive_sku")
        if item.currency != campaign.currency:
            raise Invalid(
                f"SKU {item.sku} is priced in {item.currency}, the campaign in {campaign.currency}.",
                field="lines",
                code="currency_mismatch",
            )
    template, _ = KitTemplate.objects.select_for_update().get_or_create(campaign=campaign)
    template.name = name or template.name
    template.save(update_fields=["name", "updated_at"])
    template.lines.all().delete()
    KitTemplateLine.objects.bulk_create(
        KitTemplateLine(template=template, item=item, quantity=quantity) for item, quantity in lines
    )
    return template


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

    stocks = _lock_stocks(line.item_id for line in lines)
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
        _move(
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
    locked = Shipment.objects.select_for_update().get(pk=shipment.pk)
    allowed = SHIPMENT_TRANSITIONS[locked.status]
    if to not in allowed:
        raise InvalidTransition(current=locked.status, requested=to, allowed=allowed)
    previous = locked.status
    locked.status = to
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save(update_fields=["status", *fields])
    ShipmentStatusChange.objects.create(
        shipment=locked, by=by, from_status=previous, to_status=to, reason=reason
    )
    return locked, previous


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
    stocks = _lock_stocks(line.item_id for line in lines)
    for line in sorted(lines, key=lambda line: line.item_id):
        _move(
            stock=stocks[line.item_id],
            kind=MovementKind.SHIPMENT,
            quantity=line.quantity,
            on_hand_delta=-line.quantity,
            allocated_delta=-line.quantity,
            by=by,
            shipment=shipped,
        )
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
    stocks = _lock_stocks(line.item_id for line in lines)
    for line in sorted(lines, key=lambda line: line.item_id):
        _move(
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
    if locked.status not in (ShipmentStatus.DELIVERED, ShipmentStatus.RETURNED):
        raise InvalidTransition(
            current=locked.status,
            requested=ShipmentStatus.RETURNED,
            allowed=SHIPMENT_TRANSITIONS[locked.status],
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
    stocks = _lock_stocks(by_sku[returned.sku].item_id for returned in lines)
    for returned in sorted(lines, key=lambda returned: by_sku[returned.sku].item_id):
        line = by_sku[returned.sku]
        line.returned_good += returned.good
        line.returned_damaged += returned.damaged
        line.save(update_fields=["returned_good", "returned_damaged"])
        stock = stocks[line.item_id]
        if returned.good:
            _move(
                stock=stock,
                kind=MovementKind.RETURN_GOOD,
                quantity=returned.good,
                on_hand_delta=returned.good,
                allocated_delta=0,
                by=by,
                shipment=locked,
            )
        if returned.damaged:
            _move(
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
