"""Packing slips API for logistics: one shipment's slip, batches by numbers or by filter, batch progress."""

import json
from typing import Any, cast

from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import serializers, status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.errors import Conflict, Invalid
from backend.models import User
from backend.openapi import CONFLICT
from backend.permissions import IsLogistics
from kits.models import Shipment, ShipmentStatus, SlipBatch, SlipBatchStatus, SlipPageSize
from kits.slips import services as printing

PDF = "application/pdf"


class PDFRenderer(BaseRenderer):
    """Lets clients ask for `Accept: application/pdf`; errors still go out as JSON bytes."""

    media_type = PDF
    format = "pdf"
    charset = None

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        if isinstance(data, bytes):
            return data
        return json.dumps(data).encode()


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type=PDF)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"  # addresses and phone numbers
    return response


def _by(request: Request) -> User:
    return cast(User, request.user)


class SlipBatchSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = SlipBatch
        fields = [
            "id",
            "status",
            "description",
            "page_size",
            "total",
            "done",
            "percent",
            "pages",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, batch: SlipBatch) -> str | None:
        if batch.status != SlipBatchStatus.DONE:
            return None
        return reverse("api:kit-slip-batch-file", args=[batch.pk])


class NumberField(serializers.CharField):
    """A shipment number: text no number can contain (NUL) makes it an unknown number, reported on
    `shipments` as a whole rather than as a per-item error the schema cannot name."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]


PAGE_SIZE_PARAMETER = OpenApiParameter(
    "page_size", OpenApiTypes.STR, enum=SlipPageSize.values, description="A4 (default) or LETTER"
)


@extend_validation_errors(["invalid"], field_name="page_size", methods=["get"])
class ShipmentSlipApi(APIView):
    """One shipment's packing slip as PDF (with its one-kit pick list first); the print is logged."""

    permission_classes = [IsLogistics]
    renderer_classes = [JSONRenderer, PDFRenderer]

    @extend_schema(parameters=[PAGE_SIZE_PARAMETER], responses={(200, PDF): OpenApiTypes.BINARY})
    def get(self, request: Request, number: str) -> HttpResponse:
        shipment = printing.get_shipment(number)
        page_size = request.query_params.get("page_size", SlipPageSize.A4).upper()
        pdf = printing.print_packing_slips(shipment_ids=[shipment.pk], by=_by(request), page_size=page_size)
        return pdf_response(pdf, f"{shipment.number}.pdf")


@extend_validation_errors(
    ["nothing_to_print", "batch_too_large", "unknown_shipment"], field_name="shipments", methods=["post"]
)
class SlipBatchApi(APIView):
    """Packing slips for chosen shipments, or for a filter (campaign and/or state).

    Up to the direct-print limit the PDF comes back at once (200); a larger batch is queued (202)
    and its progress read at the batch URL until the PDF can be downloaded.
    """

    permission_classes = [IsLogistics]
    renderer_classes = [JSONRenderer, PDFRenderer]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "SlipBatchInput"

        shipments = serializers.ListField(
            child=NumberField(max_length=20),
            required=False,
            min_length=1,
            max_length=printing.MAX_BATCH_SHIPMENTS,
            help_text="Shipment numbers (KIT-2026-000123); or give a filter instead.",
        )
        campaign = serializers.SlugField(required=False, max_length=80)
        status = serializers.ChoiceField(choices=ShipmentStatus.choices, required=False)
        page_size = serializers.ChoiceField(choices=SlipPageSize.choices, default=SlipPageSize.A4)

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            chosen = "shipments" in attrs
            filtered = "campaign" in attrs or "status" in attrs
            if chosen == filtered:
                raise serializers.ValidationError(
                    "Give either shipment numbers or a filter (campaign and/or status)."
                )
            return attrs

    @extend_schema(
        request=InputSerializer,
        responses={(200, PDF): OpenApiTypes.BINARY, 202: SlipBatchSerializer},
    )
    def post(self, request: Request) -> HttpResponse:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if "shipments" in values:
            ids, description = shipment_ids_for_numbers(values["shipments"]), ""
        else:
            shipments = printing.shipments_for_filter(
                campaign_slug=values.get("campaign", ""), status=values.get("status", "")
            )
            ids = list(shipments.values_list("id", flat=True)[: printing.MAX_BATCH_SHIPMENTS + 1])
            description = describe_filter(values.get("campaign", ""), values.get("status", ""))
        if printing.is_direct(len(ids)):
            pdf = printing.print_packing_slips(
                shipment_ids=ids, by=_by(request), page_size=values["page_size"]
            )
            return pdf_response(pdf, "packing-slips.pdf")
        batch = printing.request_slip_batch(
            shipment_ids=ids, by=_by(request), page_size=values["page_size"], description=description
        )
        batch.refresh_from_db()
        return Response(SlipBatchSerializer(batch).data, status=status.HTTP_202_ACCEPTED)


def shipment_ids_for_numbers(numbers: list[str]) -> list[int]:
    """Ids in the order given; unknown numbers are a 400 that names them."""
    wanted = [number.replace("\x00", "?").strip().upper() for number in numbers]
    found = dict(Shipment.objects.filter(number__in=wanted).values_list("number", "id"))
    unknown = [number for number in wanted if number not in found]
    if unknown:
        raise Invalid(
            f"Unknown shipment number(s): {', '.join(unknown[:20])}.",
            code="unknown_shipment",
            field="shipments",
        )
    return [found[number] for number in wanted]


def describe_filter(campaign: str, state: str) -> str:
    parts = [f"campaign {campaign}" if campaign else "", f"state {state}" if state else ""]
    return ", ".join(part for part in parts if part)


def batches() -> QuerySet[SlipBatch]:
    return SlipBatch.objects.all()


class SlipBatchDetailApi(APIView):
    """A queued batch: its state and progress, and the download URL once done."""

    permission_classes = [IsLogistics]

    @extend_schema(responses={200: SlipBatchSerializer})
    def get(self, request: Request, batch_id: str) -> Response:
        return Response(SlipBatchSerializer(get_object_or_404(batches(), pk=batch_id)).data)


class SlipBatchFileApi(APIView):
    """The PDF of a finished batch (409 while it is still being rendered)."""

    permission_classes = [IsLogistics]
    renderer_classes = [JSONRenderer, PDFRenderer]

    @extend_schema(responses={(200, PDF): OpenApiTypes.BINARY, **CONFLICT})
    def get(self, request: Request, batch_id: str) -> FileResponse:
        batch = get_object_or_404(batches(), pk=batch_id)
        return batch_file_response(batch)


def batch_file_response(batch: SlipBatch) -> FileResponse:
    if batch.status != SlipBatchStatus.DONE or not batch.file:
        raise Conflict(
            "This batch is not ready.",
            code="batch_not_ready",
            extra={"status": batch.status, "done": batch.done, "total": batch.total},
        )
    response = FileResponse(batch.file.open("rb"), content_type=PDF, filename=f"packing-slips-{batch.pk}.pdf")
    response["Cache-Control"] = "no-store"
    return response
