from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from backend.models import User


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # being prepared, invisible to the public
    RECRUITING = "recruiting", _("Recruiting")  # the application form is open inside its window
    SELECTING = "selecting", _("Selecting")  # applications closed, marketing picks hosts
    RUNNING = "running", _("Running")  # hosts hold parties, orders are attributed
    CLOSED = "closed", _("Closed")  # over; nothing new is credited


CAMPAIGN_TRANSITIONS: dict[str, set[str]] = {
    CampaignStatus.DRAFT: {CampaignStatus.RECRUITING},
    CampaignStatus.RECRUITING: {CampaignStatus.SELECTING, CampaignStatus.DRAFT},
    CampaignStatus.SELECTING: {CampaignStatus.RUNNING, CampaignStatus.RECRUITING},
    CampaignStatus.RUNNING: {CampaignStatus.CLOSED},
    CampaignStatus.CLOSED: set(),
}


class KitReturnPolicy(models.TextChoices):
    DEDUCT_RETAIL = "deduct_retail", _("Deduct missing items from rewards at retail price")
    DEDUCT_COST = "deduct_cost", _("Deduct missing items from rewards at cost")
    GIFT = "gift", _("Missing items are a gift to the host")
    WRITE_OFF = "write_off", _("Write missing items off")


class CampaignQuerySet(models.QuerySet["Campaign"]):
    def open_for_applications(self, at: "datetime | None" = None) -> "CampaignQuerySet":
        at = at or timezone.now()
        return self.filter(
            status=CampaignStatus.RECRUITING, applications_open_at__lte=at, applications_close_at__gt=at
        )


class Campaign(models.Model):
    """A recruitment and selling season (e.g. "Autumn-winter 2026") with its rules and windows."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True, validators=[MaxLengthValidator(5000)])
    collection_name = models.CharField(max_length=120, blank=True)
    shop_url = models.URLField(max_length=500)
    applications_open_at = models.DateTimeField()
    applications_close_at = models.DateTimeField()
    host_slots = models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(100_000)])
    # Where the campaign recruits: ISO 3166-1 alpha-2 codes. The first is the home country (phone region).
    eligible_countries = models.JSONField(default=list)
    party_window_start = models.DateTimeField()
    party_window_end = models.DateTimeField()
    attribution_window_days = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    guest_discount_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    currency = models.CharField(max_length=3, default="EUR")
    status = models.CharField(max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    kit_return_due_on = models.DateField(null=True, blank=True)
    kit_return_policy = models.CharField(
        max_length=16, choices=KitReturnPolicy.choices, default=KitReturnPolicy.DEDUCT_COST
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-applications_open_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(applications_close_at__gt=models.F("applications_open_at")),
                name="campaign_application_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(party_window_end__gt=models.F("party_window_start")),
                name="campaign_party_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def home_country(self) -> str:
        return self.eligible_countries[0] if self.eligible_countries else "FR"


class CampaignStatusChange(models.Model):
    """One row per campaign status change: who, when, from, to, why (append-only)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="history")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(default=timezone.now)
    from_status = models.CharField(max_length=16, choices=CampaignStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=CampaignStatus.choices)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")  # waiting for review
    SHORTLISTED = "shortlisted", _("Shortlisted")  # a likely pick
    WAITLISTED = "waitlisted", _("Waitlisted")  # kept in reserve if slots free up
    REJECTED = "rejected", _("Rejected")  # not taken; the reason is e-mailed
    SELECTED = "selected", _("Selected")  # became a host (final)


APPLICATION_TRANSITIONS: dict[str, set[str]] = {
    ApplicationStatus.SUBMITTED: {
        ApplicationStatus.SHORTLISTED,
        ApplicationStatus.WAITLISTED,
        ApplicationStatus.REJECTED,
        ApplicationStatus.SELECTED,
    },
    ApplicationStatus.SHORTLISTED: {
        ApplicationStatus.WAITLISTED,
        ApplicationStatus.REJECTED,
        ApplicationStatus.SELECTED,
    },
    ApplicationStatus.WAITLISTED: {
        ApplicationStatus.SHORTLISTED,
        ApplicationStatus.REJECTED,
        ApplicationStatus.SELECTED,
    },
    ApplicationStatus.REJECTED: {ApplicationStatus.WAITLISTED, ApplicationStatus.SHORTLISTED},
    ApplicationStatus.SELECTED: set(),
}


class SocialNetwork(models.TextChoices):
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    GOOGLE = "google", "Google"
    TIKTOK = "tiktok", "TikTok"
    OTHER = "other", _("Other")


class ApplicationQuerySet(models.QuerySet["Application"]):
    def for_campaign(self, campaign: Campaign) -> "ApplicationQuerySet":
        return self.filter(campaign=campaign)


class Application(models.Model):
    """A fan's social sign-up to host for a campaign, with its score and risk flags."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(
        max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED, db_index=True
    )
    first_name = models.CharField(max_length=60)
    last_name = models.CharField(max_length=60)
    email = models.EmailField(max_length=254)
    phone = PhoneNumberField()
    address_line1 = models.CharField(max_length=120)
    address_line2 = models.CharField(max_length=120, blank=True)
    postal_code = models.CharField(max_length=12)
    city = models.CharField(max_length=80)
    country = models.CharField(max_length=2)
    motivation = models.TextField(blank=True, validators=[MaxLengthValidator(1000)])
    expected_guests = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    preferred_party_period = models.CharField(max_length=100, blank=True)
    # Consents are timestamps: when the applicant ticked the box; null = not given.
    terms_accepted_at = models.DateTimeField()
    marketing_consent_at = models.DateTimeField(null=True, blank=True)
    photo_consent_at = models.DateTimeField(null=True, blank=True)
    # The social identity: verified when it came from a social sign-in, self-declared otherwise.
    social_network = models.CharField(max_length=16, choices=SocialNetwork.choices, blank=True)
    social_handle = models.CharField(max_length=100, blank=True)
    social_profile_url = models.URLField(max_length=300, blank=True)
    social_uid = models.CharField(max_length=191, blank=True)
    follower_count = models.PositiveIntegerField(null=True, blank=True)
    social_verified = models.BooleanField(default=False)
    utm_source = models.CharField(max_length=100, blank=True)
    utm_medium = models.CharField(max_length=100, blank=True)
    utm_campaign = models.CharField(max_length=100, blank=True)
    utm_term = models.CharField(max_length=100, blank=True)
    utm_content = models.CharField(max_length=100, blank=True)
    # Salted hash of the submitting IP (never the raw address): counts applications per source.
    ip_hash = models.CharField(max_length=64, blank=True, db_index=True)
    score = models.DecimalField(max_digits=6, decimal_places=2, default=0, db_index=True)
    score_explanation = models.JSONField(default=list)
    risk_flags = models.JSONField(default=list)
    # Set when a guest asked to host at a party: that party's host may earn the booking bonus.
    booked_from_party = models.ForeignKey(
        "Party", null=True, blank=True, on_delete=models.SET_NULL, related_name="booked_applications"
    )
    language = models.CharField(max_length=8, default="en")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "email"], name="one_application_per_email_per_campaign"
            ),
        ]
        indexes = [models.Index(fields=["campaign", "status", "-score"]), models.Index(fields=["phone"])]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} → {self.campaign}"

    @property
    def postal_prefix(self) -> str:
        return self.postal_code[:2]


class ApplicationStatusChange(models.Model):
    """One row per status change: who, when, from, to, why (append-only)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="history")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(default=timezone.now)
    from_status = models.CharField(max_length=16, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ApplicationStatus.choices)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]


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


class Host(models.Model):
    """A selected applicant taking part in one campaign. A person hosts once per campaign."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="hostings")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="hosts")
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="host")
    status = models.CharField(max_length=16, choices=HostStatus.choices, default=HostStatus.INVITED)
    first_name = models.CharField(max_length=60)
    last_name = models.CharField(max_length=60)
    phone = PhoneNumberField()
    address_line1 = models.CharField(max_length=120)
    address_line2 = models.CharField(max_length=120, blank=True)
    postal_code = models.CharField(max_length=12)
    city = models.CharField(max_length=80)
    country = models.CharField(max_length=2)
    selected_at = models.DateTimeField(default=timezone.now)
    activated_at = models.DateTimeField(null=True, blank=True)

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


# --- Parties and guests (SPEC §5) -------------------------------------------------------------


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


class Party(models.Model):
    """A home party of a host: where (city and postal code only, never a street) and when.

    `attribution_ends_at` is the start plus the campaign's attribution window: the party code is
    valid until then and the party closes then. `public_token` addresses the guests' public page.
    """

    host = models.ForeignKey(Host, on_delete=models.PROTECT, related_name="parties")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="parties")
    title = models.CharField(max_length=120)
    starts_at = models.DateTimeField()
    city = models.CharField(max_length=80)
    postal_code = models.CharField(max_length=12)
    expected_guests = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    notes = models.TextField(blank=True, validators=[MaxLengthValidator(1000)])
    status = models.CharField(max_length=16, choices=PartyStatus.choices, default=PartyStatus.PLANNED)
    attribution_ends_at = models.DateTimeField(db_index=True)
    public_token = models.CharField(max_length=32, unique=True)
    # The report, once held.
    actual_guests = models.PositiveSmallIntegerField(null=True, blank=True)
    highlights = models.TextField(blank=True, validators=[MaxLengthValidator(2000)])
    social_post_urls = models.JSONField(default=list, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

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
    at = models.DateTimeField(default=timezone.now)
    from_status = models.CharField(max_length=16, choices=PartyStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=PartyStatus.choices)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]


class PartyPhoto(models.Model):
    """A photo of a held party, checked to be a real JPEG/PNG/WebP image under the size limit."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="parties/%Y/%m/", width_field="width", height_field="height")
    content_type = models.CharField(max_length=32)
    size_bytes = models.PositiveIntegerField()
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(default=timezone.now)

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
    source = models.CharField(max_length=8, choices=GuestSource.choices)
    first_name = models.CharField(max_length=60)
    last_name = models.CharField(max_length=60, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    phone = PhoneNumberField(blank=True)
    # When the host confirmed the guest agreed to be listed, or when the guest accepted the terms.
    consent_at = models.DateTimeField()
    marketing_consent_at = models.DateTimeField(null=True, blank=True)
    wants_to_host = models.BooleanField(default=False)
    booked_application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="booking_guests"
    )
    withdrawal_token = models.CharField(max_length=43, unique=True)
    language = models.CharField(max_length=8, default="en")
    created_at = models.DateTimeField(auto_now_add=True)

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
