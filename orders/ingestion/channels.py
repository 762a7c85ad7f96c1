"""One sale reported by two channels (SPEC §15): what a second arrival adds to the order, and what
it tells otherwise. Pure: nothing here reads or writes the database.

The identity: the shop's order id within the shop's channels (the import API and CSV files share
it), and the payment reference across Stripe and a shop (a Checkout Session's PaymentIntent is the
`transaction_id` WooCommerce's Stripe gateway writes on its order). The first arrival is the order;
a later one is kept beside it (`OrderArrival`) and

- enriches: it fills what the order lacks (the code, the landing token, the e-mail, Stripe's
  promotion code id, the lines of the basket), never overwriting what is there;
- never duplicates: no second order, so no second attribution and no second reward;
- shows its disagreements: a currency, total, commissionable amount, e-mail, code or landing token
  that differs from the order's is a conflict, kept as both values and flagged on the order for
  marketing, and the order's figures stay those it already earned on.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from backend.email_address import normalise_email
from orders.currencies import amount_exponent
from orders.ingestion.rules import LineData, OrderData, commissionable_amount_of
from orders.models import Order


@dataclass
class Merge:
    """What a second arrival does to the order: the fields it fills and the conflicts it shows."""

    filled: dict[str, Any] = field(default_factory=dict)
    lines: tuple[LineData, ...] = ()
    conflicts: list[dict[str, str]] = field(default_factory=list)


def merge_arrival(*, order: Order, data: OrderData, order_has_lines: bool) -> Merge:
    merge = Merge()
    received_commissionable = commissionable_amount_of(
        subtotal=data.subtotal, discount=data.discount, shipping=data.shipping, tax=data.tax, total=data.total
    )
    compared: list[tuple[str, Any, Any]] = [
        ("currency", order.currency, data.currency.upper()),
        ("total", order.total, data.total),
        ("commissionable_amount", order.commissionable_amount, received_commissionable),
    ]
    email = normalise_email(data.customer_email) if data.customer_email else ""
    for name, kept, received in [
        ("customer_email", order.customer_email, email),
        ("code", order.code, data.code),
        ("landing_token", order.landing_token, data.landing_token),
    ]:
        if received and not kept:
            merge.filled[name] = received
        elif received:
            compared.append((name, kept, received))
    step = amount_exponent(order.currency)

    def written(value: Any) -> str:
        # amounts as the currency writes them (34.35 €, 10.125 KWD), whatever the stored precision
        return str(value.quantize(step)) if isinstance(value, Decimal) else str(value)

    for name, kept, received in compared:
        same = kept.casefold() == received.casefold() if name == "code" else kept == received
        if not same:
            merge.conflicts.append({"field": name, "kept": written(kept), "received": written(received)})
    if data.promotion_code_id and not order.promotion_code_id:
        merge.filled["promotion_code_id"] = data.promotion_code_id
        if not order.code and not data.code:
            merge.filled["promotion_code_problem"] = data.promotion_code_problem
    if "code" in merge.filled and order.promotion_code_problem:
        merge.filled["promotion_code_problem"] = ""  # the text Stripe could not tell is now known
    if data.lines and not order_has_lines:
        merge.lines = data.lines
    return merge
