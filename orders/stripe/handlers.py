"""What each Stripe event does, by type: the `{event_type: handler}` table and its handlers (SPEC §6).

A handler receives the event's data object and answers the event's outcome (processed or ignored).
The promotion code of a Checkout Session is an id (`promo_...`): the order keeps it and its `code`
text, from the payload when it carries the promotion code object, otherwise read from Stripe
(`orders.stripe.promotion_codes`).
Events of connected accounts come signed with the Connect endpoint's secret and have their own
table (`CONNECT_HANDLERS`): only `account.updated` acts there.
"""

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from backend.stripe_client import stripe_client, stripe_configured
from orders.currencies import decimal_from_stripe_amount
from orders.ingestion.refunds import record_stripe_dispute, record_stripe_refund
from orders.ingestion.rules import LineData, OrderData
from orders.ingestion.services import record_order
from orders.models import OrderSource, RefundStatus, StripeEventStatus
from orders.signals import stripe_account_updated
from orders.stripe.promotion_codes import read_promotion_code

logger = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], str]


def from_timestamp(value: Any) -> datetime:
    """Stripe's Unix seconds as an aware UTC datetime; now when Stripe sent none."""
    return datetime.fromtimestamp(int(value), tz=UTC) if value else timezone.now()


def _id_of(value: Any) -> str:
    """Stripe fields are an id or, when expanded, the object: the id either way."""
    if isinstance(value, dict):
        return str(value.get("id") or "")
    return str(value or "")


def _promotion_code(session: dict[str, Any]) -> tuple[str, str]:
    """(code text, promotion code id) of the session's first promotion code; either may be empty."""
    candidates = [d.get("promotion_code") for d in session.get("discounts") or [] if isinstance(d, dict)]
    breakdown = ((session.get("total_details") or {}).get("breakdown") or {}).get("discounts") or []
    candidates += [(item.get("discount") or {}).get("promotion_code") for item in breakdown]
    for promotion_code in candidates:
        if isinstance(promotion_code, dict) and promotion_code.get("code"):
            return str(promotion_code["code"])[:64], _id_of(promotion_code)[:64]
    for promotion_code in candidates:
        if promotion_code:
            return "", _id_of(promotion_code)[:64]
    return "", ""


def _lines(session: dict[str, Any], currency: str) -> tuple[LineData, ...]:
    """Lines when the payload carries them (expanded `line_items`); Stripe does not by default."""
    lines = []
    for item in (session.get("line_items") or {}).get("data") or []:
        price = item.get("price") or {}
        product = price.get("product")
        sku = (
            price.get("lookup_key")
            or (product.get("metadata", {}).get("sku") if isinstance(product, dict) else None)
            or _id_of(product)
            or item.get("description")
            or ""
        )
        quantity = int(item.get("quantity") or 1)
        unit_amount = price.get("unit_amount")
        if unit_amount is None:
            unit_amount = int(item.get("amount_subtotal") or 0) // quantity
        lines.append(
            LineData(
                sku=str(sku)[:64],
                quantity=quantity,
                unit_price=decimal_from_stripe_amount(unit_amount, currency),
            )
        )
    return tuple(lines)


def order_data_from_session(session: dict[str, Any]) -> OrderData:
    currency = str(session.get("currency") or "").upper()
    totals = session.get("total_details") or {}

    def money(value: Any) -> Any:
        return decimal_from_stripe_amount(int(value or 0), currency)

    customer = session.get("customer_details") or {}
    code, promotion_code_id = _promotion_code(session)
    problem = ""
    if promotion_code_id and not code:
        code, problem = read_promotion_code(promotion_code_id=promotion_code_id)
    return OrderData(
        external_id=session["id"],
        placed_at=from_timestamp(session.get("created")),
        customer_email=str(customer.get("email") or session.get("customer_email") or ""),
        currency=currency,
        subtotal=money(session.get("amount_subtotal")),
        discount=money(totals.get("amount_discount")),
        shipping=money(totals.get("amount_shipping")),
        tax=money(totals.get("amount_tax")),
        total=money(session.get("amount_total")),
        code=code,
        promotion_code_id=promotion_code_id,
        promotion_code_problem=problem,
        landing_token=str((session.get("metadata") or {}).get("ref") or "")[:64],
        lines=_lines(session, currency),
        payment_reference=_id_of(session.get("payment_intent")),
    )


def fetch_session_lines(*, session_id: str, currency: str) -> tuple[LineData, ...]:
    """The Checkout Session's line items, read from Stripe (webhooks do not carry them)."""
    listed = stripe_client().v1.checkout.sessions.line_items.list(session_id, params={"limit": 100})
    return _lines({"line_items": {"data": [item.to_dict() for item in listed.auto_paging_iter()]}}, currency)


def on_checkout_session_paid(session: dict[str, Any]) -> str:
    """`checkout.session.completed` (only when paid) and `checkout.session.async_payment_succeeded`.

    Lines are not in the event: when a Stripe key is configured they are fetched after commit, in
    the background, so that the webhook stays fast.
    """
    if session.get("payment_status") != "paid":
        # `unpaid`: an async payment still pending, its success event follows;
        # `no_payment_required`: nothing was paid (a 100 % discount, a free trial), so no sale.
        return StripeEventStatus.IGNORED
    data = order_data_from_session(session)
    order, created = record_order(source=OrderSource.STRIPE, data=data, keep_first=True)
    if created and not data.lines and stripe_configured():
        from orders.tasks import fetch_stripe_order_lines

        transaction.on_commit(lambda: fetch_stripe_order_lines.enqueue(order_id=order.pk))
    return StripeEventStatus.PROCESSED


_REFUND_STATUSES = {
    "pending": RefundStatus.PENDING,
    "requires_action": RefundStatus.PENDING,
    "succeeded": RefundStatus.SUCCEEDED,
    "failed": RefundStatus.FAILED,
    "canceled": RefundStatus.CANCELED,
}


def _record_refund_object(refund: dict[str, Any], *, fallback_reference: str = "") -> None:
    reference = _id_of(refund.get("payment_intent")) or fallback_reference or _id_of(refund.get("charge"))
    currency = str(refund.get("currency") or "").upper()
    record_stripe_refund(
        external_id=refund["id"],
        payment_reference=reference,
        amount=decimal_from_stripe_amount(int(refund.get("amount") or 0), currency),
        currency=currency,
        status=_REFUND_STATUSES.get(str(refund.get("status")), RefundStatus.PENDING),
        refunded_at=from_timestamp(refund.get("created")),
        reason=str(refund.get("reason") or ""),
    )


def on_refund(refund: dict[str, Any]) -> str:
    """`refund.created`, `refund.updated`, `charge.refund.updated`: one refund object."""
    _record_refund_object(refund)
    return StripeEventStatus.PROCESSED


def on_charge_refunded(charge: dict[str, Any]) -> str:
    """`charge.refunded`: the charge lists its refunds on older API versions; otherwise ask Stripe."""
    reference = _id_of(charge.get("payment_intent")) or _id_of(charge.get("id"))
    refunds = (charge.get("refunds") or {}).get("data")
    if refunds is None:
        if not stripe_configured():
            logger.warning(
                "charge.refunded without its refunds and no STRIPE_SECRET_KEY to list them; "
                "relying on refund.* events",
                extra={"charge": charge.get("id")},
            )
            return StripeEventStatus.IGNORED
        listed = stripe_client().v1.refunds.list(params={"charge": charge["id"], "limit": 100})
        refunds = [refund.to_dict() for refund in listed.auto_paging_iter()]
    for refund in refunds:
        _record_refund_object(refund, fallback_reference=reference)
    return StripeEventStatus.PROCESSED


def on_dispute(dispute: dict[str, Any]) -> str:
    """`charge.dispute.*`: one dispute object, in whatever order its events arrive."""
    currency = str(dispute.get("currency") or "").upper()
    record_stripe_dispute(
        external_id=dispute["id"],
        payment_reference=_id_of(dispute.get("payment_intent")) or _id_of(dispute.get("charge")),
        amount=decimal_from_stripe_amount(int(dispute.get("amount") or 0), currency),
        currency=currency,
        status=str(dispute.get("status") or "needs_response"),
        disputed_at=from_timestamp(dispute.get("created")),
        reason=str(dispute.get("reason") or ""),
    )
    return StripeEventStatus.PROCESSED


def on_account_updated(account: dict[str, Any]) -> str:
    """`account.updated`: a connected (Express) account changed; announced, never interpreted here."""
    stripe_account_updated.send(sender=None, account=account)
    return StripeEventStatus.PROCESSED


HANDLERS: dict[str, Handler] = {
    "checkout.session.completed": on_checkout_session_paid,
    "checkout.session.async_payment_succeeded": on_checkout_session_paid,
    "charge.refunded": on_charge_refunded,
    "refund.created": on_refund,
    "refund.updated": on_refund,
    "refund.failed": on_refund,
    "charge.refund.updated": on_refund,
    "charge.dispute.created": on_dispute,
    "charge.dispute.updated": on_dispute,
    "charge.dispute.closed": on_dispute,
    "charge.dispute.funds_withdrawn": on_dispute,
    "charge.dispute.funds_reinstated": on_dispute,
}

# Signed with STRIPE_CONNECT_WEBHOOK_SECRET: events of the connected (Express) accounts.
CONNECT_HANDLERS: dict[str, Handler] = {
    "account.updated": on_account_updated,
}
