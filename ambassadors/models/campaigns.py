"""Campaigns: a recruitment and selling season, its states and their history."""

from datetime import datetime

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from modeltranslation.manager import MultilingualManager


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


# A brand colour as CSS and e-mail clients take it everywhere: `#` and six hexadecimal digits.
validate_hex_colour = RegexValidator(
    r"^#[0-9a-fA-F]{6}\Z",
    _("Enter a colour as # and six hexadecimal digits, e.g. #7a1f3d."),
    code="invalid_colour",
)


class CampaignQuerySet(models.QuerySet["Campaign"]):
    def open_for_applications(self, at: "datetime | None" = None) -> "CampaignQuerySet":
        at = at or timezone.now()
        return self.filter(
            status=CampaignStatus.RECRUITING, applications_open_at__lte=at, applications_close_at__gt=at
        )

    def closed_before(self, cutoff: "datetime") -> "CampaignQuerySet":
        """Campaigns closed (by their `closed` status change) before `cutoff`: retention counts from then."""
        closed = CampaignStatusChange.objects.filter(to_status=CampaignStatus.CLOSED, at__lt=cutoff)
        return self.filter(status=CampaignStatus.CLOSED, pk__in=closed.values("campaign_id"))


# How a campaign presents itself (texts in each language, links, brand): never needed to credit or
# reward a sale, so the queries that do (the campaign once per host row) leave it out.
CAMPAIGN_PRESENTATION_FIELDS = (
    "name_en",
    "name_fr",
    "description",
    "description_en",
    "description_fr",
    "collection_name",
    "collection_name_en",
    "collection_name_fr",
    "shop_url",
    "terms_url",
    "privacy_url",
    "eligible_countries",
    "kit_return_policy",
    "brand_name",
    "brand_logo",
    "brand_cover_image",
    "brand_primary_colour",
    "brand_accent_colour",
)


class Campaign(models.Model):
    """A recruitment and selling season (e.g. "Autumn-winter 2026") with its rules and windows."""

    name = models.CharField(
        max_length=120,
        help_text="The campaign's name as people read it (e.g. 'Autumn-winter 2026'), in the request's language.",
    )
    slug = models.SlugField(
        max_length=80,
        unique=True,
        help_text="The campaign's short name in URLs and filters (letters, digits, hyphens); frozen once published.",
    )
    description = models.TextField(
        blank=True,
        validators=[MaxLengthValidator(5000)],
        help_text="What the campaign offers hosts, shown on the public application page, in the request's language.",
    )
    collection_name = models.CharField(
        max_length=120,
        blank=True,
        help_text="The name of the collection the kit presents, in the request's language; may be empty.",
    )
    shop_url = models.URLField(
        max_length=500, help_text="The brand's shop where guests buy; referral links lead there."
    )
    # The brand's programme terms and privacy notice, linked from every form that asks consent;
    # empty means the programme-wide ones (settings PROGRAMME_TERMS_URL, PRIVACY_NOTICE_URL).
    terms_url = models.URLField(
        max_length=500, blank=True, help_text="The programme terms; empty: the programme-wide terms."
    )
    privacy_url = models.URLField(
        max_length=500, blank=True, help_text="The privacy notice; empty: the programme-wide notice."
    )
    applications_open_at = models.DateTimeField(
        help_text="When the application form opens (UTC), once the campaign is recruiting."
    )
    applications_close_at = models.DateTimeField(help_text="When the application form closes (UTC).")
    host_slots = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(100_000)],
        help_text="How many hosts the campaign selects at most (1 to 100,000).",
    )
    # Where the campaign recruits: ISO 3166-1 alpha-2 codes. The first is the home country (phone region).
    eligible_countries = models.JSONField(
        default=list,
        help_text="Countries where the campaign recruits, as ISO 3166-1 alpha-2 codes; the first is its home country (phone numbers without a prefix are read in it).",
    )
    party_window_start = models.DateTimeField(help_text="First moment (UTC) a host's party may start.")
    party_window_end = models.DateTimeField(help_text="Last moment (UTC) a host's party may start.")
    attribution_window_days = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Days after a party during which its guests' orders are credited to it (1 to 365).",
    )
    guest_discount_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Discount a referral code gives the guest at checkout, in percent (10.00 for 10 %); null when codes give none.",
    )
    currency = models.CharField(
        max_length=3,
        default="EUR",
        help_text="ISO 4217 code of the campaign's money (EUR): sales, rewards and payouts are counted in it.",
    )
    status = models.CharField(
        max_length=16,
        choices=CampaignStatus.choices,
        default=CampaignStatus.DRAFT,
        help_text="Where the campaign stands: draft (invisible), recruiting (form open), selecting, running (parties and orders credited) or closed.",
    )
    kit_return_due_on = models.DateField(
        null=True,
        blank=True,
        help_text="Date by which hosts return the kit's returnable pieces; null when no date is set.",
    )
    kit_return_policy = models.CharField(
        max_length=16,
        choices=KitReturnPolicy.choices,
        default=KitReturnPolicy.DEDUCT_COST,
        help_text="What happens to kit pieces not returned: deducted from the host's rewards at retail price or at cost, given to the host, or written off.",
    )
    # The brand's dress on the campaign page, the portal, guest pages and e-mails (empty: Soirée's).
    # Its images are public (public storage, served at MEDIA_URL): nothing personal is in them.
    brand_name = models.CharField(
        max_length=80,
        blank=True,
        help_text="The brand's name as shown on the campaign's pages and e-mails; empty means the programme's name.",
    )
    brand_logo = models.ImageField(upload_to="branding/", blank=True, max_length=200)
    brand_cover_image = models.ImageField(upload_to="branding/", blank=True, max_length=200)
    brand_primary_colour = models.CharField(
        max_length=7,
        blank=True,
        validators=[validate_hex_colour],
        help_text="Main brand colour as # and six hexadecimal digits (#7a1f3d); empty means the programme's.",
    )
    brand_accent_colour = models.CharField(
        max_length=7,
        blank=True,
        validators=[validate_hex_colour],
        help_text="Accent brand colour as # and six hexadecimal digits; empty means the programme's.",
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="When the campaign was created, UTC.")
    updated_at = models.DateTimeField(auto_now=True, help_text="When the campaign was last changed, UTC.")

    # Multilingual: `name`, `description` and `collection_name` read the current language (translation.py).
    objects = MultilingualManager.from_queryset(CampaignQuerySet)()

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

    def name_in(self, language: str) -> str:
        """The name in `language`, or in the other language when it has none (e-mails are built
        outside the recipient's language)."""
        with translation.override(language):
            return self.name

    @property
    def programme_terms_url(self) -> str:
        return self.terms_url or settings.PROGRAMME_TERMS_URL

    @property
    def privacy_notice_url(self) -> str:
        return self.privacy_url or settings.PRIVACY_NOTICE_URL

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
