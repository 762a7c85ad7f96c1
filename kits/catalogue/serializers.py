"""Serializers of the catalogue API: SKUs with their stock, kit templates."""

from rest_framework import serializers

from kits.models import Item, KitTemplate, KitTemplateLine

ISO_CURRENCY = r"^[A-Z]{3}$"
SKU = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$"


def check_digit_ok(code: str) -> bool:
    """The GS1 check digit (EAN-8, UPC-A, EAN-13): weights 3 and 1 from the right, the last digit
    makes the sum a multiple of 10."""
    *body, check = (int(digit) for digit in code)
    total = sum(digit * (3 if position % 2 == 0 else 1) for position, digit in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def validate_ean(value: str) -> None:
    if value and not (
        value.isascii() and value.isdigit() and len(value) in (8, 12, 13) and check_digit_ok(value)
    ):
        raise serializers.ValidationError(
            "Give an EAN-8, a UPC-A (12 digits) or an EAN-13 whose check digit is right.", code="invalid"
        )


class ItemSerializer(serializers.ModelSerializer):
    """A catalogue entry with its stock (read-only: stock only moves through the ledger).

    The one validation of a catalogue entry: the API and the CSV import both use it.
    """

    sku: serializers.CharField = serializers.RegexField(SKU, max_length=40)
    ean = serializers.CharField(max_length=13, required=False, allow_blank=True, validators=[validate_ean])
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
            "name",  # in the request's language, or the other one when it has no name
            "name_en",
            "name_fr",
            "colour",
            "colour_en",
            "colour_fr",
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
