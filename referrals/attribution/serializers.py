from rest_framework import serializers

from backend.serializers import OptionalChoiceField
from referrals.models import Attribution, AttributionChange, AttributionReason

REASON_HELP = "Why it earns nothing or is unattributed; null when it earns."


class AttributionChangeSerializer(serializers.ModelSerializer):
    by = serializers.EmailField(
        source="by.email",
        allow_null=True,
        read_only=True,
        help_text="E-mail of the marketing member who re-attributed; null when the account is gone.",
    )

    class Meta:
        model = AttributionChange
        fields = [
            "at",
            "by",
            "from_method",
            "from_host",
            "from_party",
            "to_method",
            "to_host",
            "to_party",
            "reason",
        ]
        read_only_fields = fields


class AttributionSerializer(serializers.ModelSerializer):
    placed_at = serializers.DateTimeField(
        source="order.placed_at", read_only=True, help_text="When the order was placed, UTC."
    )
    currency = serializers.CharField(
        source="order.currency", read_only=True, help_text="ISO 4217 code of the order's amounts."
    )
    commissionable_amount = serializers.DecimalField(
        source="order.commissionable_amount",
        max_digits=12,
        decimal_places=2,
        read_only=True,
        help_text="What rewards are computed on (subtotal − discount), in the order's currency, before refunds.",
    )
    code = serializers.CharField(
        source="referral_code.code",
        allow_null=True,
        read_only=True,
        help_text="The referral code that decided, when one did; null otherwise.",
    )
    reason = OptionalChoiceField(choices=AttributionReason.choices, help_text=REASON_HELP)

    class Meta:
        model = Attribution
        fields = [
            "order",
            "placed_at",
            "currency",
            "commissionable_amount",
            "method",
            "reason",
            "campaign",
            "host",
            "party",
            "code",
            "earns",
            "explanation",
            "decided_at",
        ]
        read_only_fields = fields


class AttributionDetailSerializer(AttributionSerializer):
    history = AttributionChangeSerializer(
        source="order.attribution_changes",
        many=True,
        read_only=True,
        help_text="Every manual re-attribution of the order, oldest first.",
    )

    class Meta(AttributionSerializer.Meta):
        fields = [*AttributionSerializer.Meta.fields, "history"]
        read_only_fields = fields
