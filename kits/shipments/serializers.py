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
    sku = serializers.CharField(source="item.sku", help_text="SKU of the piece.")
    name = serializers.CharField(source="item.name", help_text="The piece's name, in the request's language.")
    colour = serializers.CharField(source="item.colour", help_text="The piece's colour; may be empty.")
    size = serializers.CharField(source="item.size", help_text="The piece's size; may be empty.")
    missing = serializers.IntegerField(
        help_text="Returnable units not back yet: quantity − returned good − returned damaged (0 for pieces that stay with the host)."
    )

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
    by = serializers.EmailField(
        source="by.email",
        allow_null=True,
        default=None,
        help_text="The e-mail of the staff member (or host) who made the change; null when done by the system or the account is gone.",
    )

    class Meta:
        model = ShipmentStatusChange
        fields = ["at", "by", "from_status", "to_status", "reason"]


class ShipmentProblemSerializer(serializers.ModelSerializer):
    shipment = serializers.CharField(
        source="shipment.number", help_text="Number of the kit the problem is about."
    )
    sku = serializers.CharField(
        source="line.item.sku",
        allow_null=True,
        default=None,
        help_text="SKU of the piece concerned; null for a problem with the whole parcel.",
    )
    reported_by = serializers.EmailField(
        source="reported_by.email",
        allow_null=True,
        default=None,
        help_text="E-mail of who reported it (usually the host); null when the account is gone.",
    )

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
    shipment = serializers.CharField(
        source="shipment.number", help_text="Number of the kit settled (KIT-2026-000123)."
    )
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
    name = serializers.CharField(
        source="ship_to_name", help_text="The recipient's name, copied from the host at allocation."
    )
    line1 = serializers.CharField(source="ship_to_line1", help_text="Street address, copied at allocation.")
    line2 = serializers.CharField(source="ship_to_line2", help_text="The rest of the address; may be empty.")
    postal_code = serializers.CharField(
        source="ship_to_postal_code", help_text="Postal code of the delivery address."
    )
    city = serializers.CharField(source="ship_to_city", help_text="Town of the delivery address.")
    country = serializers.CharField(
        source="ship_to_country", help_text="Country of the delivery address, ISO 3166-1 alpha-2."
    )
    phone = E164PhoneField(source="ship_to_phone")


class ShipmentSerializer(serializers.ModelSerializer):
    campaign: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    ship_to = serializers.SerializerMethodField(
        help_text="Where the kit goes: the host's name, address and phone, copied at allocation (later changes of the host's address do not move a kit)."
    )
    total_units = serializers.SerializerMethodField(
        help_text="Units in the kit: the sum of its lines' quantities."
    )

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
    lines = ShipmentLineSerializer(many=True, help_text="The pieces in the kit, with what came back of each.")
    history = ShipmentStatusChangeSerializer(
        many=True, help_text="Every status change of the kit, oldest first."
    )
    problems = ShipmentProblemSerializer(
        many=True, help_text="Problems the host reported on the kit, open or resolved."
    )
    settlement = serializers.SerializerMethodField(
        help_text="How the pieces not returned were settled by the campaign's policy, once the kit is closed; null before."
    )

    class Meta(ShipmentSerializer.Meta):
        fields = [*ShipmentSerializer.Meta.fields, "lines", "history", "problems", "settlement"]

    @extend_schema_field(KitSettlementSerializer(allow_null=True))
    def get_settlement(self, shipment: Shipment) -> dict | None:
        settlement = getattr(shipment, "settlement", None)
        return KitSettlementSerializer(settlement).data if settlement else None
