"""The attribution report's rollup rows, kept current as the facts change (SPEC §9, §12)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from ambassadors.models import Campaign, Host, Party
from referrals.models.attribution import AttributionMethod
from referrals.models.rewards import MONEY


class PartyGuestCount(models.Model):
    """How many guests a party's list holds, for the attribution report's guest column: a campaign's
    report reads one row per party (5,000) instead of every guest (50,000). Kept current in the
    transaction of every guest added or deleted (withdrawn, removed, erased with the party) by
    `referrals.reports.facts.count_party_guests`; anonymising a guest keeps the guest, and the count."""

    party = models.OneToOneField(Party, primary_key=True, on_delete=models.CASCADE, related_name="+")
    guests = models.PositiveIntegerField()


class AttributedSale(models.Model):
    """The attribution report's row for one order, kept current when the order is attributed,
    re-attributed, refunded or cancelled (`referrals.reports.facts.refresh_attributed_sale`).

    Why a rollup table rather than a GROUP BY over orders: the report groups orders by facts that
    live in another table (the attribution's campaign, host, party, method), so the plain query
    joins 1M orders to 1M attributions and reads both heaps. Here those facts sit beside the money,
    already reduced to what the report sums (net sales after refunds, whether the order counts),
    and one composite index starting with (campaign, host) holds every column the report reads:
    a campaign's report is an index-only scan of its own slice, already in host order. The buyer
    is a keyed 64-bit hash of the e-mail, enough to count distinct buyers without copying an
    address.
    """

    order = models.OneToOneField(
        "orders.Order", primary_key=True, on_delete=models.CASCADE, related_name="attributed_sale"
    )
    # No index of its own: the report index below starts with it, and the planner must pick that one.
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    host = models.ForeignKey(Host, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    party = models.ForeignKey(Party, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    method = models.CharField(max_length=8, choices=AttributionMethod.choices)
    placed_at = models.DateTimeField()
    buyer = models.BigIntegerField()
    # False for a cancelled order: it is no sale and counts nowhere.
    is_sale = models.BooleanField()
    gross = models.DecimalField(**MONEY)  # commissionable amount (subtotal − discount)
    net = models.DecimalField(**MONEY)  # the same after refunds, as `Order.net_commissionable_amount`
    # The buyer is on the guest list of the credited party (for guest conversion).
    guest_bought = models.BooleanField(default=False)
    # Of the refunds (gross − net), the share recorded after the credited party closed: its reward
    # is final, so this money no longer changes it (`referrals.reports.facts.refunded_after_close`).
    refunded_after_close = models.DecimalField(**MONEY, default=0)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(
                fields=[
                    "campaign",
                    "host",
                    "placed_at",
                    "party",
                    "method",
                    "is_sale",
                    "guest_bought",
                    "buyer",
                ]
                + ["gross", "net", "refunded_after_close"],
                name="attributed_sale_report",
            ),
            models.Index(fields=["placed_at"], name="attributed_sale_placed_at"),
            # Distinct counts (not additive, so no sum can stand in for them) read these narrow
            # partial indexes: a campaign's sales in (host, buyer) order, or in buyer order, let
            # PostgreSQL drop duplicates as the index streams by instead of sorting 100,000 keys;
            # the indexes follow every write to the row (refresh, erasure) with nothing to keep current.
            models.Index(
                fields=["campaign", "host", "buyer"],
                condition=Q(is_sale=True),
                name="attributed_sale_host_buyers",
            ),
            models.Index(
                fields=["campaign", "buyer"], condition=Q(is_sale=True), name="attributed_sale_buyers"
            ),
            models.Index(
                fields=["campaign", "host", "party", "buyer"],
                condition=Q(is_sale=True, guest_bought=True),
                name="attributed_sale_guest_buyers",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(gross__gte=0, net__gte=0), name="attributed_sale_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(refunded_after_close__gte=0),
                name="attributed_sale_refunded_after_close_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"sale of order {self.order_id}"
