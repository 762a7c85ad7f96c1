"""Every change to stock goes through its movement ledger: receipts, adjustments, write-offs,
and the movements of kits (allocation, release, shipment, returns) that the shipment services make.

Stock rows are always locked (`select_for_update`) in ascending SKU order before they change, so
two transactions touching several SKUs never deadlock and never oversell.
"""

from collections.abc import Iterable, Sequence

from django.db import transaction
from django.utils import timezone

from backend.errors import Conflict, FieldChecks, Invalid
from backend.models import User
from kits.models import Item, MovementKind, Shipment, Stock, StockMovement


def lock_stocks(item_ids: Iterable[int]) -> dict[int, Stock]:
    """Lock the stock rows of these items in a deterministic order (by item id)."""
    ids = sorted(set(item_ids))
    locked = (
        Stock.objects.select_for_update(of=("self",))
        .select_related("item")
        .filter(item_id__in=ids)
        .order_by("item_id")
    )
    return {stock.item_id: stock for stock in locked}


def move_stock(
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
    stock = lock_stocks([item.pk]).get(item.pk)
    if stock is None:  # an item created outside the services (e.g. a data migration)
        Stock.objects.get_or_create(item=item)
        stock = lock_stocks([item.pk])[item.pk]
    return stock


@transaction.atomic
def receive_stock(*, item: Item, quantity: int, by: User | None, reason: str = "") -> StockMovement:
    """Units delivered to the warehouse."""
    if quantity < 1:
        raise Invalid("A receipt brings at least one unit.", field="quantity")
    return move_stock(
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
    return move_stock(
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
    return move_stock(
        stock=_stock_for(item),
        kind=MovementKind.WRITE_OFF,
        quantity=quantity,
        on_hand_delta=-quantity,
        allocated_delta=0,
        by=by,
        reason=reason.strip(),
    )


# The most receipts one bulk call may record.
BULK_MAX_RECEIPTS = 500


@transaction.atomic
def receive_stock_batch(*, receipts: Sequence[tuple[str, int, str]], by: User | None) -> list[StockMovement]:
    """Record many deliveries at once, `(sku, quantity, reason)` each, or none of them.

    A SKU missing from the catalogue refuses the batch, naming its row as `receipts.<index>.sku`.
    The stock rows are locked in one query (in item order, as everywhere) and written in one, the
    ledger lines in one more: a constant number of queries, whatever the number of receipts. A SKU
    may come twice (two deliveries): each is its own ledger line.
    """
    items = Item.objects.in_bulk({sku for sku, _, _ in receipts}, field_name="sku")
    checks = FieldChecks()
    for index, (sku, quantity, _) in enumerate(receipts):
        if sku not in items:
            checks.errors.append(
                Invalid(f"Unknown SKU: {sku}.", code="unknown_sku", field=f"receipts.{index}.sku")
            )
        if quantity < 1:
            checks.errors.append(
                Invalid("A receipt brings at least one unit.", field=f"receipts.{index}.quantity")
            )
    checks.raise_errors()
    item_ids = [item.pk for item in items.values()]
    stocks = lock_stocks(item_ids)
    missing = [item for item in items.values() if item.pk not in stocks]
    if missing:  # items created outside the services (e.g. a data migration)
        Stock.objects.bulk_create([Stock(item=item) for item in missing], ignore_conflicts=True)
        stocks = lock_stocks(item_ids)
    now = timezone.now()
    movements = []
    for sku, quantity, reason in receipts:
        stock = stocks[items[sku].pk]
        stock.on_hand += quantity
        stock.updated_at = now  # `auto_now` is not applied by bulk_update
        movements.append(
            StockMovement(
                item=stock.item,
                kind=MovementKind.RECEIPT,
                quantity=quantity,
                on_hand_delta=quantity,
                allocated_delta=0,
                reason=reason,
                by=by,
                at=now,
            )
        )
    Stock.objects.bulk_update(list(stocks.values()), ["on_hand", "updated_at"])
    return StockMovement.objects.bulk_create(movements)
