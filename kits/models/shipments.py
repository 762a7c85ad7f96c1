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
    number = models.CharField(max_length=20, unique=True, null=True, blank=True)
    host = models.ForeignKey(Host, on_delete=models.PROTECT, related_name="shipments")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="shipments")
    status = models.CharField(
        max_length=16, choices=ShipmentStatus.choices, default=ShipmentStatus.ALLOCATED, db_index=True
    )
    ship_to_name = models.CharField(max_length=121)
    ship_to_line1 = models.CharField(max_length=120)
    ship_to_line2 = models.CharField(max_length=120, blank=True)
    ship_to_postal_code = models.CharField(max_length=12)
    ship_to_city = models.CharField(max_length=80)
    ship_to_country = models.CharField(max_length=2)
    ship_to_phone = PhoneNumberField()
    carrier = models.CharField(max_length=50, blank=True)
    tracking_number = models.CharField(max_length=64, blank=True)
    tracking_url = models.URLField(max_length=500, blank=True)
    return_due_on = models.DateField(null=True, blank=True)
    allocated_at = models.DateTimeField(default=timezone.now)
    packed_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

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
    quantity = models.PositiveIntegerField()
    unit_cost = models.DecimalField(max_digits=12, decimal_places=2)
    retail_price = models.DecimalField(max_digits=12, decimal_places=2)
    returnable = models.BooleanField()
    returned_good = models.PositiveIntegerField(default=0)
    returned_damaged = models.PositiveIntegerField(default=0)

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
    at = models.DateTimeField(default=timezone.now)
    from_status = models.CharField(max_length=16, choices=ShipmentStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ShipmentStatus.choices)
    reason = models.CharField(max_length=500, blank=True)

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
    kind = models.CharField(max_length=16, choices=ProblemKind.choices)
    line = models.ForeignKey(ShipmentLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    quantity = models.PositiveIntegerField(null=True, blank=True)
    description = models.TextField(validators=[MaxLengthValidator(2000)])
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(max_length=500, blank=True)

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
    host = models.ForeignKey(Host, on_delete=models.PROTECT, related_name="kit_settlements")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="kit_settlements")
    policy = models.CharField(max_length=16, choices=KitReturnPolicy.choices)
    currency = models.CharField(max_length=3)
    missing_units = models.PositiveIntegerField()
    missing_cost_value = models.DecimalField(max_digits=12, decimal_places=2)
    missing_retail_value = models.DecimalField(max_digits=12, decimal_places=2)
    amount_to_deduct = models.DecimalField(max_digits=12, decimal_places=2)
    # Per SKU: {"sku", "missing", "unit_cost", "retail_price"} (money as decimal strings).
    missing_lines = models.JSONField(default=list)
    settled_at = models.DateTimeField(default=timezone.now)
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
