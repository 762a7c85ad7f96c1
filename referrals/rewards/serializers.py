"""Output (and shared input) serializers of the reward plans and ledger API."""

from rest_framework import serializers

from referrals.models import LedgerEntry, RewardPlan


class BracketSerializer(serializers.Serializer):
    up_to = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        allow_null=True,
        help_text="Upper bound of the slice of a party's sales; null for the last.",
    )
    rate = serializers.DecimalField(
        max_digits=5, decimal_places=4, min_value=0, max_value=1, help_text="0.10 for 10 %."
    )


class RewardPlanSerializer(serializers.ModelSerializer):
    party_brackets = BracketSerializer(
        many=True,
        read_only=True,
        help_text="What a qualified party earns its host, by slices of its net sales.",
    )
    currency = serializers.CharField(
        source="campaign.currency",
        read_only=True,
        help_text="ISO 4217 code of every amount of the plan (the campaign's currency).",
    )

    class Meta:
        model = RewardPlan
        fields = [
            "campaign",
            "currency",
            "party_brackets",
            "min_party_buyers",
            "min_party_sales",
            "host_code_rate",
            "booking_bonus",
            "cap_per_host",
            "holding_days",
            "payout_minimum",
            "updated_at",
        ]
        read_only_fields = fields


class MyLedgerEntrySerializer(serializers.ModelSerializer):
    """A host's own ledger line (no staff identity)."""

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "campaign",
            "kind",
            "state",
            "basis",
            "amount",
            "currency",
            "description",
            "created_at",
            "approvable_at",
            "approved_at",
            "paid_at",
            "payout",
        ]
        read_only_fields = fields


class LedgerEntrySerializer(MyLedgerEntrySerializer):
    by = serializers.EmailField(
        source="by.email",
        allow_null=True,
        read_only=True,
        help_text="E-mail of the marketing member who posted a manual line; null for lines the system posted.",
    )

    class Meta(MyLedgerEntrySerializer.Meta):
        fields = [*MyLedgerEntrySerializer.Meta.fields, "host", "reason", "by"]
        read_only_fields = fields
