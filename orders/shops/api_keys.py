"""Shop API keys, for admins: `GET/POST /api/v1/shop-api-keys/`, `GET .../<prefix>/`,
`POST .../<prefix>/revoke/`.

A key is listed by its prefix only; the full key is answered once, by the `POST` that creates it.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.pagination import CursorPagination
from backend.permissions import IsAdminRole
from orders.models import ShopApiKey, ShopApiKeyScope
from orders.shops.services import create_shop_api_key, revoke_shop_api_key


class ShopApiKeySerializer(serializers.ModelSerializer):
    prefix = serializers.CharField(read_only=True, help_text="The key's first characters, before the dot.")
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=ShopApiKeyScope.choices),
        help_text="What the key may do; a request outside these scopes is refused (403).",
    )
    has_expired = serializers.BooleanField(
        read_only=True, help_text="True once the expiry date has passed: the key is refused."
    )

    class Meta:
        model = ShopApiKey
        fields = ["prefix", "name", "scopes", "created", "expiry_date", "has_expired", "revoked"]
        read_only_fields = fields
        extra_kwargs = {"created": {"help_text": "When the key was created, UTC."}}


class ShopApiKeyCreatedSerializer(ShopApiKeySerializer):
    key = serializers.CharField(
        read_only=True,
        help_text="The full key, shown this once: only its hash is kept. Send it as `Api-Key <key>`.",
    )

    class Meta(ShopApiKeySerializer.Meta):
        fields = ["key", *ShopApiKeySerializer.Meta.fields]
        read_only_fields = fields


class ShopApiKeyPagination(CursorPagination):
    ordering = "-created"


class ShopApiKeyListCreateApi(generics.ListAPIView):
    """The shop API keys, newest first, by prefix only; `POST` creates one and answers its full key once."""

    permission_classes = [IsAdminRole]
    serializer_class = ShopApiKeySerializer
    pagination_class = ShopApiKeyPagination
    ordering_fields: list[str] = []
    queryset = ShopApiKey.objects.all()

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ShopApiKeyCreateInput"

        name = serializers.CharField(max_length=50, help_text="Who uses the key, e.g. 'shop production'.")
        scopes = serializers.MultipleChoiceField(
            choices=ShopApiKeyScope.choices, allow_empty=False, help_text="What the key may do."
        )
        expiry_date = serializers.DateTimeField(
            required=False,
            allow_null=True,
            default=None,
            help_text="When the key stops working (never by default).",
        )

    @extend_schema(request=InputSerializer, responses={201: ShopApiKeyCreatedSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        api_key, key = create_shop_api_key(
            name=data.validated_data["name"],
            scopes=sorted(data.validated_data["scopes"]),
            expiry_date=data.validated_data["expiry_date"],
        )
        api_key.key = key  # type: ignore[attr-defined]  # answered this once, never stored
        return Response(ShopApiKeyCreatedSerializer(api_key).data, status=status.HTTP_201_CREATED)


def key_or_404(prefix: str) -> ShopApiKey:
    return get_object_or_404(ShopApiKey, prefix=prefix)


class ShopApiKeyDetailApi(APIView):
    """One shop API key, by its prefix: its name, scopes, expiry and whether it was revoked (never the key)."""

    permission_classes = [IsAdminRole]

    @extend_schema(responses={200: ShopApiKeySerializer})
    def get(self, request: Request, prefix: str) -> Response:
        return Response(ShopApiKeySerializer(key_or_404(prefix)).data)


class ShopApiKeyRevokeApi(APIView):
    """Refuse the key from now on, for good (a revoked key is never valid again)."""

    permission_classes = [IsAdminRole]

    @extend_schema(request=None, responses={200: ShopApiKeySerializer})
    def post(self, request: Request, prefix: str) -> Response:
        api_key = revoke_shop_api_key(api_key=key_or_404(prefix))
        return Response(ShopApiKeySerializer(api_key).data)
