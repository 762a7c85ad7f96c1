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

    campaign = models.OneToOneField(
        Campaign,
        on_delete=models.CASCADE,
        related_name="reward_plan",
        help_text="The campaign the plan rewards (its id).",
    )
    party_brackets = models.JSONField(default=list)
    min_party_buyers = models.PositiveSmallIntegerField(
        default=3, help_text="Buyers a party needs for its brackets to pay (fewer earns nothing)."
    )
    min_party_sales = models.DecimalField(
        **MONEY,
        default=Decimal("150.00"),
        help_text="Net sales a party needs for its brackets to pay, in the campaign's currency.",
    )
    host_code_rate = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.0500"),
        help_text="Share of the commissionable amount a host earns on sales through their own code or link (0.0500 for 5 %).",
    )
    booking_bonus = models.DecimalField(
        **MONEY,
        default=Decimal("0.00"),
        help_text="Paid to a host for each guest of their parties who applied and was selected as a host, in the campaign's currency; 0 for none.",
    )
    cap_per_host = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        help_text="Most a host can earn in the campaign, in the campaign's currency; null for no cap.",
    )
    holding_days = models.PositiveSmallIntegerField(
        default=30, help_text="Days a reward stays pending before approval (so refunds can come in first)."
    )
    payout_minimum = models.DecimalField(
        **MONEY,
        default=Decimal("20.00"),
        help_text="Smallest approved balance paid out, in the campaign's currency; less waits for more.",
    )
    updated_at = models.DateTimeField(auto_now=True, help_text="When the plan was last changed, UTC.")

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

    host = models.ForeignKey(
        Host,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        help_text="The host the line is for (their id).",
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        help_text="The campaign the line belongs to (its id).",
    )
    kind = models.CharField(
        max_length=16,
        choices=EntryKind.choices,
        help_text="What the line is: accrual (earned), reversal (taken back), cap, kit deduction, manual adjustment, payout, or forfeit.",
    )
    state = models.CharField(
        max_length=10,
        choices=EntryState.choices,
        default=EntryState.PENDING,
        help_text="pending (inside the holding period), approved (may be paid out) or paid (in a payout).",
    )
    basis = models.CharField(
        max_length=64,
        help_text="What the line was computed from, as a stable key (e.g. party:12 for a party's reward, booking:7 for a booking bonus).",
    )
    amount = models.DecimalField(
        **MONEY, help_text="Signed amount in the campaign's currency: positive earns, negative takes back."
    )
    currency = models.CharField(
        max_length=3, help_text="ISO 4217 code of the amount (the campaign's currency)."
    )
    description = models.CharField(
        max_length=300, help_text="The line as the host reads it on their statement."
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When the line was posted, UTC.")
    approvable_at = models.DateTimeField(
        help_text="When the holding period ends and the line may be approved, UTC."
    )
    approved_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was approved, UTC; null while pending."
    )
    paid_at = models.DateTimeField(null=True, blank=True, help_text="When it was paid, UTC; null until paid.")
    payout = models.ForeignKey(
        "Payout",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
        help_text="The payout that paid it (its id); null until paid.",
    )
    by = models.ForeignKey("backend.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(
        max_length=500, blank=True, help_text="Why, for a manual adjustment or forfeit; empty otherwise."
    )

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
