"""Hosts: selected applicants taking part in a campaign, their states and their history."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from ambassadors.models.applications import Application
from ambassadors.models.campaigns import Campaign
from backend.models import User


class HostStatus(models.TextChoices):
    INVITED = "invited", _("Invited")  # selected; has not signed in yet
    ACTIVE = "active", _("Active")  # signed in; codes earn rewards
    PAUSED = "paused", _("Paused")  # temporarily earns nothing
    ALUMNI = "alumni", _("Alumni")  # campaign over, kept for history
    BANNED = "banned", _("Banned")  # codes stop working, earns nothing, never selected again


HOST_TRANSITIONS: dict[str, set[str]] = {
    HostStatus.INVITED: {HostStatus.ACTIVE, HostStatus.PAUSED, HostStatus.BANNED, HostStatus.ALUMNI},
    HostStatus.ACTIVE: {HostStatus.PAUSED, HostStatus.ALUMNI, HostStatus.BANNED},
    HostStatus.PAUSED: {HostStatus.ACTIVE, HostStatus.ALUMNI, HostStatus.BANNED},
    HostStatus.ALUMNI: {HostStatus.BANNED},
    HostStatus.BANNED: set(),
}
EARNING_HOST_STATUSES = frozenset({HostStatus.INVITED, HostStatus.ACTIVE, HostStatus.ALUMNI})


class HostQuerySet(models.QuerySet["Host"]):
    def for_user(self, user: User | AnonymousUser) -> "HostQuerySet":
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)


# What a host tells about herself (name, phone, kit address): never needed to credit or reward her
# sales, so the queries that do (one row per host of a batch) leave it out.
HOST_PERSONAL_FIELDS = (
    "first_name",
    "last_name",
    "phone",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "country",
)


class Host(models.Model):
    """A selected applicant taking part in one campaign. A person hosts once per campaign."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="hostings")
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        related_name="hosts",
        help_text="The campaign the host takes part in (its id); a person hosting again has one host row per campaign.",
    )
    application = models.OneToOneField(
        Application,
        on_delete=models.PROTECT,
        related_name="host",
        help_text="The application the host was selected from (its id).",
    )
    status = models.CharField(
        max_length=16,
        choices=HostStatus.choices,
        default=HostStatus.INVITED,
        help_text="Where the host stands: invited (selected, not signed in yet), active (codes earn), paused (earns nothing for now), alumni (campaign over) or banned (codes stop, never selected again).",
    )
    first_name = models.CharField(max_length=60, help_text="The host's first name.")
    last_name = models.CharField(max_length=60, help_text="The host's last name.")
    phone = PhoneNumberField()
    address_line1 = models.CharField(max_length=120, help_text="Street address the kit is sent to.")
    address_line2 = models.CharField(
        max_length=120, blank=True, help_text="The rest of the kit address (building, floor); may be empty."
    )
    postal_code = models.CharField(max_length=12, help_text="Postal code of the kit address.")
    city = models.CharField(max_length=80, help_text="Town of the kit address.")
    country = models.CharField(max_length=2, help_text="Country of the kit address, ISO 3166-1 alpha-2 (FR).")
    selected_at = models.DateTimeField(
        default=timezone.now, help_text="When marketing selected the host, UTC."
    )
    activated_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the host first signed in and became active, UTC; null while invited.",
    )

    objects = HostQuerySet.as_manager()

    class Meta:
        ordering = ["-selected_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "campaign"], name="one_host_per_user_per_campaign")
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.campaign})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def earns(self) -> bool:
        return self.status in EARNING_HOST_STATUSES


class HostStatusChange(models.Model):
    host = models.ForeignKey(Host, on_delete=models.CASCADE, related_name="history")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(default=timezone.now)
    from_status = models.CharField(max_length=16, choices=HostStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=HostStatus.choices)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
