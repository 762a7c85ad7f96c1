"""Orders API: the shop platform's import (API key) and marketing's reads (staff token)."""

from typing import Any, cast

import django_filters
from django.db.models import prefetch_related_objects
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import generics, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import BaseParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_api_key.permissions import BaseHasAPIKey

from backend.errors import DomainError
from backend.filters import UtcIsoDateTimeFilter
from backend.openapi import CONFLICT, document_rule_codes
from backend.pagination import CursorPagination
from backend.permissions import IsMarketing
from orders.ingestion.serializers import (
    ImportBatchResultSerializer,
    OrderBatchInputSerializer,
    OrderCancelInputSerializer,
    OrderDetailSerializer,
    OrderInputSerializer,
    OrderListSerializer,
    ShopOrderSerializer,
)
from orders.ingestion.services import ImportResult, cancel_order, get_order, import_order, import_order_batch
from orders.models import CurrencyStatus, Order, OrderSource, OrderStatus, ShopApiKey, ShopApiKeyScope


class HasShopApiKey(BaseHasAPIKey):
    """The request carries a valid, unrevoked, unexpired shop key (`Authorization: Api-Key <key>`)
    whose scopes name the view's `shop_key_scope` (the order import's by default)."""

    model = ShopApiKey

    def has_permission(self, request: Any, view: Any) -> bool:
        key = self.get_key(request)
        if not key:
            return False
        try:
            api_key = cast(ShopApiKey, ShopApiKey.objects.get_from_key(key))  # unrevoked, hash matching
        except ShopApiKey.DoesNotExist:
            return False
        scope = getattr(view, "shop_key_scope", ShopApiKeyScope.ORDERS_IMPORT)
        return not api_key.has_expired and scope in api_key.scopes


class ShopApiKeyAuthentication(BaseAuthentication):
    """Names the scheme (401 + `WWW-Authenticate: Api-Key`); `HasShopApiKey` checks the key itself."""

    def authenticate(self, request: Request) -> None:
        return None

    def authenticate_header(self, request: Request) -> str:
        return "Api-Key"


class ShopApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = ShopApiKeyAuthentication
    name = "shopApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`: a shop API key created in the admin or with "
            "`manage.py create_shop_api_key`.",
        }


def _error_response(exc: Exception, view: APIView) -> Response:
    """The one error shape, built by the project's exception handler, for one batch item."""
    response = view.get_exception_handler()(exc, view.get_exception_handler_context())
    assert response is not None  # every DomainError and ValidationError is handled
    return response


class OrderFilter(django_filters.FilterSet):
    placed_after = UtcIsoDateTimeFilter(field_name="placed_at", lookup_expr="gte", rows="orders placed")
    placed_before = UtcIsoDateTimeFilter(field_name="placed_at", lookup_expr="lt", rows="orders placed")
    source = django_filters.ChoiceFilter(choices=OrderSource.choices)
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices)
    code = django_filters.CharFilter(
        field_name="code", lookup_expr="iexact", help_text="Code entered at checkout."
    )
    channel_conflict = django_filters.BooleanFilter(
        help_text="Reported by two channels with other figures (true) or not (false)."
    )
    currency_status = django_filters.ChoiceFilter(
        choices=CurrencyStatus.choices,
        help_text="`waiting_for_rate`: paid in another currency than its campaign's, credited once the "
        "day's exchange rate is loaded.",
    )

    class Meta:
        model = Order
        fields = [
            "placed_after",
            "placed_before",
            "source",
            "status",
            "code",
            "channel_conflict",
            "currency_status",
        ]


# The codes of the §6 rules (rules.order_rule_problems) in the schema of the import.
_ORDER_RULES = {
    "currency": ["unknown_currency", "unsupported_currency"],
    "placed_at": ["in_future", "before_campaign_year"],
    "total": ["negative_amount", "too_many_decimals", "total_mismatch"],
    "lines.INDEX.unit_price": ["negative_amount", "too_many_decimals"],
    "refunds": ["duplicate_refund"],
    "refunds.INDEX.amount": ["negative_amount", "too_many_decimals", "refund_exceeds_paid"],
    "refunds.INDEX.refunded_at": ["in_future", "before_order"],
    **{
        name: ["negative_amount", "too_many_decimals"] for name in ("subtotal", "discount", "shipping", "tax")
    },
}


@document_rule_codes(_ORDER_RULES, methods=["post"])
class OrdersApi(generics.ListAPIView):
    """`GET /api/v1/orders/`: marketing's list (staff token; e-mails masked without the personal-data
    permission). `POST /api/v1/orders/`: the shop's import (API key), one order or `{"orders": [...]}`.
    """

    serializer_class = OrderListSerializer
    pagination_class = CursorPagination
    filterset_class = OrderFilter
    ordering_fields: list[str] = []
    queryset = Order.objects.for_list()
    source = OrderSource.API

    def _is_import(self) -> bool:
        return getattr(self, "request", None) is not None and self.request.method == "POST"

    def get_authenticators(self) -> list[BaseAuthentication]:
        if self._is_import():
            return [ShopApiKeyAuthentication()]
        return super().get_authenticators()

    def get_permissions(self) -> list[Any]:
        return [HasShopApiKey()] if self._is_import() else [IsMarketing()]

    def get_parsers(self) -> list[BaseParser]:
        return [JSONParser()]  # orders travel as JSON only (decimal strings, nested lines)

    def get_serializer_context(self) -> dict[str, Any]:
        return OrderListSerializer.context_for(self.request)

    @extend_schema(
        operation_id="orders_import",
        request=PolymorphicProxySerializer(
            component_name="OrderImportRequest",
            serializers=[OrderInputSerializer, OrderBatchInputSerializer],
            resource_type_field_name=None,
        ),
        responses={
            200: PolymorphicProxySerializer(
                component_name="OrderImportResponse",
                serializers=[ShopOrderSerializer, ImportBatchResultSerializer],
                resource_type_field_name=None,
            ),
            201: OpenApiResponse(ShopOrderSerializer, description="The order was recorded now."),
            **CONFLICT,
        },
        description=(
            "Idempotent on (source, external_id): the same order again answers 200 with the same body; "
            "other content for the same id answers 409. Refunds are recorded once by `refund_id`. "
            "A batch answers 200 with a result per item (each with the status it would have had alone)."
        ),
    )
    def post(self, request: Request) -> Response:
        if isinstance(request.data, dict) and "orders" in request.data:
            return self._batch(request)
        item = self._import_one(request.data)
        if isinstance(item, Exception):
            raise item
        result: ImportResult = item
        body = ShopOrderSerializer(result.order).data
        return Response(body, status=status.HTTP_201_CREATED if result.order_created else status.HTTP_200_OK)

    def _import_one(self, payload: Any) -> ImportResult | Exception:
        data = OrderInputSerializer(data=payload)
        try:
            data.is_valid(raise_exception=True)
            return import_order(
                source=self.source,
                data=OrderInputSerializer.to_order_data(data.validated_data),
                refunds=OrderInputSerializer.to_refund_data(data.validated_data),
            )
        except (ValidationError, DomainError) as error:
            return error

    def _batch(self, request: Request) -> Response:
        envelope = OrderBatchInputSerializer(data=request.data)
        envelope.is_valid(raise_exception=True)
        items = envelope.validated_data["orders"]
        outcomes: list[ImportResult | Exception | None] = [None] * len(items)
        # One validator for every item: DRF builds the fields once instead of once per order. An item
        # in the common shape is read without DRF's generic machinery; any other takes the long way.
        validator = OrderInputSerializer()
        valid: dict[int, dict[str, Any]] = {}
        for index, item in enumerate(items):
            attrs = validator.run_common_validation(item)
            if attrs is not None:
                valid[index] = attrs
                continue
            try:
                valid[index] = validator.run_validation(item)
            except ValidationError as error:
                outcomes[index] = ValidationError(error.detail)
        recorded = import_order_batch(
            source=self.source,
            items=[
                (OrderInputSerializer.to_order_data(attrs), OrderInputSerializer.to_refund_data(attrs))
                for attrs in valid.values()
            ],
        )
        for index, recorded_outcome in zip(valid, recorded, strict=True):
            outcomes[index] = recorded_outcome
        imported = [o for o in outcomes if isinstance(o, ImportResult)]
        # An order created now without refunds in its item has none: its body comes from memory. The
        # refunds of the orders known before come in one query, one serializer for all of them.
        created_bare = [r.order for r in imported if r.order_created and not r.refunds]
        known = [r.order for r in imported if not (r.order_created and not r.refunds)]
        prefetch_related_objects(known, "refunds")
        body_of = dict(
            zip(
                map(id, created_bare),
                ShopOrderSerializer().bodies_without_refunds(created_bare),
                strict=True,
            )
        )
        body_of.update(zip(map(id, known), ShopOrderSerializer(known, many=True).data, strict=True))

        counts = {"created": 0, "updated": 0, "unchanged": 0, "errors": 0}
        results = []
        for index, outcome in enumerate(outcomes):
            external_id = items[index].get("external_id")
            if isinstance(outcome, Exception):
                answer = _error_response(outcome, self)
                counts["errors"] += 1
                results.append(
                    {
                        "index": index,
                        "external_id": external_id if isinstance(external_id, str) else None,
                        "result": "error",
                        "status_code": answer.status_code,
                        "order": None,
                        "error": answer.data,
                    }
                )
                continue
            assert isinstance(outcome, ImportResult)
            label = "created" if outcome.order_created else ("updated" if outcome.changed else "unchanged")
            counts[label] += 1
            results.append(
                {
                    "index": index,
                    "external_id": outcome.order.external_id,
                    "result": label,
                    "status_code": 201 if outcome.order_created else 200,
                    "order": body_of[id(outcome.order)],
                    "error": None,
                }
            )
        return Response({**counts, "results": results})


class OrderDetailApi(APIView):
    permission_classes = [IsMarketing]

    @extend_schema(responses=OrderDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        order = get_order(pk=pk)
        return Response(OrderDetailSerializer(order, context=OrderDetailSerializer.context_for(request)).data)


class OrderCancelApi(APIView):
    permission_classes = [IsMarketing]

    @extend_schema(request=OrderCancelInputSerializer, responses={200: OrderDetailSerializer, **CONFLICT})
    def post(self, request: Request, pk: int) -> Response:
        data = OrderCancelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cancel_order(order=get_order(pk=pk), by=request.user, reason=data.validated_data["reason"])
        order = get_order(pk=pk)
        return Response(OrderDetailSerializer(order, context=OrderDetailSerializer.context_for(request)).data)
