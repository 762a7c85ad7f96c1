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

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        related_name="applications",
        help_text="The campaign applied to (its id).",
    )
    status = models.CharField(
        max_length=16,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
        db_index=True,
        help_text="Where the application stands: submitted (to review), shortlisted, waitlisted, rejected (the reason was e-mailed) or selected (became a host, final).",
    )
    first_name = models.CharField(
        max_length=60, help_text="The applicant's first name, as typed on the form."
    )
    last_name = models.CharField(max_length=60, help_text="The applicant's last name, as typed on the form.")
    email = models.EmailField(
        max_length=254,
        help_text="The applicant's e-mail address, trimmed and lower-cased; every message of the programme goes to it.",
    )
    phone = PhoneNumberField()
    address_line1 = models.CharField(max_length=120, help_text="Street address where the kit will be sent.")
    address_line2 = models.CharField(
        max_length=120, blank=True, help_text="Building, floor, flat: the rest of the address; may be empty."
    )
    postal_code = models.CharField(
        max_length=12, help_text="Postal code of the kit address (five digits in France)."
    )
    city = models.CharField(max_length=80, help_text="Town of the kit address.")
    country = models.CharField(
        max_length=2,
        help_text="Country of the kit address: an ISO 3166-1 alpha-2 code (FR), one of the campaign's eligible countries.",
    )
    motivation = models.TextField(
        blank=True,
        validators=[MaxLengthValidator(1000)],
        help_text="Why the applicant wants to host, in their words (at most 1,000 characters); 100 characters or more earn the motivation points of the score.",
    )
    expected_guests = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(200)],
        help_text="How many guests the applicant expects at their party (1 to 200); up to 25 count for the score.",
    )
    preferred_party_period = models.CharField(
        max_length=100,
        blank=True,
        help_text="When the applicant would like to hold their party, in their words (e.g. 'mid-October, a Saturday').",
    )
    # Consents are timestamps: when the applicant ticked the box; null = not given.
    terms_accepted_at = models.DateTimeField(
        help_text="When the applicant accepted the programme terms (required to apply), UTC."
    )
    marketing_consent_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the applicant agreed to receive the brand's marketing e-mails, UTC; null when they did not.",
    )
    photo_consent_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the applicant agreed that photos of their party may be used by the brand, UTC; null when they did not.",
    )
    # The social identity: verified when it came from a social sign-in, self-declared otherwise.
    social_network = models.CharField(max_length=16, choices=SocialNetwork.choices, blank=True)
    social_handle = models.CharField(
        max_length=100,
        blank=True,
        help_text="The applicant's handle on their social network, without the @; empty without a social network.",
    )
    social_profile_url = models.URLField(max_length=300, blank=True)
    social_uid = models.CharField(
        max_length=191,
        blank=True,
        help_text="The network's own id of the account proved by sign-in; empty unless verified.",
    )
    follower_count = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Followers of the social account, as declared or read at sign-in; null when not given. Counted log-scaled in the score.",
    )
    social_verified = models.BooleanField(
        default=False,
        help_text="True when the applicant proved owning the social account by signing in with it (worth 15 points of score).",
    )
    utm_source = models.CharField(
        max_length=100,
        blank=True,
        help_text="The utm_source tag of the link the applicant came by (e.g. instagram); empty when none.",
    )
    utm_medium = models.CharField(
        max_length=100,
        blank=True,
        help_text="The utm_medium tag of the link the applicant came by (e.g. social, email); empty when none.",
    )
    utm_campaign = models.CharField(
        max_length=100,
        blank=True,
        help_text="The utm_campaign tag of the link the applicant came by; empty when none.",
    )
    utm_term = models.CharField(
        max_length=100,
        blank=True,
        help_text="The utm_term tag of the link the applicant came by; empty when none.",
    )
    utm_content = models.CharField(
        max_length=100,
        blank=True,
        help_text="The utm_content tag of the link the applicant came by; empty when none.",
    )
    # Salted hash of the submitting IP (never the raw address): counts applications per source.
    ip_hash = models.CharField(max_length=64, blank=True, db_index=True)
    score = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=0,
        db_index=True,
        help_text="Merit score for ranking applications, the sum of the points in `score_explanation` (followers, verified account, expected guests, motivation); risk flags never lower it.",
    )
    score_explanation = models.JSONField(
        default=list, help_text="Why the application has its score: one line per factor that gave points."
    )
    risk_flags = models.JSONField(
        default=list,
        help_text="Facts for a person to check before selecting, never a verdict: same_phone, same_address (another application of the campaign shares it), disposable_email, many_from_one_ip, previously_banned.",
    )
    # Set when a guest asked to host at a party: that party's host may earn the booking bonus.
    booked_from_party = models.ForeignKey(
        "Party", null=True, blank=True, on_delete=models.SET_NULL, related_name="booked_applications"
    )
    language = models.CharField(
        max_length=8,
        default="en",
        help_text="The language the applicant used on the form (en or fr): their e-mails are written in it.",
    )
    created_at = models.DateTimeField(
        auto_now_add=True, db_index=True, help_text="When the application was submitted, UTC."
    )
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
