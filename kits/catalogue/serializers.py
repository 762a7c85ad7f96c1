"""Serializers of the catalogue API: SKUs with their stock, kit templates."""

from rest_framework import serializers

from kits.models import Item, KitTemplate, KitTemplateLine

ISO_CURRENCY = r"^[A-Z]{3}$"


class ItemSerializer(serializers.ModelSerializer):
    """A catalogue entry with its stock (read-only: stock only moves through the ledger)."""

    sku: serializers.CharField = serializers.RegexField(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$", max_length=40)
    ean = serializers.RegexField(r"^(\d{8}|\d{13})$", max_length=13, required=False, allow_blank=True)
    currency = serializers.RegexField(ISO_CURRENCY, max_length=3, required=False)
    unit_cost = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    retail_price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    weight_grams = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False)
    on_hand = serializers.SerializerMethodField()
    allocated = serializers.SerializerMethodField()
    available = serializers.SerializerMethodField()

    class Meta:
        model = Item
        fields = [
            "sku",
            "name",
            "colour",
            "size",
            "ean",
            "unit_cost",
            "retail_price",
            "currency",
            "weight_grams",
            "bin_location",
            "returnable",
            "active",
            "on_hand",
            "allocated",
            "available",
        ]

    def _stock_value(self, item: Item, name: str) -> int:
        stock = getattr(item, "stock", None)
        return getattr(stock, name) if stock is not None else 0

    def get_on_hand(self, item: Item) -> int:
        return self._stock_value(item, "on_hand")

    def get_allocated(self, item: Item) -> int:
        return self._stock_value(item, "allocated")

    def get_available(self, item: Item) -> int:
        return self._stock_value(item, "available")


class ItemUpdateSerializer(ItemSerializer):
    """The SKU identifies the article and never changes."""

    sku = serializers.CharField(read_only=True)


class KitTemplateLineSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="item.sku")
    name = serializers.CharField(source="item.name")
    returnable = serializers.BooleanField(source="item.returnable")

    class Meta:
        model = KitTemplateLine
        fields = ["sku", "name", "returnable", "quantity"]


class KitTemplateSerializer(serializers.ModelSerializer):
    campaign: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    lines = KitTemplateLineSerializer(many=True)
    total_units = serializers.SerializerMethodField()

    class Meta:
        model = KitTemplate
        fields = ["campaign", "name", "lines", "total_units", "updated_at"]

    def get_total_units(self, template: KitTemplate) -> int:
        return sum(line.quantity for line in template.lines.all())
