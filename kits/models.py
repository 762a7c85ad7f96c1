"""Kits: the catalogue, stock with its movement ledger, kit templates, shipments, returns, settlements.

Stock invariant: for every SKU, `Stock.on_hand` and `Stock.allocated` equal the sums of
`StockMovement.on_hand_delta` and `StockMovement.allocated_delta`. Only `kits.services` writes
them, always together with the movement, on a locked stock row.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from ambassadors.models import Campaign, Host, KitReturnPolicy
from backend.models import User


class Item(models.Model):
    """One catalogue article (SKU): a garment sample or a piece of promotion material."""

    sku = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    colour = models.CharField(max_length=60, blank=True)
    size = models.CharField(max_length=20, blank=True)
    ean = models.CharField(max_length=13, blank=True, help_text=_("EAN-8 or EAN-13, optional."))
    unit_cost = models.DecimalField(max_digits=12, decimal_places=2)
    retail_price = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    weight_grams = models.PositiveIntegerField(default=0)
    bin_location = models.CharField(max_length=30, blank=True)
    # Samples come back after the campaign; promotion material stays with the host.
    returnable = models.BooleanField(default=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sku"]
        constraints = [
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="item_unit_cost_not_negative"),
            models.CheckConstraint(condition=Q(retail_price__gte=0), name="item_retail_price_not_negative"),
            models.UniqueConstraint(fields=["ean"], condition=~Q(ean=""), name="item_ean_unique_when_set"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    @property
    def variant(self) -> str:
        return " / ".join(part for part in (self.colour, self.size) if part)


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
    kind = models.CharField(max_length=16, choices=MovementKind.choices)
    quantity = models.PositiveIntegerField()
    on_hand_delta = models.IntegerField()
    allocated_delta = models.IntegerField()
    reason = models.CharField(max_length=500, blank=True)
    shipment = models.ForeignKey(
        "Shipment", null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["item", "-id"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity} × {self.item_id}"


class KitTemplate(models.Model):
    """What every host of a campaign receives: lines of SKU and quantity."""

    campaign = models.OneToOneField(Campaign, on_delete=models.PROTECT, related_name="kit_template")
    name = models.CharField(max_length=120, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name or f"Kit of {self.campaign}"


class KitTemplateLine(models.Model):
    template = models.ForeignKey(KitTemplate, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["item__sku"]
        constraints = [
            models.UniqueConstraint(fields=["template", "item"], name="one_line_per_item_per_kit_template"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="kit_template_line_quantity_positive"),
        ]


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


# --- Packing slips: the print log and batch jobs (SPEC §4) -----------------------------------


class SlipPageSize(models.TextChoices):
    A4 = "A4", "A4"
    LETTER = "LETTER", _("US Letter")


class SlipBatchStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")  # waiting for the task worker
    RUNNING = "running", _("Running")  # slips are being rendered; `done` counts them
    DONE = "done", _("Done")  # the PDF is in `file`, ready to download
    FAILED = "failed", _("Failed")  # rendering stopped; `error` says why


SLIP_BATCH_TRANSITIONS: dict[str, set[str]] = {
    SlipBatchStatus.QUEUED: {SlipBatchStatus.RUNNING, SlipBatchStatus.FAILED},
    SlipBatchStatus.RUNNING: {SlipBatchStatus.DONE, SlipBatchStatus.FAILED},
    SlipBatchStatus.DONE: set(),
    SlipBatchStatus.FAILED: set(),
}


class SlipBatch(models.Model):
    """A large print job rendered by a task: its progress, and the PDF in media storage when done.

    The id is a UUID: it appears in the page and download URLs and must not be guessable in order.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    description = models.CharField(max_length=200, blank=True)  # e.g. the filter that chose the shipments
    page_size = models.CharField(max_length=8, choices=SlipPageSize.choices, default=SlipPageSize.A4)
    shipments = models.ManyToManyField(Shipment, related_name="+")
    status = models.CharField(max_length=8, choices=SlipBatchStatus.choices, default=SlipBatchStatus.QUEUED)
    total = models.PositiveIntegerField()
    done = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="packing_slips/", blank=True)
    error = models.CharField(max_length=500, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(done__lte=F("total")), name="slip_batch_done_within_total"),
        ]

    def __str__(self) -> str:
        return f"packing slips {self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.done / self.total)


class PrintLog(models.Model):
    """One row each time packing slips are printed: who, when, which shipments (append-only)."""

    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(default=timezone.now)
    page_size = models.CharField(max_length=8, choices=SlipPageSize.choices)
    shipments = models.ManyToManyField(Shipment, related_name="print_logs")
    shipment_count = models.PositiveIntegerField()
    batch = models.ForeignKey(
        SlipBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="print_logs"
    )

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.shipment_count} slip(s) printed at {self.at:%Y-%m-%d %H:%M}"
