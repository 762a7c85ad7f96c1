"""Refunds, recorded once per (source, refund id), and the order status they lead to (SPEC §6).

A shop's refund needs its order first; a Stripe refund may arrive before its order and is attached
to it when the order comes (`orders.ingestion.services`). Refunds never exceed what was paid.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum

from backend.errors import Conflict
from backend.transitions import check_transition
from orders.ingestion.locks import lock_payment_reference
from orders.ingestion.rules import RefundData, raise_first_problem, refund_fingerprint, refund_rule_problems
from orders.models import (
    ACTIVE_REFUND_STATUSES,
    DISPUTE_FINAL_STATUSES,
    DISPUTE_HOLDS_MONEY,
    ORDER_TRANSITIONS,
    REFUND_STATUS_RANK,
    Dispute,
    DisputeState,
    Order,
    OrderSource,
    OrderStatus,
    OrderStatusChange,
    Refund,
    RefundStatus,
    same_channel_sources,
)
from orders.signals import dispute_recorded, refund_recorded


def _dispute_state(statuses: list[str]) -> str:
    if "lost" in statuses:
        return DisputeState.LOST
    if any(status not in DISPUTE_FINAL_STATUSES for status in statuses):
        return DisputeState.OPEN
    if "won" in statuses:
        return DisputeState.WON
    return ""  # only inquiries, closed without a dispute


def refresh_refunds(*, order: Order, by: Any = None, reason: str = "") -> bool:
    """Recompute what went back to the buyer (refunds and disputes that hold the money, at most the
    total), the dispute state, and the status that follows; True when any changed.

    An order reported by Stripe and by the shop may hold both's refunds of the same money: the
    larger of Stripe's total and the shop's total counts.
    """
    totals = Refund.objects.filter(order=order, status__in=ACTIVE_REFUND_STATUSES).aggregate(
        stripe=Sum("amount", filter=Q(source=OrderSource.STRIPE)),
        shop=Sum("amount", filter=~Q(source=OrderSource.STRIPE)),
    )
    # Stripe and the shop report the same money of one sale, each with its own refund ids: the
    # larger of the two accounts counts, never their sum.
    refunded = max(totals["stripe"] or Decimal("0.00"), totals["shop"] or Decimal("0.00"))
    disputes = list(Dispute.objects.filter(order=order).values_list("status", "amount"))
    refunded = min(
        refunded
        + sum((amount for status, amount in disputes if status in DISPUTE_HOLDS_MONEY), Decimal("0")),
        max(order.total, refunded),
    )
    dispute_state = _dispute_state([status for status, _ in disputes])
    if order.status == OrderStatus.CANCELLED:
        target = OrderStatus.CANCELLED
    elif refunded <= 0:
        target = OrderStatus.PAID
    elif refunded >= order.total:
        target = OrderStatus.REFUNDED
    else:
        target = OrderStatus.PARTIALLY_REFUNDED
    if refunded == order.refunded_amount and target == order.status and dispute_state == order.dispute_status:
        return False
    if target != order.status:
        check_transition(current=order.status, to_status=target, transitions=ORDER_TRANSITIONS)
        OrderStatusChange.objects.create(
            order=order, from_status=order.status, to_status=target, by=by, reason=reason or "refunds changed"
        )
    order.refunded_amount = refunded
    order.status = target
    order.dispute_status = dispute_state
    order.save(update_fields=["refunded_amount", "status", "dispute_status", "updated_at"])
    return True


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
    lock_payment_reference(payment_reference)
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
    order = _attach_to_stripe_order(
        refund,
        payment_reference=payment_reference,
        changed=changed,
        what=f"refund {external_id} {refund.status}",
    )
    if order is not None:
        refund_recorded.send(sender=Refund, refund=refund, order=order)
    return refund


@transaction.atomic
def record_shop_refund(*, order: Order, source: str, data: RefundData) -> tuple[Refund, bool]:
    """Record a refund the shop reports, once per refund id; returns (refund, created).

    The same refund again is a no-op; the same id with other content is a conflict. Refunds never
    exceed what was paid.
    """
    fingerprint = refund_fingerprint(order_reference=order.external_id, data=data, currency=order.currency)
    order = Order.objects.select_for_update().get(pk=order.pk)
    existing = Refund.objects.filter(
        source__in=same_channel_sources(source), external_id=data.external_id
    ).first()
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
    raise_first_problem(refund_rule_problems(order=order, data=data, already_refunded=already))
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
    refresh_refunds(order=order, reason=f"refund {data.external_id}")
    refund_recorded.send(sender=Refund, refund=refund, order=order)
    return refund, True


@transaction.atomic
def record_stripe_dispute(
    *,
    external_id: str,
    payment_reference: str,
    amount: Decimal,
    currency: str,
    status: str,
    disputed_at: datetime,
    reason: str = "",
) -> Dispute:
    """Record or advance a Stripe dispute; applied to its order now, or when the order arrives.

    A closed dispute (won, lost) stays closed whatever event comes after it; an open one follows
    Stripe's latest status. Every change that reaches an order is announced (`dispute_recorded`).
    """
    lock_payment_reference(payment_reference)
    dispute, created = Dispute.objects.select_for_update().get_or_create(
        external_id=external_id,
        defaults={
            "order_reference": payment_reference,
            "amount": amount,
            "currency": currency.upper(),
            "status": status,
            "disputed_at": disputed_at,
            "reason": reason[:64],
        },
    )
    changed = created
    if not created and dispute.status != status and dispute.status not in DISPUTE_FINAL_STATUSES:
        dispute.status = status
        dispute.save(update_fields=["status", "updated_at"])
        changed = True
    order = _attach_to_stripe_order(
        dispute,
        payment_reference=payment_reference,
        changed=changed,
        what=f"dispute {external_id} {dispute.status}",
    )
    if order is not None:
        dispute_recorded.send(sender=Dispute, dispute=dispute, order=order)
    return dispute


def _attach_to_stripe_order(
    row: "Refund | Dispute", *, payment_reference: str, changed: bool, what: str
) -> Order | None:
    """Attach a Stripe refund or dispute to its order once the order is known, and bring the order's
    refunded amount and status up to date when anything changed: the locked order, or None."""
    if row.order_id is None:
        order = Order.objects.filter(payment_reference=payment_reference).first()  # whichever channel
        if order is None:
            return None
        row.order = order
        row.save(update_fields=["order", "updated_at"])
        changed = True
    if not changed or row.order_id is None:
        return None
    order = Order.objects.select_for_update().get(pk=row.order_id)
    refresh_refunds(order=order, reason=what)
    row.order = order
    return order
