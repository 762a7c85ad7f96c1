"""Catalogue API for logistics staff: SKUs with their stock, and campaigns' kit templates."""

from typing import Any, cast

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ambassadors.models import Campaign
from backend.filters import DescribedFilterSet
from backend.models import User
from backend.openapi import CONFLICT
from backend.pagination import CountedCursorPagination
from backend.permissions import IsLogistics
from kits.catalogue import services
from kits.catalogue.serializers import (
    ItemSerializer,
    ItemUpdateSerializer,
    KitTemplateSerializer,
)
from kits.models import Item, KitTemplate, KitTemplateLine


def _by(request: Request) -> User:
    """The signed-in staff member (the permission classes let no anonymous request through)."""
    return cast(User, request.user)


def item_or_404(sku: str) -> Item:
    return get_object_or_404(Item.objects.select_related("stock"), sku=sku)


class ItemFilter(DescribedFilterSet):
    class Meta:
        model = Item
        fields = ["active", "returnable", "bin_location", "currency"]
        help_texts = {
            "active": "true: only the pieces still used in kits; false: only those kept for history.",
            "returnable": "true: only the samples that come back after the campaign; false: only what stays "
            "with the host (promotion material).",
            "bin_location": "Only the pieces kept in this warehouse place (aisle and bin), exact.",
            "currency": "Only the pieces whose cost and price are in this currency: an ISO 4217 code (EUR).",
        }


class ItemListCreateApi(generics.ListCreateAPIView):
    """The catalogue with each SKU's stock; create a SKU (its stock starts at zero)."""

    permission_classes = [IsLogistics]
    serializer_class = ItemSerializer
    filterset_class = ItemFilter
    ordering_fields = ["sku", "bin_location", "name"]
    ordering = ["sku"]
    pagination_class = CountedCursorPagination
    queryset = Item.objects.select_related("stock").order_by("sku")

    @extend_schema(responses={201: ItemSerializer, **CONFLICT})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ItemSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = {k: v for k, v in data.validated_data.items() if k in services.ITEM_FIELDS}
        item = services.create_item(sku=data.validated_data["sku"], **fields)
        return Response(ItemSerializer(item_or_404(item.sku)).data, status=status.HTTP_201_CREATED)


class ItemDetailApi(APIView):
    permission_classes = [IsLogistics]

    @extend_schema(responses={200: ItemSerializer})
    def get(self, request: Request, sku: str) -> Response:
        """One catalogue item by SKU, with its stock: on hand, allocated to kits not yet shipped, and
        available (on hand − allocated). Logistics (or admin) only."""
        return Response(ItemSerializer(item_or_404(sku)).data)

    @extend_schema(request=ItemUpdateSerializer, responses={200: ItemSerializer, **CONFLICT})
    def patch(self, request: Request, sku: str) -> Response:
        """Change an item's description, prices or flags; only the fields sent change. The SKU never changes,
        and stock moves only through receipts, adjustments and kits. Logistics (or admin) only."""
        item = item_or_404(sku)
        data = ItemUpdateSerializer(item, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = {k: v for k, v in data.validated_data.items() if k in services.ITEM_FIELDS}
        services.update_item(item=item, **fields)
        return Response(ItemSerializer(item_or_404(sku)).data)


# --- kit templates ---------------------------------------------------------------------------


class KitTemplateLineInputSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=40, help_text="SKU of a catalogue item.")
    quantity = serializers.IntegerField(
        min_value=1, max_value=10_000, help_text="Units of it in every kit (1 to 10,000)."
    )


class KitTemplateApi(APIView):
    """The campaign's kit: what every selected host receives."""

    permission_classes = [IsLogistics]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "KitTemplateInput"

        name = serializers.CharField(
            max_length=120,
            required=False,
            allow_blank=True,
            default="",
            help_text="The kit's name as staff call it; optional.",
        )
        # DRF hands `min_length`/`max_length` to the list serializer `many=True` makes; the stubs lack them.
        lines = KitTemplateLineInputSerializer(
            many=True,
            min_length=1,
            max_length=1000,
            help_text="Every piece of the kit with its quantity (1 to 1,000 lines); replaces the previous lines.",
        )  # type: ignore[call-arg]

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
