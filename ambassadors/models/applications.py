"""Applications: a fan's sign-up to host for a campaign, its states and their history."""

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from ambassadors.models.campaigns import Campaign


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
