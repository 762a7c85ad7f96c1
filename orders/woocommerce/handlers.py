"""What each WooCommerce order webhook does, by topic (SPEC §6, §15).

`order.created` and `order.updated` carry the whole order (REST API v3 shape); its status decides:
- `processing`, `completed`, `refunded`: the order is paid; it is recorded through the one path
  (`record_order`) as `<endpoint slug>:<WooCommerce order id>`, then each refund of its `refunds`
  array (id, reason, total as a negative string) is recorded once per refund id;
- `cancelled`: the order, if recorded, is cancelled;
- anything else (`pending`, `on-hold`, `failed`, drafts): not paid yet, acknowledged and ignored.

Amounts: subtotal = the line items' `subtotal` (before coupons), discount = `discount_total`,
shipping = `shipping_total`, tax = `total_tax`, total = `total`; the code from `coupon_lines[].code`;
the landing token from the order's `meta_data` entry `ref`. WooCommerce does not date a refund in
the order: it takes the order's `date_modified_gmt` when first seen.
The payment reference is the order's `transaction_id` (the Stripe gateway writes the Stripe payment's
id there): the same sale also reported by Stripe is one order (`orders.ingestion.channels`).
"""

from decimal import Decimal
from typing import Any

from backend.errors import Conflict
from orders.currencies import currency_decimals
from orders.ingestion.refunds import record_shop_refund
from orders.ingestion.rules import LineData, OrderData, RefundData
from orders.ingestion.services import cancel_order, find_order, record_order
from orders.models import Order, OrderSource, OrderStatus, ShopEndpoint, ShopEventStatus
from orders.shops.deliveries import TopicHandler
from orders.shops.money import UnreadablePayload, datetime_of, decimal_of

PAID_STATUSES = frozenset({"processing", "completed", "refunded"})


def external_id_of(endpoint: ShopEndpoint, shop_id: Any) -> str:
    return f"{endpoint.slug}:{shop_id}"


def _meta(order: dict[str, Any], key: str) -> str:
    for entry in order.get("meta_data") or []:
        if isinstance(entry, dict) and entry.get("key") == key and entry.get("value"):
            return str(entry["value"])
    return ""


def _code_of(order: dict[str, Any]) -> str:
    for coupon in order.get("coupon_lines") or []:
        if isinstance(coupon, dict) and coupon.get("code"):
            return str(coupon["code"])[:64]
    return ""


def _lines(order: dict[str, Any], currency: str) -> tuple[LineData, ...]:
    exponent = Decimal(1).scaleb(-(currency_decimals(currency) or 2))
    lines = []
    for item in order.get("line_items") or []:
        quantity = int(item.get("quantity") or 0)
        if quantity < 1:
            continue
        subtotal = decimal_of(item.get("subtotal"), name="line_items.subtotal")
        sku = item.get("sku") or item.get("variation_id") or item.get("product_id") or item.get("name") or ""
        lines.append(
            LineData(
                sku=str(sku)[:64], quantity=quantity, unit_price=(subtotal / quantity).quantize(exponent)
            )
        )
    return tuple(lines)


def order_data_from_woocommerce(*, endpoint: ShopEndpoint, order: dict[str, Any]) -> OrderData:
    if not order.get("id"):
        raise UnreadablePayload("The order has no id.")
    currency = str(order.get("currency") or "").upper()
    placed = order.get("date_created_gmt") or order.get("date_paid_gmt")
    return OrderData(
        external_id=external_id_of(endpoint, order["id"]),
        placed_at=datetime_of(placed, name="date_created_gmt", naive_is_utc=True),
        customer_email=str((order.get("billing") or {}).get("email") or ""),
        currency=currency,
        subtotal=sum(
            (
                decimal_of(item.get("subtotal"), name="line_items.subtotal")
                for item in order.get("line_items") or []
            ),
            start=Decimal("0"),
        ),
        discount=decimal_of(order.get("discount_total"), name="discount_total"),
        shipping=decimal_of(order.get("shipping_total"), name="shipping_total"),
        tax=decimal_of(order.get("total_tax"), name="total_tax"),
        total=decimal_of(order.get("total"), name="total"),
        code=_code_of(order),
        landing_token=_meta(order, "ref").strip()[:64],
        lines=_lines(order, currency),
        payment_reference=str(order.get("transaction_id") or "").strip()[:255],
    )


def _record_refunds(endpoint: ShopEndpoint, recorded: Order, order: dict[str, Any]) -> None:
    refunds = [
        refund for refund in order.get("refunds") or [] if isinstance(refund, dict) and refund.get("id")
    ]
    refunded_at = datetime_of(
        order.get("date_modified_gmt") or order.get("date_created_gmt"),
        name="date_modified_gmt",
        naive_is_utc=True,
    )
    for refund in refunds:
        external_id = external_id_of(endpoint, refund["id"])
        try:
            record_shop_refund(
                order=recorded,
                source=OrderSource.WOOCOMMERCE,
                data=RefundData(
                    external_id=external_id,
                    amount=abs(decimal_of(refund.get("total"), name="refunds.total")),
                    refunded_at=refunded_at,
                    reason=str(refund.get("reason") or refund.get("refund") or "")[:255],
                ),
            )
        except Conflict as conflict:
            if conflict.code != "refund_conflict":
                raise
            # Already recorded by an earlier delivery of the order, dated by that delivery.


def on_order(endpoint: ShopEndpoint, order: dict[str, Any]) -> str:
    """`order.created` / `order.updated`: the order's status says what happened."""
    status = str(order.get("status") or "")
    if status == "cancelled":
        recorded = find_order(
            source=OrderSource.WOOCOMMERCE, external_id=external_id_of(endpoint, order.get("id"))
        )
        if recorded is None or recorded.status == OrderStatus.CANCELLED:
            return ShopEventStatus.IGNORED
        cancel_order(order=recorded, by=None, reason="cancelled in WooCommerce")
        return ShopEventStatus.PROCESSED
    if status not in PAID_STATUSES:
        return ShopEventStatus.IGNORED
    recorded, _ = record_order(
        source=OrderSource.WOOCOMMERCE,
        data=order_data_from_woocommerce(endpoint=endpoint, order=order),
        keep_first=True,
    )
    _record_refunds(endpoint, recorded, order)
    return ShopEventStatus.PROCESSED


HANDLERS: dict[str, TopicHandler] = {
    "order.created": on_order,
    "order.updated": on_order,
}
