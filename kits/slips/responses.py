"""The PDF responses the slips API and the warehouse pages both send."""

from django.http import HttpResponse, HttpResponseBase

from backend.errors import Conflict
from backend.private_files import private_file_response
from kits.models import SlipBatch, SlipBatchStatus

PDF = "application/pdf"


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type=PDF)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"  # addresses and phone numbers
    return response


def batch_file_response(batch: SlipBatch) -> HttpResponseBase:
    """The finished batch's PDF from private storage (the calling view has checked the logistics role)."""
    if batch.status != SlipBatchStatus.DONE or not batch.file:
        raise Conflict(
            "This batch is not ready.",
            code="batch_not_ready",
            extra={"status": batch.status, "done": batch.done, "total": batch.total},
        )
    return private_file_response(batch.file, content_type=PDF, filename=f"packing-slips-{batch.pk}.pdf")
