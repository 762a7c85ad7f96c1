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


class PayoutQuerySet(models.QuerySet["Payout"]):
    def for_user(self, user: User | AnonymousUser) -> "PayoutQuerySet":
        if not user.is_authenticated:
            return self.none()
        return self.filter(host__user=user)


class Payout(models.Model):
    """One payment of a host's approved balance. `idempotency_key` makes the Stripe call exactly-once."""

    host = models.ForeignKey(Host, on_delete=models.PROTECT, related_name="payouts")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="payouts")
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    method = models.CharField(max_length=16, choices=PayoutMethod.choices)
    status = models.CharField(max_length=8, choices=PayoutStatus.choices, default=PayoutStatus.PENDING)
    idempotency_key = models.CharField(max_length=64, unique=True)
    stripe_transfer_id = models.CharField(max_length=64, blank=True)
    store_credit_code = models.CharField(max_length=64, blank=True)
    stripe_promotion_code_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)
    marked_paid_by = models.ForeignKey(
        "backend.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PayoutQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payout_amount_positive")]

    def __str__(self) -> str:
        return f"payout #{self.pk} {self.amount} {self.currency}"


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
