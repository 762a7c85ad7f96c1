"""Output serializers of the shipments API. Command inputs live beside their views."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.serializers import E164PhoneField
from kits.models import (
    KitSettlement,
    Shipment,
    ShipmentLine,
    ShipmentProblem,
    ShipmentStatusChange,
)


class ShipmentLineSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="item.sku")
    name = serializers.CharField(source="item.name")
    colour = serializers.CharField(source="item.colour")
    size = serializers.CharField(source="item.size")
    missing = serializers.IntegerField()

    class Meta:
        model = ShipmentLine
        fields = [
            "sku",
            "name",
            "colour",
            "size",
            "quantity",
            "unit_cost",
            "retail_price",
            "returnable",
            "returned_good",
            "returned_damaged",
            "missing",
        ]


class ShipmentStatusChangeSerializer(serializers.ModelSerializer):
    by = serializers.EmailField(source="by.email", allow_null=True, default=None)

    class Meta:
        model = ShipmentStatusChange
        fields = ["at", "by", "from_status", "to_status", "reason"]


class ShipmentProblemSerializer(serializers.ModelSerializer):
    shipment = serializers.CharField(source="shipment.number")
    sku = serializers.CharField(source="line.item.sku", allow_null=True, default=None)
    reported_by = serializers.EmailField(source="reported_by.email", allow_null=True, default=None)

    class Meta:
        model = ShipmentProblem
        fields = [
            "id",
            "shipment",
            "kind",
            "sku",
            "quantity",
            "description",
            "reported_by",
            "created_at",
            "resolved_at",
            "resolution",
        ]


class KitSettlementSerializer(serializers.ModelSerializer):
    shipment = serializers.CharField(source="shipment.number")
    campaign: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = KitSettlement
        fields = [
            "id",
            "shipment",
            "host",
            "campaign",
            "policy",
            "currency",
            "missing_units",
            "missing_cost_value",
            "missing_retail_value",
            "amount_to_deduct",
            "missing_lines",
            "settled_at",
        ]


class ShipToSerializer(serializers.Serializer):
    name = serializers.CharField(source="ship_to_name")
    line1 = serializers.CharField(source="ship_to_line1")
    line2 = serializers.CharField(source="ship_to_line2")
    postal_code = serializers.CharField(source="ship_to_postal_code")
    city = serializers.CharField(source="ship_to_city")
    country = serializers.CharField(source="ship_to_country")
    phone = E164PhoneField(source="ship_to_phone")


class ShipmentSerializer(serializers.ModelSerializer):
    campaign: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    ship_to = serializers.SerializerMethodField()
    total_units = serializers.SerializerMethodField()

    class Meta:
        model = Shipment
        fields = [
            "number",
            "host",
            "campaign",
            "status",
            "ship_to",
            "carrier",
            "tracking_number",
            "tracking_url",
            "return_due_on",
            "total_units",
            "allocated_at",
            "packed_at",
            "shipped_at",
            "delivered_at",
            "returned_at",
            "closed_at",
            "cancelled_at",
        ]

    @extend_schema_field(ShipToSerializer)
    def get_ship_to(self, shipment: Shipment) -> dict:
        return ShipToSerializer(shipment).data

    def get_total_units(self, shipment: Shipment) -> int:
        return shipment.total_units


class ShipmentDetailSerializer(ShipmentSerializer):
    lines = ShipmentLineSerializer(many=True)
    history = ShipmentStatusChangeSerializer(many=True)
    problems = ShipmentProblemSerializer(many=True)
    settlement = serializers.SerializerMethodField()

    class Meta(ShipmentSerializer.Meta):
        fields = [*ShipmentSerializer.Meta.fields, "lines", "history", "problems", "settlement"]

    @extend_schema_field(KitSettlementSerializer(allow_null=True))
    def get_settlement(self, shipment: Shipment) -> dict | None:
        settlement = getattr(shipment, "settlement", None)
        return KitSettlementSerializer(settlement).data if settlement else None
