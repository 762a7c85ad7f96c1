"""Stripe event payloads shaped as Stripe's API reference documents them, and signing with the
library's own helper."""

import json
import time
from typing import Any

import stripe

WEBHOOK_SECRET = "whsec_test_5f1c3bd0a8e94d6f9c2b7a1e4d3c2b1a"
NOW = int(time.time())


def checkout_session(
    *,
    session_id: str = "cs_test_a1B2c3D4e5F6g7H8i9J0",
    payment_intent: str = "pi_3QdXyZ2eZvKYlo2C1aBcDeFg",
    payment_status: str = "paid",
    email: str = "Camille.Bernard@Example.com",
    promotion_code: Any = "promo_1QdXyZ2eZvKYlo2CkLmNoPq",
    ref: str | None = "k8Jd93hFq2LmZx0p",
    amount_subtotal: int = 12000,
    amount_discount: int = 2400,
    amount_shipping: int = 500,
    amount_tax: int = 1700,
    currency: str = "eur",
    created: int = NOW - 120,
) -> dict[str, Any]:
    return {
        "id": session_id,
        "object": "checkout.session",
        "after_expiration": None,
        "allow_promotion_codes": True,
        "amount_subtotal": amount_subtotal,
        "amount_total": amount_subtotal - amount_discount + amount_shipping + amount_tax,
        "automatic_tax": {"enabled": False, "liability": None, "status": None},
        "billing_address_collection": None,
        "cancel_url": "https://shop.example.com/cart",
        "client_reference_id": None,
        "consent": None,
        "created": created,
        "currency": currency,
        "customer": None,
        "customer_creation": "if_required",
        "customer_details": {
            "address": {
                "city": "Lyon",
                "country": "FR",
                "line1": "12 rue Mercière",
                "line2": None,
                "postal_code": "69002",
                "state": None,
            },
            "email": email,
            "name": "Camille Bernard",
            "phone": None,
            "tax_exempt": "none",
            "tax_ids": [],
        },
        "customer_email": None,
        "discounts": [{"coupon": None, "promotion_code": promotion_code}] if promotion_code else [],
        "expires_at": created + 86400,
        "invoice": None,
        "livemode": False,
        "locale": "fr",
        "metadata": {"ref": ref} if ref else {},
        "mode": "payment",
        "payment_intent": payment_intent,
        "payment_link": None,
        "payment_method_types": ["card"],
        "payment_status": payment_status,
        "shipping_cost": {
            "amount_subtotal": amount_shipping,
            "amount_tax": 0,
            "amount_total": amount_shipping,
            "shipping_rate": "shr_1QdXyZ2eZvKYlo2CaBc",
        },
        "status": "complete",
        "submit_type": "pay",
        "success_url": "https://shop.example.com/thanks",
        "total_details": {
            "amount_discount": amount_discount,
            "amount_shipping": amount_shipping,
            "amount_tax": amount_tax,
        },
        "ui_mode": "hosted",
        "url": None,
    }


def refund_object(
    *,
    refund_id: str = "re_3QdXyZ2eZvKYlo2C0rEf1111",
    amount: int = 3000,
    status: str = "succeeded",
    payment_intent: str = "pi_3QdXyZ2eZvKYlo2C1aBcDeFg",
    charge: str = "ch_3QdXyZ2eZvKYlo2C0cHaRgE1",
    currency: str = "eur",
    created: int = NOW - 60,
) -> dict[str, Any]:
    return {
        "id": refund_id,
        "object": "refund",
        "amount": amount,
        "balance_transaction": "txn_3QdXyZ2eZvKYlo2C0bAl",
        "charge": charge,
        "created": created,
        "currency": currency,
        "destination_details": {"card": {"reference_status": "pending", "type": "refund"}, "type": "card"},
        "metadata": {},
        "payment_intent": payment_intent,
        "reason": "requested_by_customer",
        "receipt_number": None,
        "source_transfer_reversal": None,
        "status": status,
        "transfer_reversal": None,
    }


def charge_object(
    *,
    refunds: list[dict[str, Any]] | None,
    amount: int = 11800,
    payment_intent: str = "pi_3QdXyZ2eZvKYlo2C1aBcDeFg",
    charge_id: str = "ch_3QdXyZ2eZvKYlo2C0cHaRgE1",
) -> dict[str, Any]:
    refunded = sum(r["amount"] for r in refunds or [] if r["status"] in ("succeeded", "pending"))
    charge: dict[str, Any] = {
        "id": charge_id,
        "object": "charge",
        "amount": amount,
        "amount_captured": amount,
        "amount_refunded": refunded,
        "balance_transaction": "txn_3QdXyZ2eZvKYlo2C0chg",
        "captured": True,
        "created": NOW - 110,
        "currency": "eur",
        "livemode": False,
        "metadata": {},
        "paid": True,
        "payment_intent": payment_intent,
        "refunded": refunded >= amount,
        "status": "succeeded",
    }
    if refunds is not None:
        charge["refunds"] = {
            "object": "list",
            "data": refunds,
            "has_more": False,
            "total_count": len(refunds),
            "url": f"/v1/charges/{charge_id}/refunds",
        }
    return charge


_counter = iter(range(10**9))


def event(event_type: str, obj: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    return {
        "id": event_id or f"evt_1QdXyZ2eZvKYlo2C{next(_counter):08d}",
        "object": "event",
        "api_version": "2024-06-20",
        "created": NOW - 30,
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }


def sign(body: str, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header, computed by the stripe library itself."""
    return stripe.WebhookSignature.generate_signature_header(
        body, secret, timestamp=int(time.time()) if timestamp is None else timestamp
    )


def post_event(client: Any, payload: dict[str, Any], **sign_options: Any) -> Any:
    body = json.dumps(payload)
    return client.post(
        "/webhooks/stripe/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(body, **sign_options),
    )
