"""The PDF responses the slips API and the warehouse pages both send."""

from django.http import HttpResponse, HttpResponseBase
from django.utils.translation import gettext as _

from backend.errors import Conflict
from backend.private_files import private_file_response
from kits.models import SlipBatch, SlipBatchStatus

PDF = "application/pdf"


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type=PDF)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"  # addresses and phone numbers
    return response


def not_ready_message(batch: SlipBatch) -> str:
    """What both the API and the staff page answer for the file of a batch still being rendered."""
    if batch.status == SlipBatchStatus.FAILED:
        return _("This batch failed: %(error)s") % {"error": batch.error}
    return _("This batch is not ready yet: %(done)s of %(total)s slips rendered (%(percent)s %%).") % {
        "done": batch.done,
        "total": batch.total,
        "percent": batch.percent,
    }


def batch_file_response(batch: SlipBatch) -> HttpResponseBase:
    """The finished batch's PDF from private storage (the calling view has checked the logistics role)."""
    if batch.status != SlipBatchStatus.DONE or not batch.file:
        raise Conflict(
            not_ready_message(batch),
            code="batch_not_ready",
            extra={
                "status": batch.status,
                "done": batch.done,
                "total": batch.total,
                "percent": batch.percent,
            },
        )
    return private_file_response(batch.file, content_type=PDF, filename=f"packing-slips-{batch.pk}.pdf")
