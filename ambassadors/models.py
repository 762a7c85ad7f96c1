from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField


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
    def open_for_applications(self, at: "timezone.datetime | None" = None) -> "CampaignQuerySet":
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
    def for_user(self, user: object) -> "HostQuerySet":
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
