"""Referral codes, the clicks on their links, and the Stripe coupon their promotion codes mirror (SPEC §7)."""

from datetime import datetime, time

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambassadors.models import Campaign, Host, HostStatus, Party, PartyStatus
from backend.models import User

# Codes read aloud and typed on phones: no 0/O/1/I to confuse.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_SUFFIX_LENGTH = 4


class CodeKind(models.TextChoices):
    HOST = "host", _("Host code")  # one per host per campaign, valid while the host takes part
    PARTY = "party", _("Party code")  # one per party, valid from the party day to its window's end


class ReferralCodeQuerySet(models.QuerySet["ReferralCode"]):
    def for_user(self, user: User | AnonymousUser) -> "ReferralCodeQuerySet":
        if not user.is_authenticated:
            return self.none()
        return self.filter(host__user=user)

    def lookup(self, raw: str) -> "ReferralCode | None":
        """The code typed or clicked, case-insensitively; None when unknown."""
        normalised = normalise_code(raw)
        if not normalised:
            return None
        return self.select_related("host", "party", "campaign").filter(code=normalised).first()


def normalise_code(raw: str) -> str:
    return (raw or "").strip().upper()[:32]


class ReferralCode(models.Model):
    """A human-friendly code (`CLARA-7K2F`) crediting a host, or one of their parties.

    Stored upper-case, unique forever: codes are never deleted (PROTECT) nor reused. Validity is
    derived from today's facts (host state, party dates, deactivation), so it can never go stale.
    """

    code = models.CharField(
        max_length=32,
        unique=True,
        help_text="The code as typed at checkout (CLARA-7K2F), upper-case, unique forever.",
    )
    kind = models.CharField(
        max_length=8,
        choices=CodeKind.choices,
        help_text="host (the host's own, valid while they take part) or party (valid from the party's day to the end of its attribution window).",
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        related_name="referral_codes",
        help_text="The campaign the code credits (its id).",
    )
    host = models.ForeignKey(
        Host,
        on_delete=models.PROTECT,
        related_name="referral_codes",
        help_text="The host the code credits (their id).",
    )
    party = models.OneToOneField(
        Party,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referral_code",
        help_text="The party a party code credits (its id); null for a host code.",
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When the code was issued, UTC.")
    deactivated_at = models.DateTimeField(
        null=True, blank=True, help_text="When the code was turned off, UTC; null while on."
    )
    deactivation_reason = models.CharField(max_length=200, blank=True)
    # Mirror of the code as a Stripe promotion code, when the campaign offers a guest discount.
    stripe_promotion_code_id = models.CharField(max_length=64, blank=True)

    objects = ReferralCodeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["host"], condition=Q(kind="host"), name="one_host_code_per_host"),
            models.CheckConstraint(
                condition=(Q(kind="host") & Q(party__isnull=True))
                | (Q(kind="party") & Q(party__isnull=False)),
                name="party_code_has_party",
            ),
        ]
        indexes = [
            # A Stripe checkout names its discount by this id: attribution finds the code by it.
            models.Index(
                fields=["stripe_promotion_code_id"],
                condition=~Q(stripe_promotion_code_id=""),
                name="code_by_promotion_code",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def active(self) -> bool:
        return self.deactivated_at is None and self.host.status != HostStatus.BANNED

    def valid_from(self) -> datetime:
        if self.kind == CodeKind.PARTY and self.party is not None:
            party_day = timezone.localtime(self.party.starts_at).date()
            return timezone.make_aware(datetime.combine(party_day, time.min))
        return min(self.created_at, self.host.selected_at)

    def valid_until(self) -> datetime | None:
        if self.kind == CodeKind.PARTY and self.party is not None:
            return self.party.attribution_ends_at
        return None

    def is_shareable_at(self, at: datetime) -> bool:
        """True when the code credits orders at `at` or later (an upcoming party's code): worth sharing."""
        if not self.active:
            return False
        if self.kind == CodeKind.PARTY and (self.party is None or self.party.status == PartyStatus.CANCELLED):
            return False
        until = self.valid_until()
        return until is None or at <= until

    def is_valid_at(self, at: datetime) -> bool:
        """True when an order placed at `at` may be credited through this code."""
        return self.is_shareable_at(at) and self.valid_from() <= at


class Click(models.Model):
    """One human visit through `/r/<code>`. Never the raw IP: a salted hash of IP and user agent."""

    code = models.ForeignKey(ReferralCode, on_delete=models.CASCADE, related_name="clicks")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    token = models.CharField(max_length=32, unique=True)
    visitor_hash = models.CharField(max_length=64)
    referrer_host = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["code", "at"])]

    def __str__(self) -> str:
        return f"{self.code_id} @ {self.at:%Y-%m-%d %H:%M}"


class CampaignCoupon(models.Model):
    """The Stripe coupon behind a campaign's guest discount; its promotion codes mirror our codes."""

    campaign = models.OneToOneField(Campaign, on_delete=models.PROTECT, related_name="stripe_coupon")
    stripe_coupon_id = models.CharField(max_length=64)
    percent_off = models.DecimalField(max_digits=5, decimal_places=2)
    created_at = models.DateTimeField(default=timezone.now)
