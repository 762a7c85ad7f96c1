"""Shop endpoints API, for admins: `GET/POST /api/v1/shop-endpoints/`, `GET/PATCH .../<id>/`.

The secret is write-only: it is accepted on creation and replacement, and never answered.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.openapi import CONFLICT
from backend.pagination import CountedCursorPagination
from backend.permissions import IsAdminRole
from orders.models import ShopEndpoint, ShopPlatform
from orders.shops.services import create_shop_endpoint, update_shop_endpoint


class ShopEndpointSerializer(serializers.ModelSerializer):
    webhook_url = serializers.SerializerMethodField(help_text="Where the shop sends its webhooks.")

    class Meta:
        model = ShopEndpoint
        fields = ["id", "name", "slug", "platform", "webhook_url", "created_at", "updated_at"]

    def get_webhook_url(self, endpoint: ShopEndpoint) -> str:
        path = f"/webhooks/{endpoint.platform}/{endpoint.slug}/"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


_SIGNING_KEY_HELP = "The shop's signing secret (Shopify: the app's client secret; WooCommerce: the webhook's secret). Write-only."


class ShopEndpointListCreateApi(generics.ListAPIView):
    """The shops that send order webhooks; `POST` adds one."""

    permission_classes = [IsAdminRole]
    serializer_class = ShopEndpointSerializer
    queryset = ShopEndpoint.objects.all()
    ordering = ["id"]
    pagination_class = CountedCursorPagination

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ShopEndpointCreateInput"

        name = serializers.CharField(max_length=100, help_text="The shop's name as staff call it.")
        slug = serializers.SlugField(
            max_length=50, help_text="The last part of the webhook URL; never changes."
        )
        platform = serializers.ChoiceField(
            choices=ShopPlatform.choices,
            help_text="The shop's platform: shopify or woocommerce (it decides how webhooks are verified).",
        )
        secret = serializers.CharField(
            min_length=8, max_length=500, write_only=True, trim_whitespace=False, help_text=_SIGNING_KEY_HELP
        )

    @extend_schema(request=InputSerializer, responses={201: ShopEndpointSerializer, **CONFLICT})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = create_shop_endpoint(**data.validated_data)
        return Response(
            ShopEndpointSerializer(endpoint, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class ShopEndpointDetailApi(APIView):
    permission_classes = [IsAdminRole]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ShopEndpointUpdateInput"

        name = serializers.CharField(
            max_length=100, required=False, help_text="The shop's new name; optional."
        )
        secret = serializers.CharField(
            min_length=8,
            max_length=500,
            write_only=True,
            required=False,
            trim_whitespace=False,
            help_text=_SIGNING_KEY_HELP,
        )

    @extend_schema(responses={200: ShopEndpointSerializer})
    def get(self, request: Request, pk: int) -> Response:
        """One shop that sends order webhooks, with the URL to configure in the shop. Admin only."""
        endpoint = get_object_or_404(ShopEndpoint, pk=pk)
        return Response(ShopEndpointSerializer(endpoint, context={"request": request}).data)

    @extend_schema(request=InputSerializer, responses={200: ShopEndpointSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        """Rename a shop or replace its signing secret; the slug (and so the webhook URL) never changes. Admin
        only."""
        endpoint = get_object_or_404(ShopEndpoint, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = update_shop_endpoint(endpoint=endpoint, **data.validated_data)
        return Response(ShopEndpointSerializer(endpoint, context={"request": request}).data)
