"""Stock of each SKU and its append-only movement ledger.

Stock invariant: for every SKU, `Stock.on_hand` and `Stock.allocated` equal the sums of
`StockMovement.on_hand_delta` and `StockMovement.allocated_delta`. Only `kits.stock.services` writes
them, always together with the movement, on a locked stock row.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kits.models.catalogue import Item


class Stock(models.Model):
    """Units of one SKU in the warehouse (`on_hand`) and how many of them are reserved (`allocated`)."""

    item = models.OneToOneField(Item, on_delete=models.PROTECT, related_name="stock", primary_key=True)
    on_hand = models.IntegerField(default=0)
    allocated = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(allocated__gte=0), name="stock_allocated_not_negative"),
            models.CheckConstraint(condition=Q(on_hand__gte=F("allocated")), name="stock_covers_allocations"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.on_hand} on hand, {self.allocated} allocated"

    @property
    def available(self) -> int:
        return self.on_hand - self.allocated


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")  # units delivered to the warehouse (on hand +)
    ADJUSTMENT = "adjustment", _("Adjustment")  # stock-count correction, with a reason (on hand ±)
    ALLOCATION = "allocation", _("Allocation")  # reserved for a kit (allocated +)
    RELEASE = "release", _("Release")  # reservation undone by a cancellation (allocated −)
    SHIPMENT = "shipment", _("Shipment")  # left with a kit (on hand −, allocated −)
    RETURN_GOOD = "return_good", _("Return, good state")  # back from a host, sellable (on hand +)
    RETURN_DAMAGED = "return_damaged", _("Return, damaged")  # back but unusable: recorded, not stocked
    WRITE_OFF = "write_off", _("Write-off")  # units on hand destroyed or lost, with a reason (on hand −)


class StockMovement(models.Model):
    """One line of the append-only stock ledger."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(
        max_length=16,
        choices=MovementKind.choices,
        help_text="What moved the stock: receipt, adjustment, allocation to a kit, release of a cancelled kit, shipment, or a return (good or damaged).",
    )
    quantity = models.PositiveIntegerField(
        help_text="Units moved (always positive; the deltas give the direction)."
    )
    on_hand_delta = models.IntegerField(
        help_text="Change of the units on hand in the warehouse (negative when units left)."
    )
    allocated_delta = models.IntegerField(help_text="Change of the units reserved for kits not yet shipped.")
    reason = models.CharField(
        max_length=500, blank=True, help_text="Why, for adjustments and write-offs; may be empty otherwise."
    )
    shipment = models.ForeignKey(
        "Shipment", null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(default=timezone.now, help_text="When the stock moved, UTC.")

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["item", "-id"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity} × {self.item_id}"
