"""The host's own API, for a brand's app: `POST /api/v1/host/token/` with her e-mail and password gives
a token; with it (`Authorization: Bearer <token>`) she reads and changes her own parties, lists her
guests (one or many at once) and reads each party's share link.

The party routes are the host-facing party API views (the same services, checks and scoping: another
host's party answers 404), read here through the host token or her portal session, and by no staff
member whatever the way in.
"""

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_standardized_errors.openapi_serializers import ErrorResponse401Serializer
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ambassadors.hosts.services import activate_invited_hosts
from ambassadors.models import HostApiToken
from ambassadors.parties.api import (
    PartyCancelApi,
    PartyDetailApi,
    PartyGuestDeleteApi,
    PartyGuestsApi,
    PartyListCreateApi,
    own_party,
)
from ambassadors.parties.bulk_api import PartyGuestBatchApi
from ambassadors.parties.views import public_url, qr_svg
from ambassadors.portal.tokens import (
    HostTokenAuthentication,
    UsesHostApi,
    issue_host_token,
    may_use_host_api,
    revoke_host_token,
)
from backend.email_address import normalise_email
from backend.throttles import SignInThrottle

# The host's token, or her portal session (the scheme a browser app of the brand's own domain may use).
HOST_AUTHENTICATION = [HostTokenAuthentication, SessionAuthentication]


class HostTokenLoginApi(APIView):
    """The host's own sign-in, as on the portal (the same password guesses limit, counted with the
    portal's and the admin's), for a token that reaches the `/api/v1/host/` routes only."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [SignInThrottle]

    class HostTokenLoginInputSerializer(serializers.Serializer):
        email = serializers.EmailField(
            max_length=254, help_text="The e-mail the host signs in to the portal with."
        )
        password = serializers.CharField(
            max_length=128, trim_whitespace=False, help_text="The host's portal password."
        )

    class HostTokenOutputSerializer(serializers.Serializer):
        token = serializers.CharField(
            help_text="Shown this once: only its digest is kept. Send `Bearer <token>`."
        )
        expiry = serializers.DateTimeField(help_text="When the token stops working, UTC: sign in again then.")

    @extend_schema(
        request=HostTokenLoginInputSerializer,
        responses={
            201: HostTokenOutputSerializer,
            401: OpenApiResponse(
                ErrorResponse401Serializer, description="Wrong e-mail or password, or not a host."
            ),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = self.HostTokenLoginInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request,
            email=normalise_email(data.validated_data["email"]),
            password=data.validated_data["password"],
        )
        if user is None or not may_use_host_api(user):
            raise exceptions.AuthenticationFailed(
                "E-mail or password is wrong, or the account hosts no party."
            )
        activate_invited_hosts(user=user)  # as the portal's sign-in does
        row, token = issue_host_token(user=user)
        return Response(
            self.HostTokenOutputSerializer({"token": token, "expiry": row.expires_at}).data,
            status=status.HTTP_201_CREATED,
        )

    def get_authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="host"'


class HostTokenRevokeApi(APIView):
    """Revoke the token this request carries: it is refused from now on."""

    authentication_classes = [HostTokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        assert isinstance(request.auth, HostApiToken)  # the only authentication of this view
        revoke_host_token(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class HostPartyListCreateApi(PartyListCreateApi):
    """The host's own parties; `POST` plans one."""

    authentication_classes = HOST_AUTHENTICATION
    permission_classes = [UsesHostApi]


class HostPartyDetailApi(PartyDetailApi):
    authentication_classes = HOST_AUTHENTICATION
    permission_classes = [UsesHostApi]


class HostPartyCancelApi(PartyCancelApi):
    authentication_classes = HOST_AUTHENTICATION
    permission_classes = [UsesHostApi]


class HostPartyGuestsApi(PartyGuestsApi):
    """The guests of the host's party; `POST` lists one."""

    authentication_classes = HOST_AUTHENTICATION
    permission_classes = [UsesHostApi]


class HostPartyGuestBatchApi(PartyGuestBatchApi):
    authentication_classes = HOST_AUTHENTICATION
    permission_classes = [UsesHostApi]


class HostPartyGuestDeleteApi(PartyGuestDeleteApi):
    authentication_classes = HOST_AUTHENTICATION
    permission_classes = [UsesHostApi]


class ShareLinkSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="The party's public page, where guests register.")
    qr_svg = serializers.CharField(help_text="A QR code of the URL, as an SVG document.")


class HostPartyShareLinkApi(APIView):
    """The link (and its QR code) the host shares with her guests, as the portal shows it."""

    authentication_classes = HOST_AUTHENTICATION
    permission_classes = [UsesHostApi]

    @extend_schema(responses={200: ShareLinkSerializer})
    def get(self, request: Request, party_id: int) -> Response:
        url = public_url(own_party(request.user, party_id))
        return Response(ShareLinkSerializer({"url": url, "qr_svg": qr_svg(url).decode()}).data)
