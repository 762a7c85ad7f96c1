"""Stock API for logistics staff: receipts, adjustments, write-offs, and the movement ledger."""

from typing import cast

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.models import User
from backend.openapi import CONFLICT
from backend.pagination import CursorPagination
from backend.permissions import IsLogistics
from kits.catalogue.api import item_or_404
from kits.models import MovementKind, StockMovement
from kits.stock import services
from kits.stock.serializers import StockMovementSerializer

REASON_MAX_LENGTH = 500


def _by(request: Request) -> User:
    """The signed-in staff member (the permission classes let no anonymous request through)."""
    return cast(User, request.user)


class StockReceiptApi(APIView):
    """Units delivered to the warehouse."""

    permission_classes = [IsLogistics]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "StockReceiptInput"

        quantity = serializers.IntegerField(
            min_value=1, max_value=1_000_000, help_text="Units delivered to the warehouse (1 to 1,000,000)."
        )
        reason = serializers.CharField(
            required=False,
            allow_blank=True,
            default="",
            max_length=REASON_MAX_LENGTH,
            help_text="What was received (e.g. the supplier's delivery note); optional, kept with the movement.",
        )

    @extend_schema(request=InputSerializer, responses={201: StockMovementSerializer})
    def post(self, request: Request, sku: str) -> Response:
        item = item_or_404(sku)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        movement = services.receive_stock(item=item, by=_by(request), **data.validated_data)
        return Response(StockMovementSerializer(movement).data, status=status.HTTP_201_CREATED)


class StockAdjustmentApi(APIView):
    """A stock-count correction (positive or negative), always with a reason."""

    permission_classes = [IsLogistics]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "StockAdjustmentInput"

        delta = serializers.IntegerField(
            min_value=-1_000_000,
            max_value=1_000_000,
            help_text="Units to add (positive) or remove (negative) from the stock on hand, e.g. after a count.",
        )
        reason = serializers.CharField(
            max_length=REASON_MAX_LENGTH,
            help_text="Why the stock is corrected (required, kept with the movement).",
        )

    @extend_schema(request=InputSerializer, responses={201: StockMovementSerializer, **CONFLICT})
    def post(self, request: Request, sku: str) -> Response:
        item = item_or_404(sku)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        movement = services.adjust_stock(item=item, by=_by(request), **data.validated_data)
        return Response(StockMovementSerializer(movement).data, status=status.HTTP_201_CREATED)


class StockWriteOffApi(APIView):
    """Units on hand destroyed or lost, with a reason."""

    permission_classes = [IsLogistics]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "StockWriteOffInput"

        quantity = serializers.IntegerField(
            min_value=1,
            max_value=1_000_000,
            help_text="Units written off the stock on hand (1 to 1,000,000).",
        )
        reason = serializers.CharField(
            max_length=REASON_MAX_LENGTH,
            help_text="Why they are written off (required, kept with the movement).",
        )

    @extend_schema(request=InputSerializer, responses={201: StockMovementSerializer, **CONFLICT})
    def post(self, request: Request, sku: str) -> Response:
        item = item_or_404(sku)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        movement = services.write_off_stock(item=item, by=_by(request), **data.validated_data)
        return Response(StockMovementSerializer(movement).data, status=status.HTTP_201_CREATED)


class StockMovementFilter(django_filters.FilterSet):
    sku = django_filters.CharFilter(
        field_name="item__sku", help_text="Only the movements of this catalogue piece, by its SKU (exact)."
    )
    kind = django_filters.ChoiceFilter(choices=MovementKind.choices)
    shipment = django_filters.CharFilter(
        field_name="shipment__number",
        help_text="Only the movements made for this kit shipment, by its number (exact).",
    )

    class Meta:
        model = StockMovement
        fields = ["sku", "kind", "shipment"]


class StockMovementListApi(generics.ListAPIView):
    """The stock ledger, newest first."""

    permission_classes = [IsLogistics]
    serializer_class = StockMovementSerializer
    filterset_class = StockMovementFilter
    pagination_class = CursorPagination
    ordering_fields: list[str] = []
    queryset = StockMovement.objects.select_related("item", "shipment", "by")
