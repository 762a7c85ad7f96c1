"""What an order or a refund must be before anything is written (SPEC §6), and how to tell two
descriptions of one order apart (its fingerprint). Pure: nothing here reads or writes the database.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from backend.email_address import normalise_email
from backend.errors import Invalid
from orders.currencies import DECIMAL_STEPS, STORABLE_DECIMALS, amount_exponent, currency_decimals
from orders.models import Order

# Clocks of the shop and of Soirée may differ a little; more than this ahead is "in the future".
CLOCK_SKEW = timedelta(minutes=2)
ZERO = Decimal("0")


@dataclass(frozen=True)
class LineData:
    sku: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class OrderData:
    """An order as a source describes it, already parsed (types) but not yet checked (rules)."""

    external_id: str
    placed_at: datetime
    customer_email: str
    currency: str
    subtotal: Decimal
    total: Decimal
    discount: Decimal = ZERO
    shipping: Decimal = ZERO
    tax: Decimal = ZERO
    code: str = ""
    landing_token: str = ""
    lines: tuple[LineData, ...] = ()
    payment_reference: str = ""
    # Stripe: the promotion code's id beside its text, and why the text is missing when it is.
    promotion_code_id: str = ""
    promotion_code_problem: str = ""


@dataclass(frozen=True)
class RefundData:
    external_id: str
    amount: Decimal
    refunded_at: datetime
    reason: str = ""


def commissionable_amount_of(
    *, subtotal: Decimal, discount: Decimal, shipping: Decimal, tax: Decimal, total: Decimal
) -> Decimal:
    """subtotal − discount: what rewards are computed on; tax and shipping never count.

    When the figures show tax included in the subtotal (subtotal − discount + shipping = total, as
    Stripe reports tax-inclusive prices), the tax is taken out too. Never below zero.
    """
    amount = subtotal - discount
    if tax and subtotal - discount + shipping + tax != total and amount + shipping == total:
        amount -= tax
    return max(amount, ZERO)


def _decimals_of(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _more_decimals_than(value: Decimal, decimals: int) -> bool:
    """`_decimals_of(value) > decimals`, in a third of its time for the usual amount: one that its
    rounding to `decimals` leaves equal has no more (an amount written "1.500" has one decimal)."""
    try:
        if value.quantize(DECIMAL_STEPS[decimals]) == value:
            return False
    except (ArithmeticError, KeyError):  # too many digits to round, or an unusual count
        pass
    return _decimals_of(value) > decimals


def order_rule_problems(
    data: OrderData, *, now: datetime | None = None, not_before: datetime | None = None
) -> dict[str, list[tuple[str, str]]]:
    """Every broken §6 rule of an order, by field: `{field: [(message, code), ...]}` (empty when valid).

    `not_before` is the start of the first campaign's year: an order placed earlier is a wrong date
    (an epoch, a two-digit year), since no campaign could be credited with it."""
    problems: dict[str, list[tuple[str, str]]] = {}

    def add(name: str, message: str, code: str) -> None:
        problems.setdefault(name, []).append((message, code))

    decimals = currency_decimals(data.currency)
    if decimals is None:
        add("currency", f"'{data.currency}' is not an ISO 4217 currency code.", "unknown_currency")
    elif decimals > STORABLE_DECIMALS:
        add(
            "currency",
            f"{data.currency} amounts have {decimals} decimals; Soirée stores {STORABLE_DECIMALS}.",
            "unsupported_currency",
        )
    amounts = {
        "subtotal": data.subtotal,
        "discount": data.discount,
        "shipping": data.shipping,
        "tax": data.tax,
        "total": data.total,
    }
    for name, value in amounts.items():
        if value < 0:
            add(name, "Must be zero or more.", "negative_amount")
        elif decimals is not None and decimals <= STORABLE_DECIMALS and _more_decimals_than(value, decimals):
            add(name, f"{data.currency} amounts have at most {decimals} decimals.", "too_many_decimals")
    for index, line in enumerate(data.lines):
        if line.unit_price < 0:
            add(f"lines.{index}.unit_price", "Must be zero or more.", "negative_amount")
        elif decimals is not None and _more_decimals_than(line.unit_price, decimals):
            add(
                f"lines.{index}.unit_price",
                f"{data.currency} amounts have at most {decimals} decimals.",
                "too_many_decimals",
            )
    if not problems.keys() & amounts.keys():
        expected = data.subtotal - data.discount + data.shipping + data.tax
        if expected != data.total:
            step = amount_exponent(data.currency) if decimals is not None else Decimal("0.01")
            add(
                "total",
                f"subtotal − discount + shipping + tax = {expected.quantize(step)}, "
                f"not {data.total.quantize(step)}.",
                "total_mismatch",
            )
    now = now or timezone.now()
    if data.placed_at > now + CLOCK_SKEW:
        add("placed_at", "Cannot be in the future.", "in_future")
    elif not_before is not None and data.placed_at < not_before:
        add(
            "placed_at",
            f"Cannot be before {not_before.year}, the year of the first campaign: check the date.",
            "before_campaign_year",
        )
    return problems


def refund_rule_problems(
    *, order: Order, data: RefundData, already_refunded: Decimal, now: datetime | None = None
) -> dict[str, list[tuple[str, str]]]:
    problems: dict[str, list[tuple[str, str]]] = {}
    decimals = currency_decimals(order.currency) or 0
    if data.amount < 0:
        problems["amount"] = [("Must be zero or more.", "negative_amount")]
    elif _more_decimals_than(data.amount, decimals):
        problems["amount"] = [
            (f"{order.currency} amounts have at most {decimals} decimals.", "too_many_decimals")
        ]
    elif already_refunded + data.amount > order.total:
        left = (order.total - already_refunded).quantize(amount_exponent(order.currency))
        problems["amount"] = [
            (
                f"Refunds would exceed what was paid: {left} {order.currency} left to refund.",
                "refund_exceeds_paid",
            )
        ]
    now = now or timezone.now()
    if data.refunded_at > now + CLOCK_SKEW:
        problems["refunded_at"] = [("Cannot be in the future.", "in_future")]
    elif data.refunded_at < order.placed_at:
        problems["refunded_at"] = [("Cannot be before the order was placed.", "before_order")]
    return problems


def raise_first_problem(problems: dict[str, list[tuple[str, str]]]) -> None:
    if problems:
        name, [(message, code), *_] = next(iter(problems.items()))
        raise Invalid(message, code=code, field=name)


def _fingerprint(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def order_fingerprint(data: OrderData) -> str:
    """The same order described twice gives the same fingerprint, whatever the number formatting."""
    step = amount_exponent(data.currency)
    money = lambda value: str(value.quantize(step))  # noqa: E731
    return _fingerprint(
        {
            "external_id": data.external_id,
            "placed_at": data.placed_at.astimezone(UTC).isoformat(),
            "customer_email": normalise_email(data.customer_email),
            "currency": data.currency.upper(),
            "amounts": [
                money(v) for v in (data.subtotal, data.discount, data.shipping, data.tax, data.total)
            ],
            "code": data.code,
            "landing_token": data.landing_token,
            "lines": [[line.sku, line.quantity, money(line.unit_price)] for line in data.lines],
            "payment_reference": data.payment_reference,
        }
    )


def refund_fingerprint(*, order_reference: str, data: RefundData, currency: str) -> str:
    return _fingerprint(
        {
            "order": order_reference,
            "amount": str(data.amount.quantize(amount_exponent(currency))),
            "refunded_at": data.refunded_at.astimezone(UTC).isoformat(),
            "reason": data.reason,
        }
    )
