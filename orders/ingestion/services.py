"""Recording orders and refunds, exactly once, from any source (SPEC §6).

Idempotency rests on the database: `(source, external_id)` is unique for orders and for refunds.
Work on one order (its creation, its refunds) is serialised by a transaction-scoped lock on its
reference (PostgreSQL advisory lock; SQLite serialises writers anyway), so an order and a refund
that arrive together can never miss each other.
"""

import hashlib
import json
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone

from backend.errors import Conflict, DomainError, Invalid, InvalidTransition, NotFound
from orders.currencies import STORABLE_DECIMALS, currency_decimals
from orders.models import (
    ACTIVE_REFUND_STATUSES,
    ORDER_TRANSITIONS,
    REFUND_STATUS_RANK,
    Order,
    OrderLine,
    OrderSource,
    OrderStatus,
    OrderStatusChange,
    Refund,
    RefundStatus,
)
from orders.signals import order_cancelled, order_recorded, orders_recorded, refund_recorded

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


@dataclass(frozen=True)
class RefundData:
    external_id: str
    amount: Decimal
    refunded_at: datetime
    reason: str = ""


@dataclass
class ImportResult:
    """What importing one order (and the refunds sent with it) did."""

    order: Order
    order_created: bool
    refunds: list[tuple[Refund, bool]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.order_created or any(created for _, created in self.refunds)


def normalize_email(email: str) -> str:
    return email.strip().lower()


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


def order_rule_problems(data: OrderData, *, now: datetime | None = None) -> dict[str, list[tuple[str, str]]]:
    """Every broken §6 rule of an order, by field: `{field: [(message, code), ...]}` (empty when valid)."""
    problems: dict[str, list[tuple[str, str]]] = {}

    def add(name: str, message: str, code: str) -> None:
        problems.setdefault(name, []).append((message, code))

    decimals = currency_decimals(data.currency)
    if decimals is None:
        add("currency", f"'{data.currency}' is not an ISO 4217 currency code.", "unknown_currency")
    elif decimals > STORABLE_DECIMALS:
        add(
            "currency",
            f"{data.currency} amounts have {decimals} decimals; Soirée stores 2.",
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
        elif decimals is not None and decimals <= STORABLE_DECIMALS and _decimals_of(value) > decimals:
            add(name, f"{data.currency} amounts have at most {decimals} decimals.", "too_many_decimals")
    for index, line in enumerate(data.lines):
        if line.unit_price < 0:
            add(f"lines.{index}.unit_price", "Must be zero or more.", "negative_amount")
        elif decimals is not None and _decimals_of(line.unit_price) > decimals:
            add(
                f"lines.{index}.unit_price",
                f"{data.currency} amounts have at most {decimals} decimals.",
                "too_many_decimals",
            )
    if not problems.keys() & amounts.keys():
        expected = data.subtotal - data.discount + data.shipping + data.tax
        if expected != data.total:
            add(
                "total",
                f"subtotal − discount + shipping + tax = {expected}, not {data.total}.",
                "total_mismatch",
            )
    now = now or timezone.now()
    if data.placed_at > now + CLOCK_SKEW:
        add("placed_at", "Cannot be in the future.", "in_future")
    return problems


def refund_rule_problems(
    *, order: Order, data: RefundData, already_refunded: Decimal, now: datetime | None = None
) -> dict[str, list[tuple[str, str]]]:
    problems: dict[str, list[tuple[str, str]]] = {}
    decimals = currency_decimals(order.currency) or 0
    if data.amount < 0:
        problems["amount"] = [("Must be zero or more.", "negative_amount")]
    elif _decimals_of(data.amount) > decimals:
        problems["amount"] = [
            (f"{order.currency} amounts have at most {decimals} decimals.", "too_many_decimals")
        ]
    elif already_refunded + data.amount > order.total:
        left = order.total - already_refunded
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


def _raise_first(problems: dict[str, list[tuple[str, str]]]) -> None:
    if problems:
        name, [(message, code), *_] = next(iter(problems.items()))
        raise Invalid(message, code=code, field=name)


def _fingerprint(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def order_fingerprint(data: OrderData) -> str:
    """The same order described twice gives the same fingerprint, whatever the number formatting."""
    money = lambda value: str(value.quantize(Decimal("0.01")))  # noqa: E731
    return _fingerprint(
        {
            "external_id": data.external_id,
            "placed_at": data.placed_at.astimezone(UTC).isoformat(),
            "customer_email": normalize_email(data.customer_email),
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


def _refund_fingerprint(*, order_reference: str, data: RefundData) -> str:
    return _fingerprint(
        {
            "order": order_reference,
            "amount": str(data.amount.quantize(Decimal("0.01"))),
            "refunded_at": data.refunded_at.astimezone(UTC).isoformat(),
            "reason": data.reason,
        }
    )


def _lock_reference(source: str, reference: str) -> None:
    """Serialise work on one order (by its reference) until the transaction ends."""
    if connection.vendor == "postgresql":
        key = zlib.crc32(f"{source}:{reference}".encode())
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [0x50A1, key - 2**31])


def _lock_key(source: str, data: OrderData) -> str:
    return data.payment_reference or data.external_id


def _refresh_refunds(*, order: Order, by: Any = None, reason: str = "") -> bool:
    """Recompute what was refunded and the status that follows; True when either changed."""
    refunded = Refund.objects.filter(order=order, status__in=ACTIVE_REFUND_STATUSES).aggregate(
        total=Sum("amount")
    )["total"] or Decimal("0.00")
    if order.status == OrderStatus.CANCELLED:
        target = OrderStatus.CANCELLED
    elif refunded <= 0:
        target = OrderStatus.PAID
    elif refunded >= order.total:
        target = OrderStatus.REFUNDED
    else:
        target = OrderStatus.PARTIALLY_REFUNDED
    if refunded == order.refunded_amount and target == order.status:
        return False
    if target != order.status:
        if target not in ORDER_TRANSITIONS[order.status]:
            raise InvalidTransition(
                current=order.status, requested=target, allowed=ORDER_TRANSITIONS[order.status]
            )
        OrderStatusChange.objects.create(
            order=order, from_status=order.status, to_status=target, by=by, reason=reason or "refunds changed"
        )
    order.refunded_amount = refunded
    order.status = target
    order.save(update_fields=["refunded_amount", "status", "updated_at"])
    return True


def _order_conflict(order: Order) -> Conflict:
    return Conflict(
        f"Order {order.external_id} was already recorded from {order.source} with different content.",
        code="order_conflict",
        extra={"source": order.source, "external_id": order.external_id, "order_id": order.pk},
    )


def record_order(*, source: str, data: OrderData, keep_first: bool = False) -> tuple[Order, bool]:
    """Record an order once per (source, external id); returns (order, created).

    A second delivery of the same content returns the first order untouched. Different content is
    a conflict, unless `keep_first` (Stripe: the session is the truth and its events may repeat it
    with small differences), in which case the first recording stands.
    Refunds that arrived before the order are attached to it now.

    Atomic without a savepoint of its own (it runs once per imported order, so every round trip
    counts): the rules and the conflict are checked outside the block, so a refusal never spoils the
    caller's transaction.
    """
    _raise_first(order_rule_problems(data) if source != OrderSource.STRIPE else {})
    fingerprint = order_fingerprint(data)
    with transaction.atomic(savepoint=False):
        order, created = _insert_order_once(source=source, data=data, fingerprint=fingerprint)
    if not created and order.fingerprint != fingerprint and not keep_first:
        raise _order_conflict(order)
    return order, created


def _unsaved_order(*, source: str, data: OrderData, fingerprint: str) -> Order:
    return Order(
        source=source,
        external_id=data.external_id,
        placed_at=data.placed_at,
        customer_email=normalize_email(data.customer_email),
        currency=data.currency.upper(),
        subtotal=data.subtotal,
        discount=data.discount,
        shipping=data.shipping,
        tax=data.tax,
        total=data.total,
        commissionable_amount=commissionable_amount_of(
            subtotal=data.subtotal,
            discount=data.discount,
            shipping=data.shipping,
            tax=data.tax,
            total=data.total,
        ),
        code=data.code,
        landing_token=data.landing_token,
        payment_reference=data.payment_reference,
        fingerprint=fingerprint,
    )


def _lock_references(source: str, references: list[str]) -> None:
    """`_lock_reference` for many orders in one round trip, in a fixed order (no deadlock)."""
    if connection.vendor == "postgresql" and references:
        keys = sorted({zlib.crc32(f"{source}:{reference}".encode()) - 2**31 for reference in references})
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_advisory_xact_lock(%s, key)) FROM unnest(%s::int[]) AS key", [0x50A1, keys]
            )


def _insert_order_once(*, source: str, data: OrderData, fingerprint: str) -> tuple[Order, bool]:
    _lock_reference(source, _lock_key(source, data))
    existing = Order.objects.filter(source=source, external_id=data.external_id).first()
    if existing is not None:
        return existing, False
    # No savepoint needed: the lock above serialises every writer of this order, and the unique
    # constraint stays the last word (a violation fails the transaction; it never duplicates).
    order = _unsaved_order(source=source, data=data, fingerprint=fingerprint)
    order.save(force_insert=True)
    if data.lines:
        OrderLine.objects.bulk_create(
            OrderLine(order=order, sku=line.sku, quantity=line.quantity, unit_price=line.unit_price)
            for line in data.lines
        )
    order_recorded.send(sender=Order, order=order)

    if source != OrderSource.STRIPE:
        return order, True  # the shop's refunds need their order first: none can be waiting
    waiting = list(
        Refund.objects.select_for_update().filter(
            source=source, order__isnull=True, order_reference=_lock_key(source, data)
        )
    )
    if waiting:
        for refund in waiting:
            refund.order = order
            refund.save(update_fields=["order", "updated_at"])
        _refresh_refunds(order=order, reason="refunds received before the order")
        for refund in waiting:
            refund_recorded.send(sender=Refund, refund=refund, order=order)
    return order, True


@transaction.atomic
def record_stripe_refund(
    *,
    external_id: str,
    payment_reference: str,
    amount: Decimal,
    currency: str,
    status: str,
    refunded_at: datetime,
    reason: str = "",
) -> Refund:
    """Record or advance a Stripe refund; applied to its order now, or when the order arrives.

    Statuses only move forward (pending → succeeded → failed/canceled), so the same events applied
    in any order end in the same state.
    """
    _lock_reference(OrderSource.STRIPE, payment_reference)
    refund, created = Refund.objects.select_for_update().get_or_create(
        source=OrderSource.STRIPE,
        external_id=external_id,
        defaults={
            "order_reference": payment_reference,
            "amount": amount,
            "currency": currency.upper(),
            "status": status,
            "refunded_at": refunded_at,
            "reason": reason[:255],
        },
    )
    changed = created
    if not created and REFUND_STATUS_RANK[status] > REFUND_STATUS_RANK[refund.status]:
        refund.status = status
        refund.save(update_fields=["status", "updated_at"])
        changed = True
    if refund.order_id is None:
        order = Order.objects.filter(source=OrderSource.STRIPE, payment_reference=payment_reference).first()
        if order is None:
            return refund
        refund.order = order
        refund.save(update_fields=["order", "updated_at"])
        changed = True
    if changed and refund.order_id is not None:
        order = Order.objects.select_for_update().get(pk=refund.order_id)
        _refresh_refunds(order=order, reason=f"refund {external_id} {refund.status}")
        refund.order = order
        refund_recorded.send(sender=Refund, refund=refund, order=order)
    return refund


@transaction.atomic
def record_shop_refund(*, order: Order, source: str, data: RefundData) -> tuple[Refund, bool]:
    """Record a refund the shop reports, once per refund id; returns (refund, created).

    The same refund again is a no-op; the same id with other content is a conflict. Refunds never
    exceed what was paid.
    """
    fingerprint = _refund_fingerprint(order_reference=order.external_id, data=data)
    order = Order.objects.select_for_update().get(pk=order.pk)
    existing = Refund.objects.filter(source=source, external_id=data.external_id).first()
    if existing is not None:
        if existing.fingerprint != fingerprint:
            raise Conflict(
                f"Refund {data.external_id} was already recorded with different content.",
                code="refund_conflict",
                extra={"refund_id": data.external_id, "order_id": existing.order_id},
            )
        return existing, False
    already = Refund.objects.filter(order=order, status__in=ACTIVE_REFUND_STATUSES).aggregate(
        total=Sum("amount")
    )["total"] or Decimal("0")
    _raise_first(refund_rule_problems(order=order, data=data, already_refunded=already))
    try:
        with transaction.atomic():
            refund = Refund.objects.create(
                source=source,
                external_id=data.external_id,
                order=order,
                order_reference=order.external_id,
                amount=data.amount,
                currency=order.currency,
                status=RefundStatus.SUCCEEDED,
                refunded_at=data.refunded_at,
                reason=data.reason,
                fingerprint=fingerprint,
            )
    except IntegrityError:
        return record_shop_refund(order=order, source=source, data=data)
    _refresh_refunds(order=order, reason=f"refund {data.external_id}")
    refund_recorded.send(sender=Refund, refund=refund, order=order)
    return refund, True


@transaction.atomic
def import_order(*, source: str, data: OrderData, refunds: tuple[RefundData, ...] = ()) -> ImportResult:
    """The shop's unit of work (API item or CSV row): the order, then each refund, all or nothing."""
    order, created = record_order(source=source, data=data)
    result = ImportResult(order=order, order_created=created)
    for index, refund_data in enumerate(refunds):
        try:
            result.refunds.append(record_shop_refund(order=order, source=source, data=refund_data))
        except Invalid as error:
            error.field = f"refunds.{index}.{error.field}" if error.field else f"refunds.{index}"
            raise
    if result.refunds:
        order.refresh_from_db(fields=["refunded_amount", "status", "updated_at"])
    return result


def import_order_batch(
    *, source: str, items: list[tuple[OrderData, tuple[RefundData, ...]]]
) -> list[ImportResult | DomainError]:
    """Many shop orders in one transaction, set-based: one lock, one lookup, one INSERT of the new
    orders and one of their lines, then one announcement of all the new orders (`orders_recorded`). The result list follows
    `items`; a refused item is its DomainError and leaves the others alone.

    Items that carry refunds go through `import_order` one by one (all or nothing per item).
    The same rules and idempotency as `import_order`: a repeat is unchanged, a changed repeat is
    a conflict, also between two items of one batch.
    """
    results: list[ImportResult | DomainError | None] = [None] * len(items)
    fingerprints: dict[int, str] = {}
    for index, (data, _) in enumerate(items):
        try:
            _raise_first(order_rule_problems(data))
        except DomainError as error:
            results[index] = error
        else:
            fingerprints[index] = order_fingerprint(data)
    with transaction.atomic():
        _lock_references(source, [items[i][0].external_id for i in fingerprints])
        known = {
            order.external_id: order
            for order in Order.objects.filter(
                source=source, external_id__in=[items[i][0].external_id for i in fingerprints]
            )
        }
        fresh: dict[str, Order] = {}
        lines: list[OrderLine] = []
        with_refunds = []
        for index, fingerprint in fingerprints.items():
            data, refunds = items[index]
            if refunds:
                with_refunds.append(index)
                continue
            order = known.get(data.external_id) or fresh.get(data.external_id)
            if order is not None:
                results[index] = (
                    ImportResult(order=order, order_created=False)
                    if order.fingerprint == fingerprint
                    else _order_conflict(order)
                )
                continue
            order = fresh[data.external_id] = _unsaved_order(
                source=source, data=data, fingerprint=fingerprint
            )
            results[index] = ImportResult(order=order, order_created=True)
        Order.objects.bulk_create(fresh.values())
        for index in fingerprints:
            result = results[index]
            if isinstance(result, ImportResult) and result.order_created:
                lines += [
                    OrderLine(
                        order=result.order, sku=line.sku, quantity=line.quantity, unit_price=line.unit_price
                    )
                    for line in items[index][0].lines
                ]
        OrderLine.objects.bulk_create(lines)
        if fresh:
            orders_recorded.send(sender=Order, orders=list(fresh.values()))
        for index in with_refunds:
            data, refunds = items[index]
            try:
                results[index] = import_order(source=source, data=data, refunds=refunds)
            except DomainError as error:
                results[index] = error
    assert all(result is not None for result in results)
    return results  # type: ignore[return-value]  # every slot was filled above


@transaction.atomic
def add_order_lines(*, order: Order, lines: tuple[LineData, ...]) -> int:
    """Give an order the lines its source sent later (Stripe lists them apart); once only."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if not lines or order.lines.exists():
        return 0
    return len(
        OrderLine.objects.bulk_create(
            OrderLine(order=order, sku=line.sku, quantity=line.quantity, unit_price=line.unit_price)
            for line in lines
        )
    )


@transaction.atomic
def cancel_order(*, order: Order, by: Any, reason: str) -> Order:
    """Void an order (e.g. the shop cancelled it before shipping): it earns nothing from now on."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if OrderStatus.CANCELLED not in ORDER_TRANSITIONS[order.status]:
        raise InvalidTransition(
            current=order.status, requested=OrderStatus.CANCELLED, allowed=ORDER_TRANSITIONS[order.status]
        )
    OrderStatusChange.objects.create(
        order=order, from_status=order.status, to_status=OrderStatus.CANCELLED, by=by, reason=reason
    )
    order.status = OrderStatus.CANCELLED
    order.save(update_fields=["status", "updated_at"])
    order_cancelled.send(sender=Order, order=order)
    return order


def get_order(*, pk: int) -> Order:
    order = Order.objects.for_detail().filter(pk=pk).first()
    if order is None:
        raise NotFound("No such order.")
    return order
