"""Serializers of the stock API: one line of the movement ledger."""

from rest_framework import serializers

from kits.models import StockMovement


class StockMovementSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="item.sku")
    shipment = serializers.CharField(source="shipment.number", allow_null=True, default=None)
    by = serializers.EmailField(source="by.email", allow_null=True, default=None)

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
