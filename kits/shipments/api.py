"""Shipments API for logistics staff: allocation, transitions, returns, problems, settlements."""

from typing import cast

import django_filters
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ambassadors.models import Host
from backend.filters import CampaignFilter, DescribedFilterSet
from backend.models import User
from backend.openapi import CONFLICT, document_rule_codes
from backend.pagination import CountedCursorPagination
from backend.permissions import IsLogistics, IsStaffMember
from backend.serializers import IdRelatedField
from kits.models import (
    KitSettlement,
    ProblemKind,
    Shipment,
    ShipmentLine,
    ShipmentProblem,
    ShipmentStatus,
    ShipmentStatusChange,
)
from kits.shipments import services
from kits.shipments.serializers import (
    KitSettlementSerializer,
    ShipmentDetailSerializer,
    ShipmentProblemSerializer,
    ShipmentSerializer,
)
from kits.stock.api import REASON_MAX_LENGTH


def _by(request: Request) -> User:
    """The signed-in staff member (the permission classes let no anonymous request through)."""
    return cast(User, request.user)


def _shipment(number: str) -> Shipment:
    return get_object_or_404(Shipment, number=number)


def _shipment_detail(shipment: Shipment) -> dict:
    detailed = Shipment.objects.select_related("campaign", "settlement__shipment", "settlement__campaign")
    detailed = detailed.prefetch_related(
        Prefetch("lines", ShipmentLine.objects.select_related("item")),
        Prefetch("history", ShipmentStatusChange.objects.select_related("by")),
        Prefetch(
            "problems",
            ShipmentProblem.objects.select_related("shipment", "line__item", "reported_by"),
        ),
    )
    return ShipmentDetailSerializer(detailed.get(pk=shipment.pk)).data


# --- shipments -------------------------------------------------------------------------------


class ShipmentFilter(DescribedFilterSet):
    campaign = CampaignFilter()
    status = django_filters.ChoiceFilter(choices=ShipmentStatus.choices)

    class Meta:
        model = Shipment
        fields = ["campaign", "status", "host"]
        help_texts = {"host": "Only the kits sent to this host, by the host's id."}


class ShipmentListCreateApi(generics.ListAPIView):
    """Every kit; `POST` allocates a kit to a host on demand (all or nothing)."""

    permission_classes = [IsLogistics]
    serializer_class = ShipmentSerializer
    filterset_class = ShipmentFilter
    ordering_fields = ["allocated_at", "number"]
    ordering = ["-allocated_at", "-id"]
    pagination_class = CountedCursorPagination

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ShipmentListCreateInput"

        host = IdRelatedField(
            queryset=Host.objects.select_related("campaign"),
            help_text="The host to allocate a kit to (their id); their campaign's kit template is reserved from stock.",
        )

    def get_queryset(self) -> QuerySet[Shipment]:
        return Shipment.objects.select_related("campaign").prefetch_related("lines")

    @extend_schema(request=InputSerializer, responses={201: ShipmentDetailSerializer, **CONFLICT})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shipment = services.allocate_kit(host=data.validated_data["host"], by=_by(request))
        return Response(_shipment_detail(shipment), status=status.HTTP_201_CREATED)


class ShipmentDetailApi(APIView):
    permission_classes = [IsLogistics]

    @extend_schema(responses={200: ShipmentDetailSerializer})
    def get(self, request: Request, number: str) -> Response:
        """One kit shipment by its number (KIT-2026-000123): ship-to, lines with returns, tracking, status
        history, the problems reported and the settlement of missing pieces. Logistics (or admin) only."""
        return Response(_shipment_detail(_shipment(number)))


class ShipmentPackApi(APIView):
    permission_classes = [IsLogistics]

    @extend_schema(request=None, responses={200: ShipmentDetailSerializer, **CONFLICT})
    def post(self, request: Request, number: str) -> Response:
        """Mark an allocated kit packed in the warehouse (allocated → packed); any other status answers 409.
        Logistics (or admin) only."""
        shipment = services.mark_packed(shipment=_shipment(number), by=_by(request))
        return Response(_shipment_detail(shipment))


class ShipmentShipApi(APIView):
    permission_classes = [IsLogistics]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ShipmentShipInput"

        carrier = serializers.CharField(
            max_length=50, help_text="The carrier the kit is handed to (e.g. Colissimo)."
        )
        tracking_number = serializers.CharField(max_length=64, help_text="The carrier's tracking number.")
        tracking_url = serializers.URLField(
            max_length=500,
            required=False,
            allow_blank=True,
            default="",
            help_text="Where the host can follow the parcel; optional.",
        )

    @extend_schema(request=InputSerializer, responses={200: ShipmentDetailSerializer, **CONFLICT})
    def post(self, request: Request, number: str) -> Response:
        """Hand a packed kit to the carrier (packed → shipped) with its carrier and tracking number; the kit's
        units leave the stock (on hand and allocated). Logistics (or admin) only."""
        shipment = _shipment(number)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shipment = services.mark_shipped(shipment=shipment, by=_by(request), **data.validated_data)
        return Response(_shipment_detail(shipment))


class ShipmentDeliverApi(APIView):
    """Staff confirm delivery (hosts confirm in the portal)."""

    permission_classes = [IsLogistics]

    @extend_schema(request=None, responses={200: ShipmentDetailSerializer, **CONFLICT})
    def post(self, request: Request, number: str) -> Response:
        shipment = services.confirm_delivery(shipment=_shipment(number), by=_by(request))
        return Response(_shipment_detail(shipment))


class ShipmentCancelApi(APIView):
    """Cancel an allocated or packed kit: its stock is released."""

    permission_classes = [IsLogistics]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ShipmentCancelInput"

        reason = serializers.CharField(
            required=False,
            allow_blank=True,
            default="",
            max_length=REASON_MAX_LENGTH,
            help_text="Why the kit is cancelled, kept in its history; optional.",
        )

    @extend_schema(request=InputSerializer, responses={200: ShipmentDetailSerializer, **CONFLICT})
    def post(self, request: Request, number: str) -> Response:
        shipment = _shipment(number)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shipment = services.cancel_shipment(shipment=shipment, by=_by(request), **data.validated_data)
        return Response(_shipment_detail(shipment))


class ReturnedLineInputSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=40, help_text="SKU of a piece of the kit.")
    good = serializers.IntegerField(
        min_value=0,
        max_value=10_000,
        default=0,
        help_text="Units returned in a sellable state (back in stock).",
    )
    damaged = serializers.IntegerField(
        min_value=0,
        max_value=10_000,
        default=0,
        help_text="Units returned damaged (recorded, not put back in stock).",
    )


# The codes of `services.receive_return`'s rules, given on the list of lines.
_RETURN_RULES = {"lines": ["invalid", "unknown_sku", "duplicate_sku", "not_returnable", "too_many_returned"]}


@document_rule_codes(_RETURN_RULES, methods=["post"])
class ShipmentReturnApi(APIView):
    """Receive a return parcel: per SKU, the units in good state (restocked) and damaged."""

    permission_classes = [IsLogistics]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ShipmentReturnInput"

        # DRF hands `min_length`/`max_length` to the list serializer `many=True` makes; the stubs lack them.
        lines = ReturnedLineInputSerializer(
            many=True,
            min_length=1,
            max_length=1000,
            help_text="What came back, per SKU (1 to 1,000 lines); pieces not listed count as not returned.",
        )  # type: ignore[call-arg]

    @extend_schema(request=InputSerializer, responses={200: ShipmentDetailSerializer, **CONFLICT})
    def post(self, request: Request, number: str) -> Response:
        shipment = _shipment(number)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lines = [services.ReturnedLine(**line) for line in data.validated_data["lines"]]
        shipment = services.receive_return(shipment=shipment, lines=lines, by=_by(request))
        return Response(_shipment_detail(shipment))


class ShipmentCloseApi(APIView):
    """Nothing more is expected back: what is missing is settled by the campaign's policy."""

    permission_classes = [IsLogistics]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ShipmentCloseInput"

        reason = serializers.CharField(
            required=False,
            allow_blank=True,
            default="",
            max_length=REASON_MAX_LENGTH,
            help_text="Why the kit is closed now, kept in its history; optional.",
        )

    @extend_schema(request=InputSerializer, responses={200: ShipmentDetailSerializer, **CONFLICT})
    def post(self, request: Request, number: str) -> Response:
        shipment = _shipment(number)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shipment = services.close_shipment(shipment=shipment, by=_by(request), **data.validated_data)
        return Response(_shipment_detail(shipment))


# --- problems and settlements ----------------------------------------------------------------


class ShipmentProblemFilter(django_filters.FilterSet):
    resolved = django_filters.BooleanFilter(
        field_name="resolved_at",
        lookup_expr="isnull",
        exclude=True,
        help_text="true: only the problems logistics resolved; false: only those still open.",
    )
    kind = django_filters.ChoiceFilter(choices=ProblemKind.choices)
    shipment = django_filters.CharFilter(
        field_name="shipment__number", help_text="Only the problems reported on this shipment, by its number."
    )

    class Meta:
        model = ShipmentProblem
        fields = ["resolved", "kind", "shipment"]


class ShipmentProblemListApi(generics.ListAPIView):
    """Problems reported by hosts (missing or damaged items), newest first."""

    permission_classes = [IsLogistics]
    serializer_class = ShipmentProblemSerializer
    filterset_class = ShipmentProblemFilter
    ordering_fields: list[str] = []
    ordering = ["-created_at", "-id"]
    pagination_class = CountedCursorPagination
    queryset = ShipmentProblem.objects.select_related("shipment", "line__item", "reported_by")


class ShipmentProblemResolveApi(APIView):
    permission_classes = [IsLogistics]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ShipmentProblemResolveInput"

        resolution = serializers.CharField(
            max_length=REASON_MAX_LENGTH,
            help_text="What was done about the problem (e.g. 'missing scarf sent on 12 March').",
        )

    @extend_schema(request=InputSerializer, responses={200: ShipmentProblemSerializer, **CONFLICT})
    def post(self, request: Request, problem_id: int) -> Response:
        """Close a problem a host reported on their kit (missing or damaged piece) with what was done about
        it; a resolved problem cannot be resolved again (409). Logistics (or admin) only."""
        problem = get_object_or_404(ShipmentProblem, pk=problem_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        problem = services.resolve_kit_problem(problem=problem, by=_by(request), **data.validated_data)
        problem = ShipmentProblem.objects.select_related("shipment", "line__item", "reported_by").get(
            pk=problem.pk
        )
        return Response(ShipmentProblemSerializer(problem).data)


class KitSettlementFilter(DescribedFilterSet):
    campaign = CampaignFilter()

    class Meta:
        model = KitSettlement
        fields = ["campaign", "host", "policy"]
        help_texts = {"host": "Only the settlements of this host's kits, by the host's id."}


class KitSettlementListApi(generics.ListAPIView):
    """How missing kit items were settled, per shipment (readable by every staff role)."""

    permission_classes = [IsStaffMember]
    serializer_class = KitSettlementSerializer
    filterset_class = KitSettlementFilter
    ordering_fields: list[str] = []
    ordering = ["-settled_at", "-id"]
    pagination_class = CountedCursorPagination
    queryset = KitSettlement.objects.select_related("shipment", "campaign")
