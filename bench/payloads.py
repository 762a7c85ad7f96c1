"""What the benchmarks send, built in one place: an import API order and a signed Stripe
`checkout.session.completed` event (its shape as tests/fixtures/stripe/ documents it).

No Django here, so that a bench driving servers of its own (bench/scale_out.py) builds the same
requests as one calling Django in its process (bench/ingest.py).
"""

import json

import stripe


def import_order(index: int, *, codes: list[str], placed_at: str, prefix: str) -> dict:
    """One order of `POST /api/v1/orders/`: two thirds carry a host's code, the others none."""
    return {
        "external_id": f"{prefix}-{index:08d}",
        "placed_at": placed_at,
        "customer_email": f"buyer{index % 5000}@example.com",
        "currency": "EUR",
        "subtotal": "120.00",
        "discount": "24.00",
        "shipping": "5.00",
        "tax": "17.00",
        "total": "118.00",
        "code": codes[index % len(codes)] if codes and index % 3 else "",
        "lines": [{"sku": "JKT-42", "quantity": 1, "unit_price": "90.00"}],
    }


def checkout_session_id(index: int, *, prefix: str) -> str:
    return f"cs_{prefix}_{index:08d}"


def checkout_completed(
    index: int, *, codes: list[str], now: int, prefix: str, secret: str
) -> tuple[str, str]:
    """The event's body and its `Stripe-Signature` header: a paid session that carries a host's code."""
    session = {
        "id": checkout_session_id(index, prefix=prefix),
        "object": "checkout.session",
        "amount_subtotal": 12000,
        "amount_total": 11800,
        "created": now - 60,
        "currency": "eur",
        "customer_details": {"email": f"buyer{index}@example.com", "name": "Camille Bernard"},
        "discounts": [{"coupon": None, "promotion_code": {"code": codes[index % len(codes)]}}]
        if codes
        else [],
        "metadata": {"ref": f"token{index:010d}"},
        "mode": "payment",
        "payment_intent": f"pi_{prefix}_{index:08d}",
        "payment_status": "paid",
        "status": "complete",
        "total_details": {"amount_discount": 2400, "amount_shipping": 500, "amount_tax": 1700},
    }
    body = json.dumps(
        {
            "id": f"evt_{prefix}_{index:08d}",
            "object": "event",
            "api_version": "2024-06-20",
            "created": now,
            "data": {"object": session},
            "livemode": False,
            "type": "checkout.session.completed",
        }
    )
    return body, stripe.WebhookSignature.generate_signature_header(body, secret)
