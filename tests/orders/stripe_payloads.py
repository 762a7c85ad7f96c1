"""Stripe event payloads built from the documented shapes in tests/fixtures/stripe/ (each file says
where its shape comes from), and signing with the library's own helper."""

import copy
import json
import time
from functools import cache
from pathlib import Path
from typing import Any

import stripe

WEBHOOK_SECRET = "whsec_test_5f1c3bd0a8e94d6f9c2b7a1e4d3c2b1a"
CONNECT_WEBHOOK_SECRET = "whsec_test_connect_9a8b7c6d5e4f3a2b1c0d9e8f"
NOW = int(time.time())
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "stripe"


@cache
def _documented(name: str) -> dict[str, Any]:
    shape = json.loads((FIXTURES / f"{name}.json").read_text())
    shape.pop("_source")
    return shape


def fixture(name: str) -> dict[str, Any]:
    """A fresh copy of the documented object `tests/fixtures/stripe/<name>.json`."""
    return copy.deepcopy(_documented(name))


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
    session = fixture("checkout_session")
    session.update(
        id=session_id,
        payment_intent=payment_intent,
        payment_status=payment_status,
        amount_subtotal=amount_subtotal,
        amount_total=amount_subtotal - amount_discount + amount_shipping + amount_tax,
        created=created,
        currency=currency,
        discounts=[{"coupon": None, "promotion_code": promotion_code}] if promotion_code else [],
        expires_at=created + 86400,
        metadata={"ref": ref} if ref else {},
        total_details={
            "amount_discount": amount_discount,
            "amount_shipping": amount_shipping,
            "amount_tax": amount_tax,
        },
    )
    session["customer_details"]["email"] = email
    session["shipping_cost"].update(amount_subtotal=amount_shipping, amount_total=amount_shipping)
    return session


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
    refund = fixture("refund")
    refund.update(
        id=refund_id,
        amount=amount,
        status=status,
        payment_intent=payment_intent,
        charge=charge,
        currency=currency,
        created=created,
    )
    if status == "failed":
        refund["failure_reason"] = "expired_or_canceled_card"
    return refund


def charge_object(
    *,
    refunds: list[dict[str, Any]] | None,
    amount: int = 11800,
    payment_intent: str = "pi_3QdXyZ2eZvKYlo2C1aBcDeFg",
    charge_id: str = "ch_3QdXyZ2eZvKYlo2C0cHaRgE1",
) -> dict[str, Any]:
    refunded = sum(r["amount"] for r in refunds or [] if r["status"] in ("succeeded", "pending"))
    charge = fixture("charge")
    charge.update(
        id=charge_id,
        amount=amount,
        amount_captured=amount,
        amount_refunded=refunded,
        created=NOW - 110,
        payment_intent=payment_intent,
        refunded=refunded >= amount,
    )
    charge.pop("refunds", None)
    if refunds is not None:
        charge["refunds"] = {
            "object": "list",
            "data": refunds,
            "has_more": False,
            "total_count": len(refunds),
            "url": f"/v1/charges/{charge_id}/refunds",
        }
    return charge


def dispute_object(
    *,
    dispute_id: str = "dp_1QdXyZ2eZvKYlo2C0dIsPuT1",
    status: str = "needs_response",
    amount: int = 11800,
    payment_intent: str = "pi_3QdXyZ2eZvKYlo2C1aBcDeFg",
    created: int = NOW - 50,
) -> dict[str, Any]:
    dispute = fixture("dispute")
    dispute.update(
        id=dispute_id, status=status, amount=amount, payment_intent=payment_intent, created=created
    )
    return dispute


def account_object(**changes: Any) -> dict[str, Any]:
    account = fixture("account")
    account.update(changes)
    return account


_counter = iter(range(10**9))


def event(
    event_type: str, obj: dict[str, Any], *, event_id: str | None = None, account: str | None = None
) -> dict[str, Any]:
    envelope = fixture("event")
    envelope.update(
        id=event_id or f"evt_1QdXyZ2eZvKYlo2C{next(_counter):08d}",
        created=NOW - 30,
        data={"object": obj},
        type=event_type,
    )
    if account is not None:
        envelope["account"] = account  # a Connect endpoint's event names its connected account
    return envelope


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
