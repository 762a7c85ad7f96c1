"""Payouts of approved rewards, and how each person is paid (SPEC §8)."""

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambassadors.models import Campaign, Host
from backend.models import User
from referrals.models.rewards import MONEY


class PayoutMethod(models.TextChoices):
    STRIPE_TRANSFER = "stripe_transfer", _("Stripe transfer")  # to the host's connected Express account
    STORE_CREDIT = "store_credit", _("Store credit")  # a single-use promotion code worth the amount
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")  # exported as CSV, marked paid by hand


class PayoutStatus(models.TextChoices):
    PENDING = "pending", _("Pending")  # reserved; the money has not been confirmed sent yet
    PAID = "paid", _("Paid")  # the transfer or store credit exists (or marked paid by hand)
    FAILED = "failed", _("Failed")  # Stripe kept refusing it; its amount is back in the approved balance
    CANCELLED = "cancelled", _("Cancelled")  # a failed payout marketing gave up; nothing was sent


class PayoutQuerySet(models.QuerySet["Payout"]):
    def for_user(self, user: User | AnonymousUser) -> "PayoutQuerySet":
        if not user.is_authenticated:
            return self.none()
        return self.filter(host__user=user)


class Payout(models.Model):
    """One payment of a host's approved balance. `idempotency_key` makes the Stripe call exactly-once."""

    host = models.ForeignKey(
        Host, on_delete=models.PROTECT, related_name="payouts", help_text="The host paid (their id)."
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        related_name="payouts",
        help_text="The campaign whose rewards are paid (its id).",
    )
    amount = models.DecimalField(**MONEY, help_text="Amount paid, in the campaign's currency.")
    currency = models.CharField(max_length=3, help_text="ISO 4217 code of the amount.")
    method = models.CharField(
        max_length=16,
        choices=PayoutMethod.choices,
        help_text="How the money goes: Stripe transfer to the host's account, store credit (a single-use promotion code), or bank transfer (exported, marked paid by hand).",
    )
    status = models.CharField(
        max_length=10,
        choices=PayoutStatus.choices,
        default=PayoutStatus.PENDING,
        help_text="pending (reserved, not confirmed sent), paid, failed (Stripe kept refusing it; the amount is back in the approved balance) or cancelled (given up; nothing was sent).",
    )
    idempotency_key = models.CharField(
        max_length=64,
        unique=True,
        help_text="The key sent to Stripe with the transfer, so a retry never pays twice.",
    )
    stripe_transfer_id = models.CharField(
        max_length=64,
        blank=True,
        help_text="Stripe's id of the transfer; empty for other methods or before sending.",
    )
    store_credit_code = models.CharField(
        max_length=64,
        blank=True,
        help_text="The store-credit code the host spends at the shop; empty for other methods.",
    )
    stripe_promotion_code_id = models.CharField(
        max_length=64,
        blank=True,
        help_text="Stripe's id of the store-credit promotion code; empty for other methods.",
    )
    attempts = models.PositiveSmallIntegerField(default=0, help_text="How many times sending was tried.")
    last_error = models.CharField(
        max_length=500,
        blank=True,
        help_text="Why the last attempt failed, in words the host can act on; empty otherwise.",
    )
    # Stripe's error code of the last refusal (e.g. `account_invalid`): what the host is told.
    last_error_code = models.CharField(max_length=64, blank=True)
    # Set (and committed) just before each Stripe call: from then on, until an answer is recorded,
    # Stripe may have made the transfer without us knowing.
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, help_text="When the payout was reserved, UTC.")
    paid_at = models.DateTimeField(
        null=True, blank=True, help_text="When the money was confirmed sent, UTC; null before."
    )
    marked_paid_by = models.ForeignKey(
        "backend.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PayoutQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payout_amount_positive")]

    def __str__(self) -> str:
        return f"payout #{self.pk} {self.amount} {self.currency}"

    @property
    def failure_for_host(self) -> str:
        """Why a failed payout was not sent, in words the host can act on (translated)."""
        if self.status != PayoutStatus.FAILED:
            return ""
        return str(_FAILURE_FOR_HOST.get(self.last_error_code, _FAILURE_FOR_HOST[""]))


# Stripe's error codes for a transfer or promotion code it refuses, as the host reads them.
_FAILURE_FOR_HOST = {
    "account_invalid": _("Finish setting up your Stripe account; we will then send this payment again."),
    "insufficient_capabilities_for_transfer": _(
        "Finish setting up your Stripe account; we will then send this payment again."
    ),
    "": _("Stripe could not accept this payment. Our team will contact you about it."),
}


class PayoutAccount(models.Model):
    """How a person is paid: their connected Stripe Express account, or store credit, or bank transfer."""

    user = models.OneToOneField("backend.User", on_delete=models.CASCADE, related_name="payout_account")
    preferred_method = models.CharField(
        max_length=16, choices=PayoutMethod.choices, default=PayoutMethod.STRIPE_TRANSFER
    )
    stripe_account_id = models.CharField(max_length=64, blank=True)
    payouts_enabled = models.BooleanField(default=False)
    details_submitted = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"payout account of {self.user_id}"


class FrozenBalanceDecision(models.TextChoices):
    RELEASED = "released", _("Released")  # the banned host's balance is paid as usual
    FORFEITED = "forfeited", _("Forfeited")  # the unpaid balance is taken back by a ledger line


class FrozenBalance(models.Model):
    """Marketing's decision on a banned host's unpaid balance (SPEC §8).

    A ban freezes the host's balance: no payout is reserved, sent, exported or marked paid while
    the host is banned and no decision was taken. One decision per host, never changed.
    """

    host = models.OneToOneField(
        Host,
        on_delete=models.PROTECT,
        related_name="frozen_balance",
        help_text="The banned host whose balance was frozen (their id).",
    )
    decision = models.CharField(
        max_length=10,
        choices=FrozenBalanceDecision.choices,
        help_text="released (the balance is paid as usual) or forfeited (taken back by a ledger line).",
    )
    reason = models.CharField(max_length=500, help_text="Why marketing decided so.")
    decided_by = models.ForeignKey(
        "backend.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now, help_text="When marketing decided, UTC.")

    def __str__(self) -> str:
        return f"{self.decision} balance of host {self.host_id}"
