"""Input and output shapes of the recruitment API (campaigns, applications, selection)."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ambassadors.hosts.serializers import HostSerializer
from ambassadors.models import Application, Campaign, CampaignStatus, CampaignStatusChange, SocialNetwork
from ambassadors.recruitment.selection import free_slots
from ambassadors.recruitment.services import UTM_KEYS, validate_eligible_countries
from backend.errors import Invalid
from backend.serializers import E164PhoneField, OptionalURLField, StatusChangeSerializer


@extend_schema_field(
    {
        "type": "string",
        "format": "phone",
        "maxLength": 32,
        "example": "06 12 34 56 78",
        "description": "National format of the campaign's home country, or international (+33…). Stored as E.164.",
    }
)
class PhoneInputField(serializers.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string", "minLength": 2, "maxLength": 2, "example": "FR"},
        "minItems": 1,
        "maxItems": 250,
    }
)
class CountryListField(serializers.Field):
    """A list of ISO 3166-1 alpha-2 codes, checked as a whole (errors name the field, not an index)."""

    default_error_messages = {"invalid": "Expected a list of two-letter country codes."}

    def to_internal_value(self, data: Any) -> list[str]:
        if not isinstance(data, list) or len(data) > 250 or not all(isinstance(code, str) for code in data):
            self.fail("invalid")
        try:
            return validate_eligible_countries(data)
        except Invalid as error:
            raise serializers.ValidationError(error.message, code=error.code) from None

    def to_representation(self, value: list[str]) -> list[str]:
        return list(value)


# --- campaigns ---------------------------------------------------------------------------------


TRANSLATED_CAMPAIGN_FIELDS = [
    f"{name}_{language}" for name in ("name", "description", "collection_name") for language in ("en", "fr")
]


class CampaignInputSerializer(serializers.ModelSerializer):
    """What marketing may set on a campaign: never its status (transitions do that)."""

    eligible_countries = CountryListField(
        help_text="ISO 3166-1 alpha-2 codes; the first is the home country (default phone region)."
    )
    currency = serializers.RegexField(r"^[A-Z]{3}$", max_length=3, help_text="ISO 4217 code.")

    class Meta:
        model = Campaign
        fields = [
            "name",
            # Each language's text; `name` (and the others) read and write the request's language,
            # falling back to the other language when it has no text.
            *TRANSLATED_CAMPAIGN_FIELDS,
            "slug",
            "description",
            "collection_name",
            "shop_url",
            "terms_url",
            "privacy_url",
            "applications_open_at",
            "applications_close_at",
            "host_slots",
            "eligible_countries",
            "party_window_start",
            "party_window_end",
            "attribution_window_days",
            "guest_discount_percent",
            "currency",
            "kit_return_due_on",
            "kit_return_policy",
        ]


class CampaignSerializer(serializers.ModelSerializer):
    free_slots = serializers.SerializerMethodField(
        help_text="Host slots still free: host slots minus the campaign's hosts who are not banned (never below 0)."
    )
    terms_url = OptionalURLField(help_text="The programme terms; null: the programme-wide terms.")
    privacy_url = OptionalURLField(help_text="The privacy notice; null: the programme-wide notice.")

    class Meta:
        model = Campaign
        fields = [
            "id",
            *CampaignInputSerializer.Meta.fields,
            "status",
            "free_slots",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_free_slots(self, campaign: Campaign) -> int:
        taken = getattr(campaign, "hosts_taken", None)
        if taken is None:
            return free_slots(campaign)
        return max(campaign.host_slots - taken, 0)


class CampaignDetailSerializer(CampaignSerializer):
    history = serializers.SerializerMethodField(
        help_text="Every status change of the campaign, oldest first."
    )

    class Meta(CampaignSerializer.Meta):
        fields = [*CampaignSerializer.Meta.fields, "history"]
        read_only_fields = fields

    @extend_schema_field(StatusChangeSerializer(many=True))
    def get_history(self, campaign: Campaign) -> list[dict[str, Any]]:
        rows = CampaignStatusChange.objects.filter(campaign=campaign).select_related("by")
        return list(StatusChangeSerializer(rows, many=True).data)


class CampaignBrandingInputSerializer(serializers.Serializer):
    """The branding fields to change; an image field given as null removes the image."""

    brand_name = serializers.CharField(
        max_length=80,
        required=False,
        allow_blank=True,
        help_text="The brand's name on the campaign's pages and e-mails (at most 80 characters); empty for the programme's.",
    )
    brand_primary_colour = serializers.CharField(
        max_length=7, required=False, allow_blank=True, help_text="`#` and six hex digits, e.g. `#7a1f3d`."
    )
    brand_accent_colour = serializers.CharField(
        max_length=7, required=False, allow_blank=True, help_text="`#` and six hex digits, e.g. `#c9a227`."
    )
    brand_logo = serializers.FileField(
        required=False, allow_null=True, help_text="A JPEG, PNG or WebP image (multipart); null removes it."
    )
    brand_cover_image = serializers.FileField(
        required=False, allow_null=True, help_text="A JPEG, PNG or WebP image (multipart); null removes it."
    )


class CampaignBrandingSerializer(serializers.ModelSerializer):
    """How the campaign page, the portal, guest pages and e-mails are dressed (public: no one is named)."""

    brand_logo = serializers.SerializerMethodField(
        help_text="Public URL of the brand's logo; null when none was uploaded."
    )
    brand_cover_image = serializers.SerializerMethodField(
        help_text="Public URL of the campaign's cover image; null when none was uploaded."
    )

    class Meta:
        model = Campaign
        fields = [
            "brand_name",
            "brand_primary_colour",
            "brand_accent_colour",
            "brand_logo",
            "brand_cover_image",
        ]
        read_only_fields = fields

    def _url(self, file: Any) -> str | None:
        if not file:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(file.url) if request is not None else str(file.url)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_brand_logo(self, campaign: Campaign) -> str | None:
        return self._url(campaign.brand_logo)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_brand_cover_image(self, campaign: Campaign) -> str | None:
        return self._url(campaign.brand_cover_image)


class CampaignTransitionInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=CampaignStatus.choices,
        help_text="The status to move the campaign to; only the moves its current status allows (409 otherwise).",
    )
    reason = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why, kept in the status history (at most 500 characters); optional.",
    )


class SelectBestInputSerializer(serializers.Serializer):
    count = serializers.IntegerField(
        min_value=1,
        max_value=100_000,
        help_text="How many applications to select, the best scores first, spread over postal prefixes (1 to 100,000); never beyond the free slots.",
    )
    include_flagged = serializers.BooleanField(
        default=False, help_text="Also pick applications with risk flags (left for a human by default)."
    )


class SelectBestResultSerializer(serializers.Serializer):
    requested = serializers.IntegerField(help_text="The number asked for.")
    selected = HostSerializer(
        many=True,
        help_text="The hosts this call created; fewer than requested when free slots or eligible applications ran out.",
    )


class PublicCampaignSerializer(serializers.ModelSerializer):
    is_open = serializers.SerializerMethodField(
        help_text="True when the application form takes applications right now (recruiting, inside its window)."
    )

    class Meta:
        model = Campaign
        fields = [
            "name",
            "slug",
            "description",
            "collection_name",
            "shop_url",
            "applications_open_at",
            "applications_close_at",
            "eligible_countries",
            "party_window_start",
            "party_window_end",
            "is_open",
        ]
        read_only_fields = fields

    def get_is_open(self, campaign: Campaign) -> bool:
        from django.utils import timezone

        now = timezone.now()
        return (
            campaign.status == CampaignStatus.RECRUITING
            and campaign.applications_open_at <= now < campaign.applications_close_at
        )


# --- applications ------------------------------------------------------------------------------


class ApplicationInputSerializer(serializers.Serializer):
    """The public application form. `website` is a honeypot: people leave it empty."""

    first_name = serializers.CharField(max_length=60, help_text="The applicant's first name.")
    last_name = serializers.CharField(max_length=60, help_text="The applicant's last name.")
    email = serializers.EmailField(
        max_length=254,
        help_text="The applicant's e-mail address: the answer and, if selected, the sign-in link go to it.",
    )
    phone = PhoneInputField()
    address_line1 = serializers.CharField(
        max_length=120, help_text="Street address where the kit would be sent."
    )
    address_line2 = serializers.CharField(
        max_length=120,
        required=False,
        allow_blank=True,
        default="",
        help_text="The rest of the address (building, floor); optional.",
    )
    postal_code = serializers.CharField(
        max_length=12, help_text="Postal code of the address; it must belong to an eligible country."
    )
    city = serializers.CharField(max_length=80, help_text="Town of the address.")
    country = serializers.CharField(min_length=2, max_length=2, help_text="ISO 3166-1 alpha-2.")
    motivation = serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why the applicant wants to host (at most 1,000 characters); 100 characters or more add to the score.",
    )
    expected_guests = serializers.IntegerField(
        min_value=1, max_value=200, help_text="Guests the applicant expects at their party (1 to 200)."
    )
    preferred_party_period = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="When the applicant would like to hold the party, in their words; optional.",
    )
    accept_terms = serializers.BooleanField(help_text="The programme terms; must be true.")
    marketing_consent = serializers.BooleanField(
        required=False,
        default=False,
        help_text="True when the applicant agrees to the brand's marketing e-mails; false by default.",
    )
    photo_consent = serializers.BooleanField(
        required=False,
        default=False,
        help_text="True when the applicant agrees that party photos may be used by the brand; false by default.",
    )
    social_network = serializers.ChoiceField(
        choices=SocialNetwork.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="The applicant's main social network, if any; empty for none.",
    )
    social_handle = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="The applicant's handle on that network, without the @; optional.",
    )
    social_profile_url = serializers.URLField(
        max_length=300,
        required=False,
        allow_blank=True,
        default="",
        help_text="A link to the applicant's profile on that network; optional.",
    )
    follower_count = serializers.IntegerField(
        min_value=0,
        max_value=2_000_000_000,
        required=False,
        allow_null=True,
        default=None,
        help_text="Followers the applicant declares on that network; optional. Counted log-scaled in the score.",
    )
    utm_source = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="The utm_source tag of the link the applicant came by, for the campaign's statistics; optional.",
    )
    utm_medium = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="The utm_medium tag of that link; optional.",
    )
    utm_campaign = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="The utm_campaign tag of that link; optional.",
    )
    utm_term = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="The utm_term tag of that link; optional.",
    )
    utm_content = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="The utm_content tag of that link; optional.",
    )
    website = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        write_only=True,
        help_text="Leave empty (spam trap).",
    )

    def utm(self) -> dict[str, str]:
        return {key: self.validated_data[key] for key in UTM_KEYS}


class ApplicationReceiptSerializer(serializers.ModelSerializer):
    class Meta:
        model = Application
        fields = ["id", "status", "created_at"]
        read_only_fields = fields


class ScoreLineSerializer(serializers.Serializer):
    """One factor that gave the application points; the lines add up to its score."""

    factor = serializers.CharField(
        read_only=True,
        help_text="What gave the points: `followers` (log-scaled follower count), `verified` (social "
        "account proved by sign-in), `expected_guests` (guests promised, capped) or `motivation` "
        "(a motivation text long enough).",
    )
    points = serializers.DecimalField(
        max_digits=6, decimal_places=2, read_only=True, help_text="Points this factor gave, e.g. 30.00."
    )
    detail = serializers.CharField(
        read_only=True,
        help_text="The rule in words with the applicant's figure, e.g. \"1000 followers, log-scaled "
        '(10 points per ×10, at most 60)".',
    )


class ApplicationSerializer(serializers.ModelSerializer):
    """An application as marketing reviews it in a list."""

    score_explanation = ScoreLineSerializer(
        many=True,
        read_only=True,
        help_text="Why the application has its score: one line per factor that gave points, in the "
        "order they were counted; the points add up to `score`. Risk flags never lower a score.",
    )

    phone = E164PhoneField()
    postal_prefix = serializers.CharField(
        read_only=True,
        help_text="The first two digits of the postal code: the French département, for filtering and maps.",
    )
    social_network = serializers.ChoiceField(
        choices=SocialNetwork.choices,
        allow_blank=True,
        read_only=True,
        help_text="The applicant's main social network; empty for none.",
    )
    social_profile_url = serializers.CharField(read_only=True, help_text="A URL, or empty.")

    class Meta:
        model = Application
        fields = [
            "id",
            "campaign",
            "status",
            "first_name",
            "last_name",
            "email",
            "phone",
            "postal_code",
            "postal_prefix",
            "city",
            "country",
            "expected_guests",
            "social_network",
            "social_handle",
            "social_profile_url",
            "follower_count",
            "social_verified",
            "score",
            "score_explanation",
            "risk_flags",
            "created_at",
        ]
        read_only_fields = fields


class ApplicationDetailSerializer(ApplicationSerializer):
    history = StatusChangeSerializer(
        many=True, read_only=True, help_text="Every status change of the application, oldest first."
    )
    host_id = serializers.SerializerMethodField(
        help_text="The host the applicant became, once selected (the key of /api/v1/hosts/{id}/); null before."
    )

    class Meta(ApplicationSerializer.Meta):
        fields = [
            *ApplicationSerializer.Meta.fields,
            "address_line1",
            "address_line2",
            "motivation",
            "preferred_party_period",
            "social_uid",
            "terms_accepted_at",
            "marketing_consent_at",
            "photo_consent_at",
            "utm_source",
            "utm_medium",
            "utm_campaign",
            "utm_term",
            "utm_content",
            "language",
            "host_id",
            "history",
        ]
        read_only_fields = fields

    def get_host_id(self, application: Application) -> int | None:
        host = getattr(application, "host", None)
        return host.pk if host else None


class ApplicationActionInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why, kept in the status history (at most 500 characters); optional. Not sent to the applicant.",
    )


class RejectInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Sent to the applicant by e-mail.")


class BulkActionInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=["shortlist", "waitlist", "reject", "select"],
        help_text="What to do with every application listed: shortlist, waitlist, reject (a reason is required and e-mailed) or select.",
    )
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        min_length=1,
        max_length=500,
        help_text="The applications' ids (1 to 500); each is handled once, in the order given.",
    )
    reason = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why; required to reject (it is e-mailed to each applicant), optional otherwise.",
    )

    def validate_ids(self, value: list[int]) -> list[int]:
        return list(dict.fromkeys(value))  # each id once, in the order given

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["action"] == "reject" and not attrs["reason"].strip():
            raise serializers.ValidationError(
                {"reason": ["A reason is required to reject (it is e-mailed)."]}, code="required"
            )
        return attrs


class BulkResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The application's id, as sent.")
    ok = serializers.BooleanField(help_text="True when the action was applied to this application.")
    status = serializers.CharField(
        required=False, help_text="The application's status after the action; only when ok."
    )
    code = serializers.CharField(
        required=False,
        help_text="Why the action was refused for this application, as a stable code (e.g. not_found, no_free_slot); only when not ok.",
    )
    detail = serializers.CharField(required=False, help_text="The refusal in words; only when not ok.")


class BulkResultsSerializer(serializers.Serializer):
    results = BulkResultSerializer(many=True, help_text="One result per application id, in the order sent.")
