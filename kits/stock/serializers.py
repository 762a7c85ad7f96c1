"""Serializers of the stock API: one line of the movement ledger."""

from rest_framework import serializers

from kits.models import StockMovement


class StockMovementSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="item.sku", help_text="SKU of the item that moved.")
    shipment = serializers.CharField(
        source="shipment.number",
        allow_null=True,
        default=None,
        help_text="Number of the kit the movement belongs to; null for receipts and adjustments.",
    )
    by = serializers.EmailField(
        source="by.email",
        allow_null=True,
        default=None,
        help_text="E-mail of the staff member who moved the stock; null for the system or a deleted account.",
    )

    class Meta:
        model = StockMovement
        fields = [
            "id",
            "sku",
            "kind",
            "quantity",
            "on_hand_delta",
            "allocated_delta",
            "reason",
            "shipment",
            "by",
            "at",
        ]
