"""Stripe webhooks: verify the signature, store each event once, dispatch by type (SPEC §6).

`POST /webhooks/stripe/`:
- the `Stripe-Signature` header is checked by the `stripe` library against STRIPE_WEBHOOK_SECRET,
  with a 300 s tolerance both ways (the library only refuses old timestamps; we refuse future ones
  too); any bad case answers 400 and writes nothing;
- the event is stored once by its id (unique constraint); a repeated delivery answers 200 and
  changes nothing; an event whose processing failed is processed again when Stripe retries;
- a processing failure is recorded on the event and answered 500, so Stripe retries.

The promotion code of a Checkout Session becomes the order's code: its `code` text when the
payload carries the promotion code object, otherwise its id (`promo_...`) as Stripe sent it.
"""

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import stripe
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from backend.errors import error_body
from orders.currencies import decimal_from_stripe_amount
from orders.ingestion.services import LineData, OrderData, record_order, record_stripe_refund
from orders.models import OrderSource, RefundStatus, StripeEvent, StripeEventStatus
from orders.signals import stripe_account_updated

logger = logging.getLogger(__name__)

SIGNATURE_TOLERANCE_SECONDS = 300

Handler = Callable[[dict[str, Any]], str]


class WebhookRejected(Exception):
    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def stripe_client() -> stripe.StripeClient:
    """The one configured client (STRIPE_API_BASE points it at a local fake in tests)."""
    options: dict[str, Any] = {}
    if settings.STRIPE_API_BASE:
        options["base_addresses"] = {"api": settings.STRIPE_API_BASE}
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, **options)


def _signature_timestamp(header: str) -> int | None:
    for item in header.split(","):
        key, _, value = item.partition("=")
        if key.strip() == "t":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def verify_event(*, payload: bytes, signature: str | None, secret: str) -> dict[str, Any]:
    """The verified event as a plain dict, or WebhookRejected."""
    try:
        event = stripe.Webhook.construct_event(
            payload, signature, secret, tolerance=SIGNATURE_TOLERANCE_SECONDS
        )
    except stripe.SignatureVerificationError as error:
        raise WebhookRejected(str(error.user_message or error), "bad_signature") from None
    except (ValueError, UnicodeDecodeError, AttributeError, TypeError):
        raise WebhookRejected("The body is not a Stripe event.", "bad_payload") from None
    timestamp = _signature_timestamp(signature or "")
    if timestamp is None or timestamp > time.time() + SIGNATURE_TOLERANCE_SECONDS:
        raise WebhookRejected("The signature timestamp is in the future.", "bad_signature")
    data = event.to_dict()
    if not isinstance(data.get("id"), str) or not isinstance(data.get("type"), str):
        raise WebhookRejected("The event has no id or type.", "bad_payload")
    if not isinstance((data.get("data") or {}).get("object"), dict):
        raise WebhookRejected("The event has no data object.", "bad_payload")
    return data


def _from_timestamp(value: Any) -> datetime:
    return datetime.fromtimestamp(int(value), tz=UTC) if value else timezone.now()


def _id_of(value: Any) -> str:
    """Stripe fields are an id or, when expanded, the object: the id either way."""
    if isinstance(value, dict):
        return str(value.get("id") or "")
    return str(value or "")


def _promotion_code(session: dict[str, Any]) -> str:
    candidates = [d.get("promotion_code") for d in session.get("discounts") or [] if isinstance(d, dict)]
    breakdown = ((session.get("total_details") or {}).get("breakdown") or {}).get("discounts") or []
    candidates += [(item.get("discount") or {}).get("promotion_code") for item in breakdown]
    for promotion_code in candidates:
        if isinstance(promotion_code, dict) and promotion_code.get("code"):
            return str(promotion_code["code"])[:64]
    for promotion_code in candidates:
        if promotion_code:
            return _id_of(promotion_code)[:64]
    return ""


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
    return OrderData(
        external_id=session["id"],
        placed_at=_from_timestamp(session.get("created")),
        customer_email=str(customer.get("email") or session.get("customer_email") or ""),
        currency=currency,
        subtotal=money(session.get("amount_subtotal")),
        discount=money(totals.get("amount_discount")),
        shipping=money(totals.get("amount_shipping")),
        tax=money(totals.get("amount_tax")),
        total=money(session.get("amount_total")),
        code=_promotion_code(session),
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
    if session.get("payment_status") not in ("paid", "no_payment_required"):
        return StripeEventStatus.IGNORED  # an async payment still pending: its success event follows
    data = order_data_from_session(session)
    order, created = record_order(source=OrderSource.STRIPE, data=data, keep_first=True)
    if created and not data.lines and settings.STRIPE_SECRET_KEY:
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
        refunded_at=_from_timestamp(refund.get("created")),
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
        if not settings.STRIPE_SECRET_KEY:
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
    "charge.refund.updated": on_refund,
    "account.updated": on_account_updated,
}


def process_event(*, event: dict[str, Any]) -> tuple[StripeEvent, bool]:
    """Store the event once and apply it; returns (stored event, was this a repeated delivery).

    The event row is locked while it is processed, so concurrent deliveries of one event wait and
    then find it done. A failure rolls back the handler's writes but keeps the event, marked failed.
    """
    handler = HANDLERS.get(event["type"])
    with transaction.atomic():
        # Insert-or-nothing on the unique id, then lock the row: a concurrent delivery of the same
        # event waits here until the first one has committed, then finds it done.
        StripeEvent.objects.bulk_create(
            [
                StripeEvent(
                    event_id=event["id"],
                    type=event["type"],
                    livemode=bool(event.get("livemode")),
                    stripe_created_at=_from_timestamp(event.get("created")),
                    payload=event,
                    status=StripeEventStatus.FAILED,
                    attempts=0,
                )
            ],
            ignore_conflicts=True,
        )
        stored = StripeEvent.objects.select_for_update().get(event_id=event["id"])
        if stored.status in (StripeEventStatus.PROCESSED, StripeEventStatus.IGNORED):
            return stored, True
        stored.attempts += 1
        try:
            with transaction.atomic():
                outcome = handler(event["data"]["object"]) if handler else StripeEventStatus.IGNORED
        except Exception as error:
            logger.exception("stripe event processing failed", extra={"event_id": event["id"]})
            stored.status = StripeEventStatus.FAILED
            stored.error = f"{type(error).__name__}: {error}"[:2000]
        else:
            stored.status = outcome
            stored.error = ""
            stored.processed_at = timezone.now()
        stored.save(update_fields=["status", "error", "attempts", "processed_at"])
    return stored, False


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> JsonResponse:
    try:
        event = verify_event(
            payload=request.body,
            signature=request.headers.get("Stripe-Signature"),
            secret=settings.STRIPE_WEBHOOK_SECRET,
        )
    except WebhookRejected as rejected:
        logger.warning("stripe webhook rejected", extra={"code": rejected.code})
        return JsonResponse(error_body(rejected.code, rejected.message, status_code=400), status=400)
    stored, repeated = process_event(event=event)
    if stored.status == StripeEventStatus.FAILED:
        return JsonResponse(
            error_body(
                "processing_failed", "The event could not be processed; retry later.", status_code=500
            ),
            status=500,
        )
    return JsonResponse({"received": True, "status": stored.status, "duplicate": repeated})
