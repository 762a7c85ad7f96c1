"""Which host (and party) an order is credited to, and the audit trail of every change (SPEC §7)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambassadors.models import Campaign, Host, Party
from referrals.models.codes import Click, ReferralCode


class AttributionMethod(models.TextChoices):
    CODE = "code", _("Code entered at checkout")  # rule 1
    LINK = "link", _("Referral link clicked")  # rule 2
    GUEST = "guest", _("Guest of a party")  # rule 3
    MANUAL = "manual", _("Set by marketing")  # re-attributed by hand, with a reason
    NONE = "none", _("Unattributed")  # nothing matched; `reason` says why


class AttributionReason(models.TextChoices):
    UNKNOWN_CODE = "unknown_code", _("The code entered is not one of ours")
    EXPIRED_CODE = "expired_code", _("The code entered was not valid at the order time")
    UNRESOLVED_PROMOTION_CODE = (
        "unresolved_promotion_code",
        _("Stripe could not tell the promotion code's text; retried by reconciliation"),
    )
    NO_MATCH = "no_match", _("No code, link or guest list matched")
    WAITING_FOR_RATE = (
        "waiting_for_rate",
        _("Paid in another currency than its campaign's: credited once the day's exchange rate is loaded"),
    )
    SELF_REFERRAL = "self_referral", _("The buyer is the host: credited, earns nothing")
    HOST_NOT_EARNING = "host_not_earning", _("The host is paused or banned: credited, earns nothing")


class Attribution(models.Model):
    """The one attribution of an order: to whom, by which rule, and a sentence a person can read.

    `earns` is false for self-referrals and hosts who are paused or banned; the rewards ledger
    only counts attributions that earn.
    """

    order = models.OneToOneField(
        "orders.Order",
        on_delete=models.CASCADE,
        related_name="attribution",
        help_text="The order attributed (its id).",
    )
    method = models.CharField(
        max_length=8,
        choices=AttributionMethod.choices,
        help_text="The rule that decided: code entered at checkout, referral link clicked, guest of a party, set by marketing, or none.",
    )
    reason = models.CharField(max_length=28, choices=AttributionReason.choices, blank=True)
    campaign = models.ForeignKey(
        Campaign,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="The campaign credited (its id); null when unattributed.",
    )
    host = models.ForeignKey(
        Host,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attributions",
        help_text="The host credited (their id); null when unattributed.",
    )
    party = models.ForeignKey(
        Party,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attributions",
        help_text="The party credited (its id); null when the credit is the host's own code or link.",
    )
    referral_code = models.ForeignKey(ReferralCode, null=True, blank=True, on_delete=models.PROTECT)
    click = models.ForeignKey(Click, null=True, blank=True, on_delete=models.SET_NULL)
    earns = models.BooleanField(
        default=False,
        help_text="True when the order earns the credited host rewards; false when the buyer is the host (self-referral), the host is paused or banned, or the order was cancelled.",
    )
    explanation = models.CharField(
        max_length=300,
        help_text="The attribution in one sentence a person reads, e.g. 'code CLARA-7K2F entered at checkout'.",
    )
    decided_at = models.DateTimeField(
        default=timezone.now, help_text="When the attribution was last decided, UTC."
    )

    class Meta:
        indexes = [
            models.Index(fields=["campaign", "host"]),
            models.Index(fields=["method", "decided_at"]),
        ]

    def __str__(self) -> str:
        return self.explanation


class AttributionChange(models.Model):
    """Audit trail of every attribution decision after the first: who, when, from what, to what, why."""

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="attribution_changes")
    at = models.DateTimeField(default=timezone.now, help_text="When the order was re-attributed, UTC.")
    by = models.ForeignKey("backend.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    from_method = models.CharField(
        max_length=8, choices=AttributionMethod.choices, help_text="The rule that had decided before."
    )
    from_host = models.ForeignKey(
        Host,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The host credited before (their id); null if none.",
    )
    from_party = models.ForeignKey(
        Party,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The party credited before (its id); null if none.",
    )
    to_method = models.CharField(
        max_length=8,
        choices=AttributionMethod.choices,
        help_text="The rule after the change (manual for marketing's).",
    )
    to_host = models.ForeignKey(
        Host,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The host credited after (their id); null if none.",
    )
    to_party = models.ForeignKey(
        Party,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The party credited after (its id); null if none.",
    )
    reason = models.CharField(max_length=500, help_text="Why marketing re-attributed the order.")

    class Meta:
        ordering = ["at", "id"]
