"""Staff API tokens: exchange e-mail and password for a hashed, expiring token; revoke it."""

import django_filters
from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_standardized_errors.openapi_serializers import ErrorResponse401Serializer
from knox.models import AuthToken
from knox.settings import knox_settings
from rest_framework import exceptions, generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.email_address import normalise_email
from backend.filters import UtcIsoDateTimeFilter
from backend.models import AuditEntry
from backend.pagination import CursorPagination
from backend.permissions import IsAdminRole, user_has_any_role
from backend.throttles import ScopedRateThrottle


class TokenLoginApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token_login"

    class TokenLoginInputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254, help_text="The staff member's e-mail address.")
        password = serializers.CharField(
            max_length=128, trim_whitespace=False, help_text="The staff member's password, exactly as typed."
        )

    class TokenLoginOutputSerializer(serializers.Serializer):
        token = serializers.CharField(
            help_text="The API token: send it as `Authorization: Token <token>`. Shown once; keep it secret."
        )
        expiry = serializers.DateTimeField(
            help_text="When the token stops working, UTC; sign in again for a new one."
        )

    @extend_schema(
        request=TokenLoginInputSerializer,
        responses={
            201: TokenLoginOutputSerializer,
            401: OpenApiResponse(
                ErrorResponse401Serializer, description="Wrong e-mail or password, or no staff role."
            ),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        """Exchange a staff member's e-mail and password for an API token, sent afterwards as `Authorization:
        Token <token>` until its expiry. Only accounts with a staff role (marketing, logistics, admin) get
        one; attempts are rate-limited."""
        data = self.TokenLoginInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request,
            email=normalise_email(data.validated_data["email"]),
            password=data.validated_data["password"],
        )
        if user is None or not user_has_any_role(user):
            raise exceptions.AuthenticationFailed(
                "E-mail or password is wrong, or the account has no staff role."
            )
        instance, token = AuthToken.objects.create(user=user, expiry=knox_settings.TOKEN_TTL)
        return Response(
            self.TokenLoginOutputSerializer({"token": token, "expiry": instance.expiry}).data, status=201
        )

    def get_authenticate_header(self, request: Request) -> str:
        return "Token"


class TokenRevokeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        """Revoke the token this request is signed with (sign out a script); other tokens of the same account
        stay valid. Any signed-in caller."""
        if isinstance(request.auth, AuthToken):
            request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = ["id", "at", "actor", "actor_email", "action", "method", "path", "target", "status_code"]


class AuditEntryFilter(django_filters.FilterSet):
    created_after = UtcIsoDateTimeFilter(field_name="at", lookup_expr="gte", rows="entries recorded")
    created_before = UtcIsoDateTimeFilter(field_name="at", lookup_expr="lt", rows="entries recorded")
    actor = django_filters.NumberFilter(
        field_name="actor_id",
        min_value=1,
        max_value=2**63 - 1,
        help_text="Only what this person did, by their user id.",
    )
    action = django_filters.CharFilter(
        max_length=120, help_text="Only the entries of this action, exactly as the entries' `action` reads."
    )

    class Meta:
        model = AuditEntry
        fields = ["created_after", "created_before", "actor", "action"]


class AuditLogApi(generics.ListAPIView):
    """`GET /api/v1/audit/`: the staff actions, newest first, for admins only."""

    permission_classes = [IsAdminRole]
    serializer_class = AuditEntrySerializer
    pagination_class = CursorPagination
    filterset_class = AuditEntryFilter
    ordering_fields: list[str] = []
    queryset = AuditEntry.objects.all()
