"""Packing slips API for logistics: one shipment's slip, batches by numbers or by filter, batch
progress, and the print log."""

import json
from typing import Any, cast

import django_filters
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import generics, serializers, status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.models import User
from backend.openapi import CONFLICT
from backend.pagination import CountedCursorPagination
from backend.permissions import IsLogistics
from kits.models import PrintLog, Shipment, ShipmentStatus, SlipBatch, SlipPageSize
from kits.slips import services
from kits.slips.responses import PDF, batch_file_response, pdf_response
from kits.slips.serializers import NumberField, PrintLogSerializer, SlipBatchSerializer


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


def _by(request: Request) -> User:
    return cast(User, request.user)


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
        shipment = services.get_shipment(number)
        page_size = request.query_params.get("page_size", SlipPageSize.A4).upper()
        pdf = services.print_packing_slips(shipment_ids=[shipment.pk], by=_by(request), page_size=page_size)
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
            max_length=services.MAX_BATCH_SHIPMENTS,
            help_text="Shipment numbers (KIT-2026-000123); or give a filter instead.",
        )
        campaign = serializers.SlugField(
            required=False, max_length=80, help_text="Only this campaign's kits (its slug); optional."
        )
        status = serializers.ChoiceField(
            choices=ShipmentStatus.choices,
            required=False,
            help_text="Only kits in this status (e.g. allocated: the ones to pack); optional.",
        )
        page_size = serializers.ChoiceField(
            choices=SlipPageSize.choices,
            default=SlipPageSize.A4,
            help_text="Paper size: A4 (default) or LETTER.",
        )

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
            ids, description = services.shipment_ids_for_numbers(values["shipments"]), ""
        else:
            shipments = services.shipments_for_filter(
                campaign_slug=values.get("campaign", ""), status=values.get("status", "")
            )
            ids = list(shipments.values_list("id", flat=True)[: services.MAX_BATCH_SHIPMENTS + 1])
            description = services.describe_filter(values.get("campaign", ""), values.get("status", ""))
        if services.is_direct(len(ids)):
            pdf = services.print_packing_slips(
                shipment_ids=ids, by=_by(request), page_size=values["page_size"]
            )
            return pdf_response(pdf, "packing-slips.pdf")
        batch = services.request_slip_batch(
            shipment_ids=ids, by=_by(request), page_size=values["page_size"], description=description
        )
        batch.refresh_from_db()
        return Response(SlipBatchSerializer(batch).data, status=status.HTTP_202_ACCEPTED)


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
    def get(self, request: Request, batch_id: str) -> HttpResponseBase:
        batch = get_object_or_404(batches(), pk=batch_id)
        return batch_file_response(batch)


class PrintLogFilter(django_filters.FilterSet):
    shipment = django_filters.CharFilter(
        field_name="shipments__number", help_text="A shipment number: the prints that held its slip."
    )

    class Meta:
        model = PrintLog
        fields = ["shipment", "batch", "page_size"]


class PrintLogListApi(generics.ListAPIView):
    """Every print of packing slips, newest first: was this kit's slip printed, when, by whom?"""

    permission_classes = [IsLogistics]
    serializer_class = PrintLogSerializer
    filterset_class = PrintLogFilter
    ordering_fields = ["at"]
    ordering = ["-at", "-id"]
    pagination_class = CountedCursorPagination
    queryset = PrintLog.objects.select_related("by").prefetch_related(
        Prefetch("shipments", Shipment.objects.only("id", "number").order_by("number"))
    )
