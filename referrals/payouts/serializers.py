"""Output serializers of the payouts API."""

from rest_framework import serializers

from referrals.models import FrozenBalance, Payout


class MyPayoutSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payout
        fields = [
            "id",
            "campaign",
            "amount",
            "currency",
            "method",
            "status",
            "store_credit_code",
            "created_at",
            "paid_at",
            "failure_for_host",
        ]
        read_only_fields = fields

    failure_for_host = serializers.CharField(
        read_only=True, help_text="Why a failed payout was not sent, in words the host can act on."
    )


class PayoutSerializer(MyPayoutSerializer):
    marked_paid_by = serializers.EmailField(
        source="marked_paid_by.email",
        allow_null=True,
        read_only=True,
        help_text="E-mail of who marked a bank transfer paid; null otherwise.",
    )

    class Meta(MyPayoutSerializer.Meta):
        fields = [
            *MyPayoutSerializer.Meta.fields,
            "host",
            "idempotency_key",
            "stripe_transfer_id",
            "stripe_promotion_code_id",
            "attempts",
            "last_error",
            "marked_paid_by",
        ]
        read_only_fields = fields


class PayoutRunSerializer(serializers.Serializer):
    reserved = serializers.IntegerField(help_text="Payouts created by this run.")
    paid = serializers.IntegerField(help_text="Payouts confirmed by Stripe in this run (new or left over).")
    failed = serializers.IntegerField(help_text="Payouts Stripe refused or could not take; retried next run.")
    waiting = serializers.IntegerField(help_text="Bank transfers waiting for the export and 'mark paid'.")
    skipped = serializers.IntegerField(
        help_text="Hosts with an approved balance left unpaid (under the minimum, no Stripe account, ...)."
    )


class FrozenBalanceSerializer(serializers.ModelSerializer):
    decided_by = serializers.EmailField(
        source="decided_by.email",
        allow_null=True,
        read_only=True,
        help_text="E-mail of the marketing member who decided; null when the account is gone.",
    )

    class Meta:
        model = FrozenBalance
        fields = ["host", "decision", "reason", "decided_by", "decided_at"]
        read_only_fields = fields
