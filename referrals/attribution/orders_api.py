"""Marketing's order list and detail, with each order's attribution (SPEC §9).

The routes are the orders API's own (`/api/v1/orders/`, `/api/v1/orders/{id}/`, `.../cancel/`):
orders knows no other app, so it cannot read an order's attribution; referrals, which owns the
attribution and may read orders, serves marketing's reads by extending the orders views. The shop's
import (`POST /api/v1/orders/`) is inherited unchanged. Responses keep their component names and
only gain fields; the list only gains filters.
"""

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from backend.email_address import normalise_email
from backend.errors import NotFound
from backend.filters import CampaignFilter, IdFilter
from backend.openapi import CONFLICT
from backend.permissions import user_sees_personal_data
from backend.serializers import OptionalChoiceField
from orders.ingestion.api import OrderCancelApi, OrderDetailApi, OrderFilter, OrdersApi
from orders.ingestion.serializers import (
    OrderCancelInputSerializer,
    OrderDetailSerializer,
    OrderListSerializer,
)
from orders.ingestion.services import cancel_order
from orders.models import Order, OrderQuerySet
from referrals.attribution.serializers import REASON_HELP
from referrals.models import AttributionMethod, AttributionReason


class _AttributionFields(serializers.Serializer):
    """The order's attribution: by which rule, to whom, and the sentence a person reads."""

    attribution_method = serializers.ChoiceField(
        source="attribution.method",
        choices=AttributionMethod.choices,
        allow_null=True,
        read_only=True,
        help_text="The rule that attributed the order (code, link, guest, manual, none); null before attribution ran.",
    )
    attribution_reason = OptionalChoiceField(
        source="attribution.reason", choices=AttributionReason.choices, help_text=REASON_HELP
    )
    attribution_explanation = serializers.CharField(
        source="attribution.explanation",
        allow_null=True,
        read_only=True,
        help_text='The attribution sentence, e.g. "code CLARA-7K2F entered at checkout".',
    )
    campaign = serializers.IntegerField(
        source="attribution.campaign_id",
        allow_null=True,
        read_only=True,
        help_text="The campaign the order is credited to (its id); null when unattributed.",
    )
    host = serializers.IntegerField(
        source="attribution.host_id",
        allow_null=True,
        read_only=True,
        help_text="The host the order is credited to (their id); null when unattributed.",
    )
    party = serializers.IntegerField(
        source="attribution.party_id",
        allow_null=True,
        read_only=True,
        help_text="The party the order is credited to (its id); null when not a party's.",
    )


ATTRIBUTION_FIELDS = [
    "attribution_method",
    "attribution_reason",
    "attribution_explanation",
    "campaign",
    "host",
    "party",
]


@extend_schema_serializer(component_name="OrderList")
class AttributedOrderListSerializer(_AttributionFields, OrderListSerializer):
    class Meta(OrderListSerializer.Meta):
        fields = [*OrderListSerializer.Meta.fields, *ATTRIBUTION_FIELDS]


@extend_schema_serializer(component_name="OrderDetail")
class AttributedOrderDetailSerializer(_AttributionFields, OrderDetailSerializer):
    class Meta(OrderDetailSerializer.Meta):
        fields = [*OrderDetailSerializer.Meta.fields, *ATTRIBUTION_FIELDS]


class AttributedOrderFilter(OrderFilter):
    campaign = CampaignFilter(field_name="attribution__campaign")
    host = IdFilter(field_name="attribution__host", help_text="Credited host's id.")
    party = IdFilter(field_name="attribution__party", help_text="Credited party's id.")
    method = django_filters.ChoiceFilter(
        field_name="attribution__method", choices=AttributionMethod.choices, help_text="Attribution rule."
    )
    external_id = django_filters.CharFilter(
        field_name="external_id", help_text="The order's id at its source (exact)."
    )
    email = django_filters.CharFilter(
        method="filter_email",
        help_text="The buyer's e-mail (exact, any case); only with the personal-data permission.",
    )

    class Meta(OrderFilter.Meta):
        fields = [*OrderFilter.Meta.fields, "campaign", "host", "party", "method", "external_id", "email"]

    def filter_email(self, queryset: QuerySet[Order], name: str, value: str) -> QuerySet[Order]:
        # Without the permission, a filter on the e-mail would tell whether someone bought.
        if not user_sees_personal_data(getattr(self.request, "user", None)):
            raise PermissionDenied("Filtering by e-mail needs the personal-data permission.")
        return queryset.filter(customer_email=normalise_email(value))


def _with_attribution(queryset: OrderQuerySet) -> OrderQuerySet:
    return queryset.select_related("attribution")


class AttributedOrdersApi(OrdersApi):
    __doc__ = OrdersApi.__doc__
    serializer_class = AttributedOrderListSerializer
    filterset_class = AttributedOrderFilter
    queryset = _with_attribution(Order.objects.all()).only(
        *OrderListSerializer.Meta.fields,
        "attribution__method",
        "attribution__reason",
        "attribution__explanation",
        "attribution__campaign_id",
        "attribution__host_id",
        "attribution__party_id",
        "attribution__order_id",
    )


def _order_detail(*, pk: int) -> Order:
    order = _with_attribution(Order.objects.for_detail()).filter(pk=pk).first()
    if order is None:
        raise NotFound("No such order.")
    return order


def _detail_body(request: Request, pk: int) -> dict[str, Any]:
    order = _order_detail(pk=pk)
    return AttributedOrderDetailSerializer(
        order, context=AttributedOrderDetailSerializer.context_for(request)
    ).data


class AttributedOrderDetailApi(OrderDetailApi):
    @extend_schema(responses=AttributedOrderDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """One order in full: amounts, lines, refunds, disputes, status history and every arrival from its
        shop, and its attribution; the buyer's e-mail is masked without the personal-data permission.
        Marketing (or admin) only."""
        return Response(_detail_body(request, pk))


class AttributedOrderCancelApi(OrderCancelApi):
    @extend_schema(
        request=OrderCancelInputSerializer, responses={200: AttributedOrderDetailSerializer, **CONFLICT}
    )
    def post(self, request: Request, pk: int) -> Response:
        """Void an order (the shop cancelled it before shipping): it earns nothing from now on. The reason is
        kept in its status history. Marketing (or admin) only."""
        data = OrderCancelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cancel_order(order=_order_detail(pk=pk), by=request.user, reason=data.validated_data["reason"])
        return Response(_detail_body(request, pk))
