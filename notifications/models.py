"""What notifications remember: which were sent (so each goes once) and which their recipients turned off.

A guest has no account: their choices belong to their guest row (one party), and go with it when
they leave the list. A host's choices belong to their account, so they hold across campaigns.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambassadors.models import Guest, Host


class Kind(models.TextChoices):
    # to guests
    GUEST_INVITATION = "guest_invitation", _("The invitation, with the party in your calendar")
    GUEST_REMINDER = "guest_reminder", _("A reminder the day before the party")
    GUEST_THANKS = "guest_thanks", _("A thank-you after the party, with the shop link")
    GUEST_PARTY_CANCELLED = "guest_party_cancelled", _("A note if the party is cancelled")
    # to hosts
    HOST_REPORT_REMINDER = "host_report_reminder", _("A reminder to report your party once it is over")
    HOST_KIT_RETURN = "host_kit_return", _("A reminder of your kit's return date")
    HOST_EARNED = "host_earned", _("What each party earned you")
    HOST_PAYOUT_SENT = "host_payout_sent", _("A note when a payout is sent to you")


GUEST_KINDS = (Kind.GUEST_INVITATION, Kind.GUEST_REMINDER, Kind.GUEST_THANKS, Kind.GUEST_PARTY_CANCELLED)
HOST_KINDS = (Kind.HOST_REPORT_REMINDER, Kind.HOST_KIT_RETURN, Kind.HOST_EARNED, Kind.HOST_PAYOUT_SENT)


class SentNotification(models.Model):
    """One notification queued for one recipient about one thing (`about`: `party:12`,
    `shipment:3`, `payout:9`). Unique, so a job that runs again finds it and sends nothing more."""

    kind = models.CharField(max_length=32, choices=Kind.choices)
    guest = models.ForeignKey(Guest, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    host = models.ForeignKey(Host, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    about = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(guest__isnull=True, host__isnull=False)
                | Q(guest__isnull=False, host__isnull=True),
                name="sent_notification_one_recipient",
            ),
            models.UniqueConstraint(
                fields=["kind", "guest", "about"],
                condition=Q(guest__isnull=False),
                name="one_notification_per_guest",
            ),
            models.UniqueConstraint(
                fields=["kind", "host", "about"],
                condition=Q(host__isnull=False),
                name="one_notification_per_host",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} about {self.about}"


class OptOut(models.Model):
    """A recipient turned this kind of notification off: a guest (for their party) or a host's account."""

    kind = models.CharField(max_length=32, choices=Kind.choices)
    guest = models.ForeignKey(Guest, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(guest__isnull=True, user__isnull=False)
                | Q(guest__isnull=False, user__isnull=True),
                name="opt_out_one_recipient",
            ),
            models.UniqueConstraint(
                fields=["kind", "guest"], condition=Q(guest__isnull=False), name="one_opt_out_per_guest"
            ),
            models.UniqueConstraint(
                fields=["kind", "user"], condition=Q(user__isnull=False), name="one_opt_out_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} off"
