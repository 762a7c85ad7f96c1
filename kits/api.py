"""Kits API for logistics staff: catalogue, stock ledger, kit templates, shipments, returns."""

from typing import Any, cast

import django_filters
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ambassadors.models import Campaign, Host
from backend.models import User
from backend.openapi import CONFLICT
from backend.pagination import CursorPagination
from backend.permissions import IsLogistics, IsStaffMember
from kits import services
from kits.models import (
    Item,
    KitSettlement,
    KitTemplate,
    KitTemplateLine,
    MovementKind,
    ProblemKind,
    Shipment,
    ShipmentLine,
    ShipmentProblem,
    ShipmentStatus,
    ShipmentStatusChange,
    StockMovement,
)
from kits.serializers import (
    ItemSerializer,
    ItemUpdateSerializer,
    KitSettlementSerializer,
    KitTemplateSerializer,
    ShipmentDetailSerializer,
    ShipmentProblemSerializer,
    ShipmentSerializer,
    StockMovementSerializer,
)

REASON_MAX_LENGTH = 500


def _by(request: Request) -> User:
    """The signed-in staff member (the permission classes let no anonymous request through)."""
    return cast(User, request.user)


def _item(sku: str) -> Item:
    return get_object_or_404(Item.objects.select_related("stock"), sku=sku)


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


# --- catalogue and stock ---------------------------------------------------------------------


class ItemFilter(django_filters.FilterSet):
    class Meta:
        model = Item
        fields = ["active", "returnable", "bin_location", "currency"]


class ItemListCreateApi(generics.ListCreateAPIView):
    """The catalogue with each SKU's stock; create a SKU (its stock starts at zero)."""

    permission_classes = [IsLogistics]
    serializer_class = ItemSerializer
    filterset_class = ItemFilter
    ordering_fields = ["sku", "bin_location", "name"]
    queryset = Item.objects.select_related("stock").order_by("sku")

    @extend_schema(responses={201: ItemSerializer, **CONFLICT})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ItemSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = {k: v for k, v in data.validated_data.items() if k in services.ITEM_FIELDS}
        item = services.create_item(sku=data.validated_data["sku"], **fields)
        return Response(ItemSerializer(_item(item.sku)).data, status=status.HTTP_201_CREATED)


class ItemDetailApi(APIView):
    permission_classes = [IsLogistics]

    @extend_schema(responses={200: ItemSerializer})
    def get(self, request: Request, sku: str) -> Response:
        return Response(ItemSerializer(_item(sku)).data)

    @extend_schema(request=ItemUpdateSerializer, responses={200: ItemSerializer, **CONFLICT})
    def patch(self, request: Request, sku: str) -> Response:
        item = _item(sku)
        data = ItemUpdateSerializer(item, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = {k: v for k, v in data.validated_data.items() if k in services.ITEM_FIELDS}
        services.update_item(item=item, **fields)
        return Response(ItemSerializer(_item(sku)).data)


class StockReceiptApi(APIView):
    """Units delivered to the warehouse."""

    permission_classes = [IsLogistics]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "StockReceiptInput"

        quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)
        reason = serializers.CharField(
            required=False, allow_blank=True, default="", max_length=REASON_MAX_LENGTH
        )

    @extend_schema(request=InputSerializer, responses={201: StockMovementSerializer})
    def post(self, request: Request, sku: str) -> Response:
        item = _item(sku)
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

        delta = serializers.IntegerField(min_value=-1_000_000, max_value=1_000_000)
        reason = serializers.CharField(max_length=REASON_MAX_LENGTH)

    @extend_schema(request=InputSerializer, responses={201: StockMovementSerializer, **CONFLICT})
    def post(self, request: Request, sku: str) -> Response:
        item = _item(sku)
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

        quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)
        reason = serializers.CharField(max_length=REASON_MAX_LENGTH)

    @extend_schema(request=InputSerializer, responses={201: StockMovementSerializer, **CONFLICT})
    def post(self, request: Request, sku: str) -> Response:
        item = _item(sku)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        movement = services.write_off_stock(item=item, by=_by(request), **data.validated_data)
        return Response(StockMovementSerializer(movement).data, status=status.HTTP_201_CREATED)


class StockMovementFilter(django_filters.FilterSet):
    sku = django_filters.CharFilter(field_name="item__sku")
    kind = django_filters.ChoiceFilter(choices=MovementKind.choices)
    shipment = django_filters.CharFilter(field_name="shipment__number")

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


# --- kit templates ---------------------------------------------------------------------------


class KitTemplateLineInputSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=40)
    quantity = serializers.IntegerField(min_value=1, max_value=10_000)


class KitTemplateApi(APIView):
    """The campaign's kit: what every selected host receives."""

    permission_classes = [IsLogistics]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "KitTemplateInput"

        name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
        # DRF hands `min_length`/`max_length` to the list serializer `many=True` makes; the stubs lack them.
        lines = KitTemplateLineInputSerializer(many=True, min_length=1, max_length=1000)  # type: ignore[call-arg]

    @staticmethod
    def _template_data(campaign: Campaign) -> dict:
        template = get_object_or_404(
            KitTemplate.objects.select_related("campaign").prefetch_related(
                Prefetch("lines", KitTemplateLine.objects.select_related("item"))
            ),
            campaign=campaign,
        )
        return KitTemplateSerializer(template).data

    @extend_schema(responses={200: KitTemplateSerializer})
    def get(self, request: Request, campaign_slug: str) -> Response:
        campaign = get_object_or_404(Campaign, slug=campaign_slug)
        return Response(self._template_data(campaign))

    @extend_schema(request=InputSerializer, responses={200: KitTemplateSerializer})
    def put(self, request: Request, campaign_slug: str) -> Response:
        campaign = get_object_or_404(Campaign, slug=campaign_slug)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        wanted = data.validated_data["lines"]
        items = Item.objects.in_bulk([line["sku"] for line in wanted], field_name="sku")
        unknown = sorted({line["sku"] for line in wanted} - set(items))
        if unknown:
            raise serializers.ValidationError({"lines": [f"Unknown SKU: {', '.join(unknown)}."]})
        services.set_kit_template(
            campaign=campaign,
            lines=[(items[line["sku"]], line["quantity"]) for line in wanted],
            name=data.validated_data["name"],
            by=_by(request),
        )
        return Response(self._template_data(campaign))


# --- shipments -------------------------------------------------------------------------------


class ShipmentFilter(django_filters.FilterSet):
    campaign = django_filters.CharFilter(field_name="campaign__slug")
    status = django_filters.ChoiceFilter(choices=ShipmentStatus.choices)

    class Meta:
        model = Shipment
        fields = ["campaign", "status", "host"]


class ShipmentListCreateApi(generics.ListAPIView):
    """Every kit; `POST` allocates a kit to a host on demand (all or nothing)."""

    permission_classes = [IsLogistics]
    serializer_class = ShipmentSerializer
    filterset_class = ShipmentFilter
    ordering_fields = ["allocated_at", "number"]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ShipmentListCreateInput"

        host = serializers.PrimaryKeyRelatedField(queryset=Host.objects.select_related("campaign"))

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
        return Response(_shipment_detail(_shipment(number)))


class ShipmentPackApi(APIView):
    permission_classes = [IsLogistics]

    @extend_schema(request=None, responses={200: ShipmentDetailSerializer, **CONFLICT})
    def post(self, request: Request, number: str) -> Response:
        shipment = services.mark_packed(shipment=_shipment(number), by=_by(request))
        return Response(_shipment_detail(shipment))


class ShipmentShipApi(APIView):
    permission_classes = [IsLogistics]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ShipmentShipInput"

        carrier = serializers.CharField(max_length=50)
        tracking_number = serializers.CharField(max_length=64)
        tracking_url = serializers.URLField(max_length=500, required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses={200: ShipmentDetailSerializer, **CONFLICT})
    def post(self, request: Request, number: str) -> Response:
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
            required=False, allow_blank=True, default="", max_length=REASON_MAX_LENGTH
        )

    @extend_schema(request=InputSerializer, responses={200: ShipmentDetailSerializer, **CONFLICT})
    def post(self, request: Request, number: str) -> Response:
        shipment = _shipment(number)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shipment = services.cancel_shipment(shipment=shipment, by=_by(request), **data.validated_data)
        return Response(_shipment_detail(shipment))


class ReturnedLineInputSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=40)
    good = serializers.IntegerField(min_value=0, max_value=10_000, default=0)
    damaged = serializers.IntegerField(min_value=0, max_value=10_000, default=0)


class ShipmentReturnApi(APIView):
    """Receive a return parcel: per SKU, the units in good state (restocked) and damaged."""

    permission_classes = [IsLogistics]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ShipmentReturnInput"

        # DRF hands `min_length`/`max_length` to the list serializer `many=True` makes; the stubs lack them.
        lines = ReturnedLineInputSerializer(many=True, min_length=1, max_length=1000)  # type: ignore[call-arg]

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
            required=False, allow_blank=True, default="", max_length=REASON_MAX_LENGTH
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
    resolved = django_filters.BooleanFilter(field_name="resolved_at", lookup_expr="isnull", exclude=True)
    kind = django_filters.ChoiceFilter(choices=ProblemKind.choices)
    shipment = django_filters.CharFilter(field_name="shipment__number")

    class Meta:
        model = ShipmentProblem
        fields = ["resolved", "kind", "shipment"]


class ShipmentProblemListApi(generics.ListAPIView):
    """Problems reported by hosts (missing or damaged items), newest first."""

    permission_classes = [IsLogistics]
    serializer_class = ShipmentProblemSerializer
    filterset_class = ShipmentProblemFilter
    ordering_fields: list[str] = []
    queryset = ShipmentProblem.objects.select_related("shipment", "line__item", "reported_by")


class ShipmentProblemResolveApi(APIView):
    permission_classes = [IsLogistics]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ShipmentProblemResolveInput"

        resolution = serializers.CharField(max_length=REASON_MAX_LENGTH)

    @extend_schema(request=InputSerializer, responses={200: ShipmentProblemSerializer, **CONFLICT})
    def post(self, request: Request, problem_id: int) -> Response:
        problem = get_object_or_404(ShipmentProblem, pk=problem_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        problem = services.resolve_kit_problem(problem=problem, by=_by(request), **data.validated_data)
        problem = ShipmentProblem.objects.select_related("shipment", "line__item", "reported_by").get(
            pk=problem.pk
        )
        return Response(ShipmentProblemSerializer(problem).data)


class KitSettlementFilter(django_filters.FilterSet):
    campaign = django_filters.CharFilter(field_name="campaign__slug")

    class Meta:
        model = KitSettlement
        fields = ["campaign", "host", "policy"]


class KitSettlementListApi(generics.ListAPIView):
    """How missing kit items were settled, per shipment (readable by every staff role)."""

    permission_classes = [IsStaffMember]
    serializer_class = KitSettlementSerializer
    filterset_class = KitSettlementFilter
    ordering_fields: list[str] = []
    queryset = KitSettlement.objects.select_related("shipment", "campaign")
