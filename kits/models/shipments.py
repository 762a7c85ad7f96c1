"""Shipments: a kit sent to one host, its lines, status history, problems reported, and settlement."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from ambassadors.models import Campaign, Host, KitReturnPolicy
from backend.models import User
from kits.models.catalogue import Item


class ShipmentStatus(models.TextChoices):
    ALLOCATED = "allocated", _("Allocated")  # stock reserved, waiting to be packed
    PACKED = "packed", _("Packed")  # boxed in the warehouse
    SHIPPED = "shipped", _("Shipped")  # handed to the carrier
    DELIVERED = "delivered", _("Delivered")  # the host (or staff) confirmed receipt
    RETURNED = "returned", _("Returned")  # a return parcel was received (partly or wholly)
    CLOSED = "closed", _("Closed")  # returns settled; nothing more expected
    CANCELLED = "cancelled", _("Cancelled")  # undone before shipping; stock released


SHIPMENT_TRANSITIONS: dict[str, set[str]] = {
    ShipmentStatus.ALLOCATED: {ShipmentStatus.PACKED, ShipmentStatus.CANCELLED},
    ShipmentStatus.PACKED: {ShipmentStatus.SHIPPED, ShipmentStatus.CANCELLED},
    ShipmentStatus.SHIPPED: {ShipmentStatus.DELIVERED},
    ShipmentStatus.DELIVERED: {ShipmentStatus.RETURNED, ShipmentStatus.CLOSED},
    ShipmentStatus.RETURNED: {ShipmentStatus.CLOSED},
    ShipmentStatus.CLOSED: set(),
    ShipmentStatus.CANCELLED: set(),
}
# The order a host sees on the progress line of the portal.
SHIPMENT_PROGRESS = [
    ShipmentStatus.ALLOCATED,
    ShipmentStatus.PACKED,
    ShipmentStatus.SHIPPED,
    ShipmentStatus.DELIVERED,
    ShipmentStatus.RETURNED,
    ShipmentStatus.CLOSED,
]


class ShipmentQuerySet(models.QuerySet["Shipment"]):
    def live(self) -> "ShipmentQuerySet":
        return self.exclude(status=ShipmentStatus.CANCELLED)

    def for_user(self, user: "User") -> "ShipmentQuerySet":
        """A host's own shipments (across campaigns): the only ones the portal may show them."""
        return self.filter(host__user=user)


class Shipment(models.Model):
    """A kit sent to one host for one campaign, with the lines and the ship-to copied at allocation."""

    # `KIT-<year>-<6 digits>`; set right after the row exists (the digits come from its id).
    number = models.CharField(
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        help_text="The kit's number, KIT-<year>-<6 digits>: the key of its routes and what the slip and the parcel show.",
    )
    host = models.ForeignKey(
        Host,
        on_delete=models.PROTECT,
        related_name="shipments",
        help_text="The host the kit goes to (their id).",
    )
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="shipments")
    status = models.CharField(
        max_length=16,
        choices=ShipmentStatus.choices,
        default=ShipmentStatus.ALLOCATED,
        db_index=True,
        help_text="Where the kit is: allocated (stock reserved), packed, shipped, delivered, returned, closed, or cancelled.",
    )
    ship_to_name = models.CharField(max_length=121)
    ship_to_line1 = models.CharField(max_length=120)
    ship_to_line2 = models.CharField(max_length=120, blank=True)
    ship_to_postal_code = models.CharField(max_length=12)
    ship_to_city = models.CharField(max_length=80)
    ship_to_country = models.CharField(max_length=2)
    ship_to_phone = PhoneNumberField()
    carrier = models.CharField(
        max_length=50,
        blank=True,
        help_text="The carrier the kit was handed to (e.g. Colissimo); empty before shipping.",
    )
    tracking_number = models.CharField(
        max_length=64, blank=True, help_text="The carrier's tracking number; empty before shipping."
    )
    tracking_url = models.URLField(
        max_length=500, blank=True, help_text="Where the host follows the parcel; may be empty."
    )
    return_due_on = models.DateField(
        null=True,
        blank=True,
        help_text="Date by which the host returns the returnable pieces; null when no date is set.",
    )
    allocated_at = models.DateTimeField(
        default=timezone.now, help_text="When stock was reserved for the kit, UTC."
    )
    packed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the kit was packed, UTC; null before."
    )
    shipped_at = models.DateTimeField(
        null=True, blank=True, help_text="When the kit was handed to the carrier, UTC; null before."
    )
    delivered_at = models.DateTimeField(
        null=True, blank=True, help_text="When the host or staff confirmed delivery, UTC; null before."
    )
    returned_at = models.DateTimeField(
        null=True, blank=True, help_text="When the returned pieces were counted in, UTC; null before."
    )
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the kit was closed (settled), UTC; null before."
    )
    cancelled_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the kit was cancelled (its stock released), UTC; null unless cancelled.",
    )

    objects = ShipmentQuerySet.as_manager()

    class Meta:
        ordering = ["-allocated_at", "-id"]
        constraints = [
            # One kit per host and campaign; a cancelled one may be replaced.
            models.UniqueConstraint(
                fields=["host"],
                condition=~Q(status="cancelled"),
                name="one_live_shipment_per_host",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self) -> str:
        return self.number or f"shipment #{self.pk}"

    @property
    def total_units(self) -> int:
        return sum(line.quantity for line in self.lines.all())

    @property
    def progress(self) -> list[dict]:
        """Steps of the progress line, each `done` or not (a cancelled kit has none done past allocation)."""
        if self.status == ShipmentStatus.CANCELLED:
            reached = 0
        else:
            reached = SHIPMENT_PROGRESS.index(ShipmentStatus(self.status))
        return [
            {"status": step, "label": step.label, "done": index <= reached, "current": index == reached}
            for index, step in enumerate(SHIPMENT_PROGRESS)
        ]


class ShipmentLine(models.Model):
    """A line copied from the kit template at allocation, with the prices of that day."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(help_text="Units of the piece sent in the kit.")
    unit_cost = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        help_text="What one unit costs the brand, copied at allocation, in the catalogue's currency.",
    )
    retail_price = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        help_text="What one unit sells for, copied at allocation, in the catalogue's currency.",
    )
    returnable = models.BooleanField(
        help_text="True when the piece comes back after the campaign (a sample)."
    )
    returned_good = models.PositiveIntegerField(default=0, help_text="Units returned in a sellable state.")
    returned_damaged = models.PositiveIntegerField(
        default=0, help_text="Units returned damaged: recorded, not put back in stock."
    )

    class Meta:
        ordering = ["item__bin_location", "item__sku"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "item"], name="one_line_per_item_per_shipment"),
            models.CheckConstraint(
                condition=Q(returned_good__lte=F("quantity") - F("returned_damaged")),
                name="shipment_line_returns_within_quantity",
            ),
        ]

    @property
    def missing(self) -> int:
        """Returnable units not (yet) back; promotion material is never missing."""
        if not self.returnable:
            return 0
        return self.quantity - self.returned_good - self.returned_damaged


class ShipmentStatusChange(models.Model):
    """One row per shipment status change: who, when, from, to, why (append-only)."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="history")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(default=timezone.now, help_text="When the kit changed status, UTC.")
    from_status = models.CharField(
        max_length=16,
        choices=ShipmentStatus.choices,
        blank=True,
        help_text="The kit's status before the change; empty for its allocation.",
    )
    to_status = models.CharField(
        max_length=16, choices=ShipmentStatus.choices, help_text="The kit's status after the change."
    )
    reason = models.CharField(
        max_length=500, blank=True, help_text="Why, as the person who moved it wrote; may be empty."
    )

    class Meta:
        ordering = ["at", "id"]


class ProblemKind(models.TextChoices):
    MISSING = "missing", _("Items missing from the parcel")
    DAMAGED = "damaged", _("Items arrived damaged")
    OTHER = "other", _("Something else")


class ShipmentProblem(models.Model):
    """A problem a host reported about their kit; logistics follows it up in the API and admin."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="problems")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    kind = models.CharField(
        max_length=16,
        choices=ProblemKind.choices,
        help_text="What went wrong: pieces missing from the parcel, pieces damaged, or something else.",
    )
    line = models.ForeignKey(ShipmentLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    quantity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Units concerned, when the host said; null otherwise."
    )
    description = models.TextField(
        validators=[MaxLengthValidator(2000)],
        help_text="The host's account of the problem (at most 2,000 characters).",
    )
    created_at = models.DateTimeField(
        default=timezone.now, help_text="When the host reported the problem, UTC."
    )
    resolved_at = models.DateTimeField(
        null=True, blank=True, help_text="When staff resolved the problem, UTC; null while open."
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(
        max_length=500, blank=True, help_text="What staff did about it; empty while open."
    )

    class Meta:
        ordering = ["-created_at", "-id"]


class KitSettlementQuerySet(models.QuerySet["KitSettlement"]):
    def to_deduct(self) -> "KitSettlementQuerySet":
        """Settlements the rewards ledger must post as a kit-return deduction."""
        return self.filter(
            policy__in=[KitReturnPolicy.DEDUCT_RETAIL, KitReturnPolicy.DEDUCT_COST], amount_to_deduct__gt=0
        )


class KitSettlement(models.Model):
    """How the returnable units that never came back were settled, by the campaign's policy.

    One per shipment, written when the shipment closes. `amount_to_deduct` is what the rewards
    ledger deducts from the host (zero for a gift or a write-off); the rewards app consumes these
    rows (one ledger entry per settlement, unique on it) and hears about them via
    `kits.signals.kit_settled`.
    """

    shipment = models.OneToOneField(Shipment, on_delete=models.PROTECT, related_name="settlement")
    host = models.ForeignKey(
        Host,
        on_delete=models.PROTECT,
        related_name="kit_settlements",
        help_text="The host whose kit is settled (their id).",
    )
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="kit_settlements")
    policy = models.CharField(
        max_length=16,
        choices=KitReturnPolicy.choices,
        help_text="The campaign's kit return policy applied to the missing pieces.",
    )
    currency = models.CharField(
        max_length=3, help_text="ISO 4217 code of the amounts (the campaign's currency)."
    )
    missing_units = models.PositiveIntegerField(
        help_text="Units of returnable pieces not returned in good state."
    )
    missing_cost_value = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        help_text="What the missing units cost the brand (unit cost × units).",
    )
    missing_retail_value = models.DecimalField(
        max_digits=12, decimal_places=2, help_text="What the missing units sell for (retail price × units)."
    )
    amount_to_deduct = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        help_text="What is taken from the host's rewards by the policy: the cost or retail value, or 0 for a gift or write-off.",
    )
    # Per SKU: {"sku", "missing", "unit_cost", "retail_price"} (money as decimal strings).
    missing_lines = models.JSONField(
        default=list,
        help_text="Per SKU: the units missing, with unit cost and retail price (money as decimal strings).",
    )
    settled_at = models.DateTimeField(default=timezone.now, help_text="When the kit was settled, UTC.")
    settled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    objects = KitSettlementQuerySet.as_manager()

    class Meta:
        ordering = ["-settled_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(missing_cost_value__gte=0, missing_retail_value__gte=0, amount_to_deduct__gte=0),
                name="kit_settlement_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"settlement of {self.shipment}"
