"""The catalogue (one row per SKU) and each campaign's kit template."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from modeltranslation.manager import MultilingualManager

from ambassadors.models import Campaign


class Item(models.Model):
    """One catalogue article (SKU): a garment sample or a piece of promotion material."""

    sku = models.CharField(max_length=40, unique=True)
    name = models.CharField(
        max_length=200, help_text="The piece's name as hosts read it, in the request's language."
    )
    colour = models.CharField(
        max_length=60,
        blank=True,
        help_text="The piece's colour as people read it, in the request's language; may be empty.",
    )
    size = models.CharField(
        max_length=20, blank=True, help_text="The piece's size (S, M, 38...); may be empty."
    )
    ean = models.CharField(max_length=13, blank=True, help_text=_("EAN-8, UPC-A or EAN-13, optional."))
    unit_cost = models.DecimalField(max_digits=12, decimal_places=2)
    retail_price = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    weight_grams = models.PositiveIntegerField(default=0)
    bin_location = models.CharField(
        max_length=30,
        blank=True,
        help_text="Where the piece is kept in the warehouse (aisle and bin), printed on packing slips.",
    )
    # Samples come back after the campaign; promotion material stays with the host.
    returnable = models.BooleanField(
        default=True,
        help_text="True for samples that come back after the campaign; false for what stays with the host (promotion material).",
    )
    active = models.BooleanField(
        default=True, help_text="False for a piece no longer used in kits; kept for history."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Multilingual: `name` reads the current language (translation.py).
    objects = MultilingualManager["Item"]()

    class Meta:
        ordering = ["sku"]
        constraints = [
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="item_unit_cost_not_negative"),
            models.CheckConstraint(condition=Q(retail_price__gte=0), name="item_retail_price_not_negative"),
            models.UniqueConstraint(fields=["ean"], condition=~Q(ean=""), name="item_ean_unique_when_set"),
            # A SKU names one article whatever its case.
            models.UniqueConstraint(Lower("sku"), name="item_sku_unique_ignoring_case"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    @property
    def variant(self) -> str:
        return " / ".join(part for part in (self.colour, self.size) if part)


class KitTemplate(models.Model):
    """What every host of a campaign receives: lines of SKU and quantity."""

    campaign = models.OneToOneField(Campaign, on_delete=models.PROTECT, related_name="kit_template")
    name = models.CharField(
        max_length=120,
        blank=True,
        help_text="The kit's name as staff call it (e.g. 'Autumn kit'); may be empty.",
    )
    updated_at = models.DateTimeField(auto_now=True, help_text="When the template was last changed, UTC.")

    def __str__(self) -> str:
        return self.name or f"Kit of {self.campaign}"


class KitTemplateLine(models.Model):
    template = models.ForeignKey(KitTemplate, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(
        validators=[MinValueValidator(1)], help_text="Units of this piece in every kit (at least 1)."
    )

    class Meta:
        ordering = ["item__sku"]
        constraints = [
            models.UniqueConstraint(fields=["template", "item"], name="one_line_per_item_per_kit_template"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="kit_template_line_quantity_positive"),
        ]
