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


class SaleFact(models.Model):
    """The attribution report's sums per (campaign, host, party, method, day): what the report reads
    for its sale columns, so its cost follows the rows it returns, not the orders behind them
    (a campaign of 100,000 orders by host reads its hosts' few thousand fact rows).

    Kept current with `AttributedSale` in the transaction of every write to it, by increments
    (`referrals.reports.facts.record_sale_changes`): the row of an order moved from one slot to
    another (re-attributed, refunded, cancelled) is taken from the old slot and added to the new.
    `slot` is the key in one non-null column (NULLs never conflict in a unique index), so one
    `INSERT … ON CONFLICT (slot) DO UPDATE SET x = x + excluded.x` adds a batch, race-free.
    A slot whose last sale left it is deleted: the report has a row where a sale is.
    """

    slot = models.CharField(max_length=80, unique=True)
    # No index of its own: the report index below starts with it.
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    host = models.ForeignKey(Host, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    party = models.ForeignKey(Party, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    method = models.CharField(max_length=8, choices=AttributionMethod.choices)
    day = models.DateField()  # the UTC day the orders were placed
    sales = models.IntegerField()  # rows of `AttributedSale` here, cancelled ones included
    orders = models.IntegerField()  # of them, sales (not cancelled)
    gross = models.DecimalField(**MONEY)
    net = models.DecimalField(**MONEY)
    refunded_after_close = models.DecimalField(**MONEY)

    class Meta:
        indexes = [
            models.Index(
                fields=["campaign", "host", "day", "party", "method"]
                + ["sales", "orders", "gross", "net", "refunded_after_close"],
                name="sale_fact_report",
            ),
        ]

    def __str__(self) -> str:
        return f"sales of {self.slot}"


class HostSales(models.Model):
    """The same sums per (campaign, host), kept the same way: what the report reads when it asks for
    no finer grain (by host, campaign or area, no party, method or dates): one row per host, so a
    campaign of 100,000 orders by host reads its 1,000 hosts' rows. `slot` is the key in one column."""

    slot = models.CharField(max_length=40, unique=True)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    host = models.ForeignKey(Host, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    sales = models.IntegerField()
    orders = models.IntegerField()
    gross = models.DecimalField(**MONEY)
    net = models.DecimalField(**MONEY)
    refunded_after_close = models.DecimalField(**MONEY)

    class Meta:
        indexes = [
            models.Index(
                fields=["campaign", "host", "sales", "orders", "gross", "net", "refunded_after_close"],
                name="host_sales_report",
            ),
        ]

    def __str__(self) -> str:
        return f"sales of {self.slot}"


class ScopeBuyer(models.Model):
    """A buyer in one scope of the report, with how many of the scope's sales (not cancelled) are
    theirs: the set that keeps the scope's distinct buyers exact under increments (a buyer's count
    going 0 → 1 adds one to `ScopeBuyers`, 1 → 0 takes one away). Scopes: `c:<campaign>`,
    `h:<campaign>:<host>`, `p:<campaign>:<party>`, and `g:<party>` for the party's sales placed by
    one of its guests (the guests who bought)."""

    scope = models.CharField(max_length=40)
    buyer = models.BigIntegerField()
    sales = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "buyer"], name="scope_buyer_unique")]

    def __str__(self) -> str:
        return f"buyer of {self.scope}"


class BuyerLevel(models.TextChoices):
    CAMPAIGN = "c"
    HOST = "h"  # a host of a campaign
    PARTY = "p"  # a party of a campaign
    GUEST = "g"  # a party's guests who bought


class ScopeBuyers(models.Model):
    """How many distinct buyers a scope of `ScopeBuyer` holds, exact, kept by increments: the report's
    distinct buyers of a campaign, of each of its hosts or parties, and each party's guests who
    bought, read from a few rows instead of counted over the orders."""

    scope = models.CharField(max_length=40, unique=True)
    level = models.CharField(max_length=1, choices=BuyerLevel.choices)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    host = models.ForeignKey(Host, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    party = models.ForeignKey(Party, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    buyers = models.IntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["campaign", "level", "host", "party", "buyers"], name="scope_buyers_report")
        ]

    def __str__(self) -> str:
        return f"buyers of {self.scope}"
