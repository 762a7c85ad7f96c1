"""What each Shopify order webhook does, by topic (SPEC §6, §15).

- `orders/paid`, and `orders/create` when its `financial_status` says paid: the order, recorded
  through the one path (`record_order`) as `<endpoint slug>:<Shopify order id>`; amounts from the
  order's current totals in the shop's currency; the code from `discount_codes[].code`; the landing
  token from the `ref` query parameter of `landing_site`, or else the note attribute `ref`.
- `orders/cancelled`: the order, if recorded, is cancelled (it earns nothing from now on).
- `refunds/create`: the money its successful `refund` transactions gave back, recorded once per
  refund id. A refund of an order not recorded yet fails, so Shopify retries it later.

Shopify's `current_subtotal_price` is after discounts: Soirée's subtotal (before discounts) is it
plus `current_total_discounts`, so the commissionable amount (subtotal − discount) is what the
buyer paid for the goods. With `taxes_included` the tax is taken out (`commissionable_amount_of`).
"""

from typing import Any
from urllib.parse import parse_qs, urlsplit

from orders.ingestion.refunds import record_shop_refund
from orders.ingestion.rules import LineData, OrderData, RefundData
from orders.ingestion.services import cancel_order, record_order
from orders.models import Order, OrderSource, OrderStatus, ShopEndpoint, ShopEventStatus
from orders.shops.deliveries import TopicHandler
from orders.shops.money import UnreadablePayload, datetime_of, decimal_of

PAID_STATUSES = frozenset({"paid", "partially_refunded", "refunded"})


class OrderNotRecordedYet(Exception):
    """A refund came before its order: the delivery fails and Shopify delivers it again later."""


def external_id_of(endpoint: ShopEndpoint, shop_id: Any) -> str:
    return f"{endpoint.slug}:{shop_id}"


def landing_token_of(order: dict[str, Any]) -> str:
    landing_site = str(order.get("landing_site") or "")
    token = (parse_qs(urlsplit(landing_site).query).get("ref") or [""])[0]
    if not token:
        for attribute in order.get("note_attributes") or []:
            if isinstance(attribute, dict) and attribute.get("name") == "ref":
                token = str(attribute.get("value") or "")
                break
    return token.strip()[:64]


def _code_of(order: dict[str, Any]) -> str:
    for discount in order.get("discount_codes") or []:
        if isinstance(discount, dict) and discount.get("code"):
            return str(discount["code"])[:64]
    return ""


def _shop_money(money_set: Any) -> Any:
    return ((money_set or {}).get("shop_money") or {}).get("amount")


def _lines(order: dict[str, Any]) -> tuple[LineData, ...]:
    lines = []
    for item in order.get("line_items") or []:
        quantity = int(item.get("current_quantity", item.get("quantity")) or 0)
        if quantity < 1:
            continue  # removed by an order edit
        sku = item.get("sku") or item.get("variant_id") or item.get("product_id") or item.get("title") or ""
        lines.append(
            LineData(
                sku=str(sku)[:64], quantity=quantity, unit_price=decimal_of(item.get("price"), name="price")
            )
        )
    return tuple(lines)


def _current(order: dict[str, Any], name: str) -> Any:
    """The order's `current_<name>` (after edits and refunds), or its original `<name>`."""
    value = order.get(f"current_{name}")
    return value if value is not None else order.get(name)


def order_data_from_shopify(*, endpoint: ShopEndpoint, order: dict[str, Any]) -> OrderData:
    if not order.get("id"):
        raise UnreadablePayload("The order has no id.")
    discount = decimal_of(_current(order, "total_discounts"), name="current_total_discounts")
    customer = order.get("customer") or {}
    return OrderData(
        external_id=external_id_of(endpoint, order["id"]),
        placed_at=datetime_of(order.get("processed_at") or order.get("created_at"), name="processed_at"),
        customer_email=str(order.get("email") or order.get("contact_email") or customer.get("email") or ""),
        currency=str(order.get("currency") or "").upper(),
        subtotal=decimal_of(_current(order, "subtotal_price"), name="current_subtotal_price") + discount,
        discount=discount,
        shipping=decimal_of(
            _shop_money(order.get("total_shipping_price_set")), name="total_shipping_price_set"
        ),
        tax=decimal_of(_current(order, "total_tax"), name="current_total_tax"),
        total=decimal_of(_current(order, "total_price"), name="current_total_price"),
        code=_code_of(order),
        landing_token=landing_token_of(order),
        lines=_lines(order),
    )


def on_order_paid(endpoint: ShopEndpoint, order: dict[str, Any]) -> str:
    """`orders/paid`, and `orders/create` once paid (an unpaid order waits for its `orders/paid`)."""
    if str(order.get("financial_status") or "") not in PAID_STATUSES:
        return ShopEventStatus.IGNORED
    record_order(
        source=OrderSource.SHOPIFY,
        data=order_data_from_shopify(endpoint=endpoint, order=order),
        keep_first=True,
    )
    return ShopEventStatus.PROCESSED


def on_order_cancelled(endpoint: ShopEndpoint, order: dict[str, Any]) -> str:
    recorded = Order.objects.filter(
        source=OrderSource.SHOPIFY, external_id=external_id_of(endpoint, order.get("id"))
    ).first()
    if recorded is None or recorded.status == OrderStatus.CANCELLED:
        return ShopEventStatus.IGNORED  # never paid, or already cancelled
    reason = str(order.get("cancel_reason") or "")
    cancel_order(order=recorded, by=None, reason=f"cancelled in Shopify {reason}".strip()[:255])
    return ShopEventStatus.PROCESSED


def on_refund_created(endpoint: ShopEndpoint, refund: dict[str, Any]) -> str:
    amount = sum(
        (
            decimal_of(transaction.get("amount"), name="transactions.amount")
            for transaction in refund.get("transactions") or []
            if transaction.get("kind") == "refund" and transaction.get("status") == "success"
        ),
        start=decimal_of(0, name="amount"),
    )
    if amount <= 0:
        return ShopEventStatus.IGNORED  # a restock or a note: no money went back
    order = Order.objects.filter(
        source=OrderSource.SHOPIFY, external_id=external_id_of(endpoint, refund.get("order_id"))
    ).first()
    if order is None:
        raise OrderNotRecordedYet(f"Order {refund.get('order_id')} is not recorded yet.")
    record_shop_refund(
        order=order,
        source=OrderSource.SHOPIFY,
        data=RefundData(
            external_id=external_id_of(endpoint, refund.get("id")),
            amount=amount,
            refunded_at=datetime_of(
                refund.get("processed_at") or refund.get("created_at"), name="created_at"
            ),
            reason=str(refund.get("note") or "")[:255],
        ),
    )
    return ShopEventStatus.PROCESSED


HANDLERS: dict[str, TopicHandler] = {
    "orders/paid": on_order_paid,
    "orders/create": on_order_paid,
    "orders/cancelled": on_order_cancelled,
    "refunds/create": on_refund_created,
}
