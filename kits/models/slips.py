"""Packing slips: the print log and batch jobs (SPEC §4)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.private_files import private_storage
from kits.models.shipments import Shipment


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
    """A large print job rendered by a task: its progress, and the PDF in private storage when done.

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
    file = models.FileField(upload_to="packing_slips/", blank=True, storage=private_storage)
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
