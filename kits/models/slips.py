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

    id = models.UUIDField(
        primary_key=True,
        default=uuid.uuid4,
        editable=False,
        help_text="The batch's id (a UUID): the key of its status and download routes.",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When the batch was asked for, UTC.")
    description = models.CharField(
        max_length=200,
        blank=True,
        help_text="What the batch holds, e.g. the filter that chose its shipments.",
    )  # e.g. the filter that chose the shipments
    page_size = models.CharField(
        max_length=8,
        choices=SlipPageSize.choices,
        default=SlipPageSize.A4,
        help_text="Paper size of the slips: A4 or LETTER (US Letter).",
    )
    shipments = models.ManyToManyField(Shipment, related_name="+")
    status = models.CharField(
        max_length=8,
        choices=SlipBatchStatus.choices,
        default=SlipBatchStatus.QUEUED,
        help_text="Where the batch stands: queued, running (slips being drawn), done (PDF ready) or failed (`error` says why).",
    )
    total = models.PositiveIntegerField(help_text="How many slips the batch draws (one per shipment).")
    done = models.PositiveIntegerField(default=0, help_text="How many slips are drawn so far.")
    pages = models.PositiveIntegerField(default=0, help_text="Pages of the finished PDF; 0 until done.")
    file = models.FileField(upload_to="packing_slips/", blank=True, storage=private_storage)
    error = models.CharField(max_length=500, blank=True, help_text="Why the batch failed; empty otherwise.")
    started_at = models.DateTimeField(
        null=True, blank=True, help_text="When the task worker started drawing, UTC; null while queued."
    )
    finished_at = models.DateTimeField(
        null=True, blank=True, help_text="When the batch finished or failed, UTC; null before."
    )

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
    at = models.DateTimeField(default=timezone.now, help_text="When the slips were printed, UTC.")
    page_size = models.CharField(
        max_length=8,
        choices=SlipPageSize.choices,
        help_text="Paper size of the slips: A4 or LETTER (US Letter).",
    )
    shipments = models.ManyToManyField(Shipment, related_name="print_logs")
    shipment_count = models.PositiveIntegerField(help_text="How many shipments' slips were printed.")
    batch = models.ForeignKey(
        SlipBatch,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="print_logs",
        help_text="The slip batch printed (its id); null for slips printed one at a time.",
    )

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.shipment_count} slip(s) printed at {self.at:%Y-%m-%d %H:%M}"
