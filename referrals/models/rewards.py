"""A campaign's reward plan and each host's append-only rewards ledger (SPEC §8)."""

from decimal import Decimal
from typing import TypedDict

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambassadors.models import Campaign, Host
from backend.models import User


class DecimalDigits(TypedDict):
    """The size of a decimal field, spread into model and serializer `DecimalField`s."""

    max_digits: int
    decimal_places: int


MONEY: DecimalDigits = {"max_digits": 12, "decimal_places": 2}


class RewardPlan(models.Model):
    """A campaign's hostess rewards: marginal brackets on each party's sales, and the rest.

    `party_brackets` is a list of `{"up_to": "500.00" | null, "rate": "0.10"}` in increasing
    order; the last bracket has no upper bound. A party earns only once it qualifies (enough buyers
    other than the host, and enough sales).
    """

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="reward_plan")
    party_brackets = models.JSONField(default=list)
    min_party_buyers = models.PositiveSmallIntegerField(default=3)
    min_party_sales = models.DecimalField(**MONEY, default=Decimal("150.00"))
    host_code_rate = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal("0.0500"))
    booking_bonus = models.DecimalField(**MONEY, default=Decimal("0.00"))
    cap_per_host = models.DecimalField(**MONEY, null=True, blank=True)
    holding_days = models.PositiveSmallIntegerField(default=30)
    payout_minimum = models.DecimalField(**MONEY, default=Decimal("20.00"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    min_party_sales__gte=0,
                    booking_bonus__gte=0,
                    payout_minimum__gte=0,
                    host_code_rate__gte=0,
                    host_code_rate__lte=1,
                ),
                name="reward_plan_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(cap_per_host__isnull=True) | Q(cap_per_host__gte=0),
                name="reward_plan_cap_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"reward plan of {self.campaign}"


class EntryKind(models.TextChoices):
    ACCRUAL = "accrual", _("Accrual")  # earned on sales, a booking, ...
    REVERSAL = "reversal", _("Reversal")  # taken back: refund, cancellation, re-attribution
    CAP = "cap", _("Cap")  # what exceeds the plan's cap per host
    KIT_DEDUCTION = "kit_deduction", _("Kit-return deduction")  # missing kit items, by policy
    ADJUSTMENT = "adjustment", _("Manual adjustment")  # by marketing, with a reason
    PAYOUT = "payout", _("Payout")  # money sent to the host
    FORFEIT = "forfeit", _("Forfeited")  # a banned host's unpaid balance, taken back by marketing


class EntryState(models.TextChoices):
    PENDING = "pending", _("Pending")  # inside the holding period
    APPROVED = "approved", _("Approved")  # may be paid out
    PAID = "paid", _("Paid")  # included in a payout


class LedgerEntryQuerySet(models.QuerySet["LedgerEntry"]):
    def for_user(self, user: User | AnonymousUser) -> "LedgerEntryQuerySet":
        if not user.is_authenticated:
            return self.none()
        return self.filter(host__user=user)


class LedgerEntry(models.Model):
    """One append-only line of a host's rewards ledger for a campaign.

    Amounts are never edited: a change in today's facts posts a new line with the difference, under
    the same `basis` (what the line is about: `party:12`, `order:345`, `booking:6`, `kit:7`, `cap`,
    `adjustment:<uuid>`, `gift:<uuid>`, `payout:<id>`). Only the state moves: pending → approved → paid.
    """

    host = models.ForeignKey(Host, on_delete=models.PROTECT, related_name="ledger_entries")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="ledger_entries")
    kind = models.CharField(max_length=16, choices=EntryKind.choices)
    state = models.CharField(max_length=10, choices=EntryState.choices, default=EntryState.PENDING)
    basis = models.CharField(max_length=64)
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    description = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    approvable_at = models.DateTimeField()
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    payout = models.ForeignKey(
        "Payout", null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    by = models.ForeignKey("backend.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=500, blank=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="ledger_entry_amount_not_zero")]
        indexes = [
            models.Index(fields=["host", "basis"]),
            models.Index(fields=["state", "approvable_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency} ({self.basis})"
