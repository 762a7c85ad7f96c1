"""Parties and guests (SPEC §5): a host's home parties, their states, photos and guest lists."""

from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from ambassadors.models.applications import Application
from ambassadors.models.campaigns import Campaign
from ambassadors.models.hosts import Host
from backend.models import User
from backend.private_files import private_storage


class PartyStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")  # announced by the host; can be edited or cancelled
    HELD = "held", _("Held")  # took place; the host reported guests, highlights, photos
    CLOSED = "closed", _("Closed")  # its attribution window ended; its reward is final
    CANCELLED = "cancelled", _("Cancelled")  # will not take place (final)


PARTY_TRANSITIONS: dict[str, set[str]] = {
    PartyStatus.PLANNED: {PartyStatus.HELD, PartyStatus.CANCELLED},
    PartyStatus.HELD: {PartyStatus.CLOSED},
    PartyStatus.CLOSED: set(),
    PartyStatus.CANCELLED: set(),
}
# The guest list may change while the party can still bring buyers in.
GUEST_LIST_OPEN_STATUSES = frozenset({PartyStatus.PLANNED, PartyStatus.HELD})


class PartyQuerySet(models.QuerySet["Party"]):
    def for_user(self, user: User | AnonymousUser) -> "PartyQuerySet":
        """The parties of the signed-in host (every campaign they host); nothing for anyone else."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(host__user=user)

    def for_host(self, host: "Host") -> "PartyQuerySet":
        return self.filter(host=host)

    def with_guest_count(self) -> "PartyQuerySet":
        return self.annotate(guest_count=models.Count("guests", distinct=True))

    def due_for_closing(self, at: "datetime") -> "PartyQuerySet":
        return self.filter(status=PartyStatus.HELD, attribution_ends_at__lte=at)


# A party's story as its host tells it (title, place, notes, highlights, posts): never needed to
# credit a sale through it.
PARTY_STORY_FIELDS = (
    "title",
    "city",
    "postal_code",
    "notes",
    "highlights",
    "social_post_urls",
    "public_token",
)


class Party(models.Model):
    """A home party of a host: where (city and postal code only, never a street) and when.

    `attribution_ends_at` is the start plus the campaign's attribution window: the party code is
    valid until then and the party closes then. `public_token` addresses the guests' public page.
    """

    host = models.ForeignKey(Host, on_delete=models.PROTECT, related_name="parties")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="parties")
    title = models.CharField(
        max_length=120, help_text="The party's name as its host gave it (e.g. 'Autumn evening at Clara's')."
    )
    starts_at = models.DateTimeField(
        help_text="When the party starts, UTC; inside the campaign's party window."
    )
    city = models.CharField(
        max_length=80,
        help_text="Town of the party, as the host gave it (a town only: a street address is never stored).",
    )
    postal_code = models.CharField(max_length=12, help_text="Postal code where the party takes place.")
    expected_guests = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(200)],
        help_text="Guests the host expects (1 to 200).",
    )
    notes = models.TextField(
        blank=True,
        validators=[MaxLengthValidator(1000)],
        help_text="The host's notes for the party (at most 1,000 characters); not shown to guests.",
    )
    status = models.CharField(
        max_length=16,
        choices=PartyStatus.choices,
        default=PartyStatus.PLANNED,
        help_text="Where the party stands: planned (editable), held (reported), closed (its attribution window ended, reward final) or cancelled.",
    )
    attribution_ends_at = models.DateTimeField(
        db_index=True,
        help_text="Last moment (UTC) an order is credited to the party: its start plus the campaign's attribution window.",
    )
    public_token = models.CharField(max_length=32, unique=True)
    # The report, once held.
    actual_guests = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Guests who came, as the host reported after the party; null until held.",
    )
    highlights = models.TextField(
        blank=True,
        validators=[MaxLengthValidator(2000)],
        help_text="The host's account of the party, once held (at most 2,000 characters).",
    )
    social_post_urls = models.JSONField(
        default=list, blank=True, help_text="Links to the host's social posts about the party (at most 10)."
    )
    held_at = models.DateTimeField(
        null=True, blank=True, help_text="When the host reported the party held, UTC; null before."
    )
    closed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the party's attribution window ended and its reward became final, UTC; null before.",
    )
    cancelled_at = models.DateTimeField(
        null=True, blank=True, help_text="When the party was cancelled, UTC; null unless cancelled."
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="When the host planned the party, UTC.")
    updated_at = models.DateTimeField(auto_now=True, help_text="When the party was last changed, UTC.")

    objects = PartyQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name_plural = "parties"
        constraints = [
            models.CheckConstraint(
                condition=Q(expected_guests__gte=1, expected_guests__lte=200),
                name="party_expected_guests_1_to_200",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "status"]), models.Index(fields=["status", "starts_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"


class PartyStatusChange(models.Model):
    """One row per party status change: who, when, from, to, why (append-only)."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="history")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(default=timezone.now, help_text="When the party changed status, UTC.")
    from_status = models.CharField(
        max_length=16,
        choices=PartyStatus.choices,
        blank=True,
        help_text="The party's status before the change; empty for its creation.",
    )
    to_status = models.CharField(
        max_length=16, choices=PartyStatus.choices, help_text="The party's status after the change."
    )
    reason = models.CharField(
        max_length=500, blank=True, help_text="Why, as the person who moved it wrote; may be empty."
    )

    class Meta:
        ordering = ["at", "id"]


class PartyPhoto(models.Model):
    """A photo of a held party, checked to be a real JPEG/PNG/WebP image under the size limit.

    Kept in private storage: only the party's host and marketing see it, through the API.
    """

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(
        upload_to="parties/%Y/%m/", width_field="width", height_field="height", storage=private_storage
    )
    content_type = models.CharField(
        max_length=32, help_text="The photo's media type (image/jpeg, image/png, image/webp)."
    )
    size_bytes = models.PositiveIntegerField(help_text="Size of the stored photo file, in bytes.")
    width = models.PositiveIntegerField(default=0, help_text="Width of the photo, in pixels.")
    height = models.PositiveIntegerField(default=0, help_text="Height of the photo, in pixels.")
    uploaded_at = models.DateTimeField(
        default=timezone.now, help_text="When the host uploaded the photo, UTC."
    )

    class Meta:
        ordering = ["uploaded_at", "id"]


class GuestSource(models.TextChoices):
    HOST = "host", _("Added by the host")  # the host confirmed the guest agreed
    SELF = "self", _("Registered on the party page")  # the guest registered and consented


class Guest(models.Model):
    """A party guest. E-mails are normalised (trimmed, lower-case) and unique per party.

    A guest withdraws through the link in their confirmation e-mail: the row is erased.
    """

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="guests")
    source = models.CharField(
        max_length=8,
        choices=GuestSource.choices,
        help_text="How the guest joined the list: added by the host (who confirmed the guest agreed) or registered on the party page.",
    )
    first_name = models.CharField(max_length=60, help_text="The guest's first name.")
    last_name = models.CharField(max_length=60, blank=True, help_text="The guest's last name; may be empty.")
    email = models.EmailField(max_length=254, blank=True)
    phone = PhoneNumberField(blank=True)
    # When the host confirmed the guest agreed to be listed, or when the guest accepted the terms.
    consent_at = models.DateTimeField(
        help_text="When the guest agreed to be listed: the host's confirmation, or the guest accepting the terms on the party page (UTC)."
    )
    marketing_consent_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the guest agreed to the brand's marketing e-mails, UTC; null when not.",
    )
    wants_to_host = models.BooleanField(
        default=False,
        help_text="True when the guest said they would like to host a party too: a lead for recruitment.",
    )
    booked_application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="booking_guests"
    )
    withdrawal_token = models.CharField(max_length=43, unique=True)
    language = models.CharField(max_length=8, default="en")
    created_at = models.DateTimeField(
        auto_now_add=True, help_text="When the guest was added to the list, UTC."
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["party", "email"], condition=~Q(email=""), name="one_guest_per_email_per_party"
            ),
            models.CheckConstraint(condition=~Q(email="") | ~Q(phone=""), name="guest_has_email_or_phone"),
        ]
        indexes = [models.Index(fields=["email"])]

    def __str__(self) -> str:
        return f"{self.first_name} @ party #{self.party_id}"
