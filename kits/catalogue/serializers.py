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

    sku: serializers.CharField = serializers.RegexField(
        SKU,
        max_length=40,
        help_text="The item's stock-keeping unit: letters, digits, dot, underscore or hyphen, at most 40; the key of its routes, never changed.",
    )
    ean = serializers.CharField(
        max_length=13,
        required=False,
        allow_blank=True,
        validators=[validate_ean],
        help_text="The item's barcode: an EAN-8, a UPC-A (12 digits) or an EAN-13, its check digit verified; optional.",
    )
    currency = serializers.RegexField(
        ISO_CURRENCY,
        max_length=3,
        required=False,
        help_text="ISO 4217 code of the cost and price (EUR by default).",
    )
    unit_cost = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=0,
        help_text="What one unit costs the brand, in `currency`: kit costs and deductions at cost use it.",
    )
    retail_price = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=0,
        help_text="What one unit sells for, in `currency`: deductions at retail use it.",
    )
    weight_grams = serializers.IntegerField(
        min_value=0, max_value=1_000_000, required=False, help_text="Weight of one unit, in grams; optional."
    )
    on_hand = serializers.SerializerMethodField(help_text="Units in the warehouse now.")
    allocated = serializers.SerializerMethodField(
        help_text="Of those, units reserved for kits not yet shipped."
    )
    available = serializers.SerializerMethodField(help_text="Units free for new kits: on hand − allocated.")

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

    sku = serializers.CharField(
        read_only=True, help_text="The item's SKU: it identifies the item and never changes."
    )


class KitTemplateLineSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="item.sku", help_text="SKU of the piece.")
    name = serializers.CharField(source="item.name", help_text="The piece's name, in the request's language.")
    returnable = serializers.BooleanField(
        source="item.returnable", help_text="True when the piece comes back after the campaign (a sample)."
    )

    class Meta:
        model = KitTemplateLine
        fields = ["sku", "name", "returnable", "quantity"]


class KitTemplateSerializer(serializers.ModelSerializer):
    campaign: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    lines = KitTemplateLineSerializer(many=True, help_text="Every piece of the kit with its quantity.")
    total_units = serializers.SerializerMethodField(
        help_text="Units in one kit: the sum of the lines' quantities."
    )

    class Meta:
        model = KitTemplate
        fields = ["campaign", "name", "lines", "total_units", "updated_at"]

    def get_total_units(self, template: KitTemplate) -> int:
        return sum(line.quantity for line in template.lines.all())
