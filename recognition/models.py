"""Hosts, recognised (SPEC §16): milestones reached from facts, personal notes from the brand, and
the per-campaign switch (and each host's consent) for a public list of the campaign's top hosts."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambassadors.models import Campaign, Host, Party
from referrals.models import LedgerEntry
from referrals.models.rewards import MONEY


class MilestoneKind(models.TextChoices):
    FIRST_PARTY_HELD = "first_party_held", _("First party held")  # a party of hers was held (or closed)
    FIRST_QUALIFIED_PARTY = "first_qualified_party", _("First qualified party")  # met the plan's thresholds
    TEN_GUESTS = "ten_guests", _("10 guests welcomed")  # on the lists of her held parties
    FIFTY_GUESTS = "fifty_guests", _("50 guests welcomed")
    FIRST_SALE = "first_sale", _("First sale through the code")  # a sale credited to her, earning
    TOP_TEN_PARTY = "top_ten_party", _("A party in the campaign's top ten")  # by credited net sales


class Milestone(models.Model):
    """A milestone a host reached, recorded once: the unique (host, kind) pair makes a second run of
    the job (or two at once) insert nothing. `announced_at` is set when its e-mail is queued."""

    host = models.ForeignKey(
        Host,
        on_delete=models.CASCADE,
        related_name="milestones",
        help_text="The host who reached it (their id).",
    )
    kind = models.CharField(
        max_length=32,
        choices=MilestoneKind.choices,
        help_text="Which milestone: first party held, first qualified party, 10 or 50 guests welcomed, first sale through the code, a party in the campaign's top ten.",
    )
    # The party that reached it, when one did (held, qualified, top ten).
    party = models.ForeignKey(
        Party,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The party that reached it, when one did; null otherwise.",
    )
    reached_at = models.DateTimeField(default=timezone.now, help_text="When the milestone was reached, UTC.")
    announced_at = models.DateTimeField(
        null=True, blank=True, help_text="When the host was told (e-mail and portal), UTC; null until then."
    )

    class Meta:
        ordering = ["reached_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["host", "kind"], name="one_milestone_of_a_kind_per_host")
        ]
        indexes = [models.Index(fields=["kind", "host"])]

    def __str__(self) -> str:
        return f"{self.kind} of host #{self.host_id}"


class BrandNote(models.Model):
    """A personal note from the brand to one host, greeting her by name when she reads it, with an
    optional gift of store credit: an approved manual adjustment of her rewards ledger (`gift`),
    made with the note by the same person. `milestone` says which milestone's hosts it was sent to."""

    host = models.ForeignKey(
        Host,
        on_delete=models.CASCADE,
        related_name="brand_notes",
        help_text="The host the note is for (their id).",
    )
    body = models.TextField(
        validators=[MaxLengthValidator(2000)],
        help_text="The brand's message to the host (at most 2,000 characters).",
    )
    milestone = models.CharField(
        max_length=32,
        choices=MilestoneKind.choices,
        blank=True,
        help_text="The milestone the note congratulates, if any; empty for a note on its own.",
    )
    gift_amount = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        help_text="A gift added to the host's rewards with the note, in `gift_currency`; null without a gift.",
    )
    gift_currency = models.CharField(
        max_length=3,
        blank=True,
        help_text="ISO 4217 code of the gift (the campaign's currency); empty without a gift.",
    )
    gift = models.OneToOneField(
        LedgerEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="brand_note"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text="The staff member who wrote it.",
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When the note was sent, UTC.")
    read_at = models.DateTimeField(
        null=True, blank=True, help_text="When the host first read it, UTC; null while unread."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(gift_amount__isnull=True) | Q(gift_amount__gt=0), name="brand_note_gift_positive"
            )
        ]

    def __str__(self) -> str:
        return f"note #{self.pk} to host #{self.host_id}"


class CampaignRecognition(models.Model):
    """Marketing's choices for a campaign: no public leaderboard unless turned on here."""

    campaign = models.OneToOneField(
        Campaign,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The campaign (its id).",
    )
    public_leaderboard = models.BooleanField(
        default=False, help_text="True when the campaign's leaderboard of hosts is public; off by default."
    )
    updated_at = models.DateTimeField(auto_now=True, help_text="When the setting was last changed, UTC.")


class LeaderboardConsent(models.Model):
    """The host agreed to have her first name and city on her campaign's public leaderboard (when
    marketing turns it on). Withdrawing deletes the row."""

    host = models.OneToOneField(Host, primary_key=True, on_delete=models.CASCADE, related_name="+")
    consented_at = models.DateTimeField(default=timezone.now)
