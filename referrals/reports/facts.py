"""The attribution report's rollup rows, kept current in the transaction of every change they
follow: an order attributed, re-attributed, refunded or cancelled (`AttributedSale`), a guest added
or deleted (`PartyGuestCount`)."""

import hashlib
import hmac
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.db.models import F, Sum
from django.utils import timezone

from ambassadors.models import Guest, Party, PartyStatus
from backend.email_address import normalise_email
from backend.money import ZERO, round_money
from orders.models import (
    ACTIVE_REFUND_STATUSES,
    DISPUTE_HOLDS_MONEY,
    Dispute,
    Order,
    OrderStatus,
    Refund,
)
from referrals.models import AttributedSale, Attribution, PartyGuestCount


def buyer_key(email: str) -> int:
    """A keyed 64-bit digest of a buyer's e-mail: counts distinct buyers without storing addresses."""
    digest = hmac.new(
        f"referrals.report-buyer:{settings.SECRET_KEY}".encode(),
        normalise_email(email).encode(),
        hashlib.sha256,
    ).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def attributed_sale_values(
    *, order: Order, attribution: Attribution, guest_bought: bool, refunded_after_close: Decimal = ZERO
) -> dict[str, Any]:
    """The rollup row of one order, from the order and its attribution (also used by the bench)."""
    is_sale = order.status != OrderStatus.CANCELLED
    return {
        "campaign_id": attribution.campaign_id,
        "host_id": attribution.host_id,
        "party_id": attribution.party_id,
        "method": attribution.method,
        "placed_at": order.placed_at,
        "buyer": buyer_key(order.customer_email),
        "is_sale": is_sale,
        "gross": order.commissionable_in_reward_currency if is_sale else ZERO,
        "net": order.net_commissionable_amount,
        "guest_bought": guest_bought,
        "refunded_after_close": refunded_after_close,
    }


def refunded_after_close(*, order: Order, attribution: Attribution) -> Decimal:
    """The commissionable share of what was given back on `order` after its party closed: the
    refunds (pending or succeeded) and disputes holding the money recorded after the party's
    `closed_at`. A closed party's reward is final, so this money no longer changes it; the report
    shows it apart. At most the order's refunds (gross − net); nothing for a cancelled order."""
    if (
        not attribution.party_id
        or not order.refunded_amount
        or order.status == OrderStatus.CANCELLED
        or order.total == 0
    ):
        return ZERO
    closed_at = (
        Party.objects.filter(pk=attribution.party_id, status=PartyStatus.CLOSED)
        .values_list("closed_at", flat=True)
        .first()
    )
    if closed_at is None:
        return ZERO
    after = sum(
        (
            source.objects.filter(order=order, status__in=statuses, created_at__gt=closed_at).aggregate(
                total=Sum("amount")
            )["total"]
            or ZERO
            for source, statuses in ((Refund, ACTIVE_REFUND_STATUSES), (Dispute, DISPUTE_HOLDS_MONEY))
        ),
        ZERO,
    )
    if not after:
        return ZERO
    # In the campaign's currency, like every money column of the report.
    commissionable = order.commissionable_in_reward_currency
    share = round_money(commissionable * min(after, order.total) / order.total)
    return min(share, commissionable - order.net_commissionable_amount)


@transaction.atomic
def refresh_attributed_sale(*, order: Order, attribution: Attribution | None = None) -> AttributedSale | None:
    """Write the report's row of `order` from today's facts (after attribution, refund, cancellation).

    Called inside the transaction that changed the order or its attribution, so the rollup commits
    with the change or not at all. Idempotent: running it again writes the same values. Without
    `attribution` (a refund, a cancellation) the order and its attribution are read again.
    """
    if attribution is None:
        order = Order.objects.get(pk=order.pk)
        attribution = Attribution.objects.filter(order=order).first()
        if attribution is None:
            return None
    guest_bought = bool(
        attribution.party_id
        and order.customer_email
        and Guest.objects.filter(party_id=attribution.party_id, email=order.customer_email).exists()
    )
    values = attributed_sale_values(
        order=order,
        attribution=attribution,
        guest_bought=guest_bought,
        refunded_after_close=refunded_after_close(order=order, attribution=attribution),
    )
    # One upsert (INSERT … ON CONFLICT DO UPDATE): it runs for every order ingested.
    (sale,) = AttributedSale.objects.bulk_create(
        [AttributedSale(order=order, refreshed_at=timezone.now(), **values)],
        update_conflicts=True,
        unique_fields=["order"],
        update_fields=[*values, "refreshed_at"],
    )
    return sale


def count_party_guests(*, party_id: int, change: int) -> None:
    """Add `change` (+1 a guest added, −1 a guest deleted) to the party's guest count, in the
    transaction that added or deleted the guest. An increment, not a recount, so two guests added
    at once both count. A deletion only updates: a party deleted with its guests takes its row."""
    if change < 0:
        PartyGuestCount.objects.filter(party_id=party_id).update(guests=F("guests") + change)
        return
    table = PartyGuestCount._meta.db_table
    with connections[PartyGuestCount.objects.db].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (party_id, guests) VALUES (%s, %s) "  # noqa: S608
            f"ON CONFLICT (party_id) DO UPDATE SET guests = {table}.guests + excluded.guests",
            [party_id, change],
        )


def refresh_guest_bought(*, party_id: int) -> None:
    """Mark which of the party's sales were placed by one of its guests, after a guest was added,
    changed or deleted, in that transaction: a guest listed after buying counts as a guest who
    bought, a guest taken off the list no longer does (guests and guests who bought are counted
    over the same list, so the conversion never passes 1)."""
    emails = set(Guest.objects.filter(party_id=party_id).exclude(email="").values_list("email", flat=True))
    sales = AttributedSale.objects.filter(party_id=party_id).values_list(
        "order_id", "order__customer_email", "guest_bought"
    )
    wrong: dict[bool, list[int]] = {True: [], False: []}
    for order_id, email, flagged in sales:
        if (email in emails) != flagged:
            wrong[not flagged].append(order_id)
    for guest_bought, order_ids in wrong.items():
        if order_ids:
            AttributedSale.objects.filter(order_id__in=order_ids).update(guest_bought=guest_bought)


def refresh_attributed_sales(*, attributions: list[Attribution]) -> list[AttributedSale]:
    """The report rows of many freshly attributed orders (`attribution.order`) in two queries:
    for each, exactly what `refresh_attributed_sale(order=…, attribution=…)` writes (a fresh order
    has no refund after a party closed: every rule credits a party only inside its window)."""
    if not attributions:
        return []
    bought = set(
        Guest.objects.filter(
            party_id__in={a.party_id for a in attributions if a.party_id},
            email__in={a.order.customer_email for a in attributions if a.party_id and a.order.customer_email},
        ).values_list("party_id", "email")
    )
    now = timezone.now()
    rows = []
    for attribution in attributions:
        order = attribution.order
        guest_bought = bool(
            attribution.party_id
            and order.customer_email
            and (attribution.party_id, order.customer_email) in bought
        )
        values = attributed_sale_values(order=order, attribution=attribution, guest_bought=guest_bought)
        rows.append(AttributedSale(order=order, refreshed_at=now, **values))
    return AttributedSale.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["order"], update_fields=[*values, "refreshed_at"]
    )
