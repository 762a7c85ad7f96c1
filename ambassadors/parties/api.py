"""Parties and guests over the API.

Hosts (session) see and change only their own parties: another host's party answers 404 and never
appears in a list. Marketing reads every party with guest counts; guests' e-mails and phones are
masked unless the user holds the personal-data permission. Guests register on a public, throttled
endpoint reached through the party's QR code.
"""

import json
from pathlib import Path
from typing import Any

import django_filters
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponseBase
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_standardized_errors.openapi_serializers import ErrorResponse403Serializer
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ambassadors.models import Guest, Host, Party, PartyPhoto, PartyStatus, PartyStatusChange
from ambassadors.parties import services
from ambassadors.parties.serializers import (
    GuestSerializer,
    PartyDetailSerializer,
    PartyPhotoSerializer,
    PartySerializer,
    PublicGuestSerializer,
    PublicPartySerializer,
)
from backend import roles
from backend.filters import ID_BOUNDS, CampaignFilter, UtcIsoDateTimeFilter
from backend.openapi import CONFLICT, document_rule_codes
from backend.pagination import CountedCursorPagination
from backend.parsers import JSONParser
from backend.permissions import user_has_role, user_sees_personal_data
from backend.private_files import private_file_response
from backend.throttles import AnonRateThrottle, ScopedRateThrottle


def reads_all_parties(user: Any) -> bool:
    return user_has_role(user, roles.MARKETING)


def readable_parties(user: Any) -> QuerySet[Party]:
    """Every party for marketing; the signed-in host's own parties for anyone else."""
    parties = Party.objects.select_related("host", "campaign").with_guest_count().prefetch_related("photos")
    return parties if reads_all_parties(user) else parties.for_user(user)


def own_party(user: Any, party_id: int) -> Party:
    """A party the user hosts, or 404 (another host's party does not exist for them)."""
    return get_object_or_404(Party.objects.for_user(user).select_related("host", "campaign"), pk=party_id)


def host_for_new_party(user: Any, campaign_slug: str | None) -> Host:
    hostings = Host.objects.for_user(user).select_related("campaign").order_by("-selected_at", "-id")
    if campaign_slug:
        hostings = hostings.filter(campaign__slug=campaign_slug)
    host = hostings.first()
    if host is None:
        raise exceptions.PermissionDenied("Only a host of this campaign can record a party.")
    return host


class PartyFilter(django_filters.FilterSet):
    campaign = CampaignFilter()
    status = django_filters.ChoiceFilter(choices=PartyStatus.choices)
    host = django_filters.NumberFilter(field_name="host_id", **ID_BOUNDS)
    starts_after = UtcIsoDateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = UtcIsoDateTimeFilter(field_name="starts_at", lookup_expr="lt")

    class Meta:
        model = Party
        fields = ["campaign", "status", "host", "starts_after", "starts_before"]


class PartyInputSerializer(serializers.Serializer):
    campaign = serializers.SlugField(
        max_length=80, required=False, help_text="Slug of the campaign you host (default: your latest)."
    )
    title = serializers.CharField(max_length=120)
    starts_at = serializers.DateTimeField()
    city = serializers.CharField(max_length=80, help_text="City only: a street address is never stored.")
    postal_code = serializers.CharField(max_length=12)
    expected_guests = serializers.IntegerField(min_value=1, max_value=200)
    notes = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class PartyUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120, required=False)
    starts_at = serializers.DateTimeField(required=False)
    city = serializers.CharField(max_length=80, required=False)
    postal_code = serializers.CharField(max_length=12, required=False)
    expected_guests = serializers.IntegerField(min_value=1, max_value=200, required=False)
    notes = serializers.CharField(max_length=1000, required=False, allow_blank=True)


# The codes of the party rules (ambassadors.parties.checks), field by field, for the schema of each view.
_PARTY_RULES = {
    "title": ["required", "max_length"],
    "starts_at": ["naive_datetime", "outside_party_window"],
    "city": ["required", "max_length", "address_not_allowed"],
    "postal_code": ["invalid_postal_code"],
    "expected_guests": ["out_of_range"],
    "notes": ["max_length"],
}
_GUEST_RULES = {
    "first_name": ["required", "max_length", "invisible_character"],
    "last_name": ["max_length", "invisible_character"],
    "email": ["required", "max_length", "invalid_email", "contact_required", "invisible_character"],
    "phone": ["max_length", "invalid_phone"],
    "guest_agreed": ["consent_required"],
    "accept_terms": ["consent_required"],
}
_REPORT_RULES = {
    "actual_guests": ["out_of_range"],
    "highlights": ["max_length"],
    "social_post_urls": ["too_many_links", "max_length", "invalid_url"],
    "photos": ["required", "invalid_image", "invalid_image_type", "photo_too_large"],
}


@document_rule_codes(_PARTY_RULES, methods=["post"])
class PartyListCreateApi(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = PartySerializer
    filterset_class = PartyFilter
    ordering_fields = ["starts_at", "created_at", "id"]
    ordering = ["-starts_at", "-id"]
    pagination_class = CountedCursorPagination

    def get_queryset(self) -> QuerySet[Party]:
        return readable_parties(self.request.user)

    @extend_schema(
        request=PartyInputSerializer,
        responses={
            201: PartyDetailSerializer,
            403: OpenApiResponse(
                ErrorResponse403Serializer, description="The user is not a host of this campaign."
            ),
            **CONFLICT,
        },
    )
    def post(self, request: Request) -> Response:
        data = PartyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        host = host_for_new_party(request.user, values.pop("campaign", None))
        party = services.create_party(host=host, by=request.user, **values)
        return Response(_detail(party, request), status=status.HTTP_201_CREATED)


def _detail(party: Party, request: Request) -> dict[str, Any]:
    party = (
        Party.objects.select_related("host", "campaign")
        .with_guest_count()
        .prefetch_related(
            "photos",
            Prefetch("history", queryset=PartyStatusChange.objects.select_related("by")),
            "booked_applications__campaign",
        )
        .get(pk=party.pk)
    )
    return PartyDetailSerializer(party, context={"request": request}).data


@document_rule_codes(_PARTY_RULES, methods=["patch"])
class PartyDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: PartyDetailSerializer})
    def get(self, request: Request, party_id: int) -> Response:
        party = get_object_or_404(readable_parties(request.user), pk=party_id)
        return Response(_detail(party, request))

    @extend_schema(request=PartyUpdateSerializer, responses={200: PartyDetailSerializer, **CONFLICT})
    def patch(self, request: Request, party_id: int) -> Response:
        party = own_party(request.user, party_id)
        data = PartyUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        party = services.update_party(party=party, by=request.user, **data.validated_data)
        return Response(_detail(party, request))


class PartyCancelApi(APIView):
    permission_classes = [IsAuthenticated]

    class PartyCancelInputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    @extend_schema(request=PartyCancelInputSerializer, responses={200: PartyDetailSerializer, **CONFLICT})
    def post(self, request: Request, party_id: int) -> Response:
        party = own_party(request.user, party_id)
        data = self.PartyCancelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        party = services.cancel_party(party=party, by=request.user, reason=data.validated_data["reason"])
        return Response(_detail(party, request))


@document_rule_codes(_REPORT_RULES, methods=["post"])
class PartyHeldApi(APIView):
    """The report after the party; photos travel as multipart `photos` (up to 5 files)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    class PartyHeldInputSerializer(serializers.Serializer):
        actual_guests = serializers.IntegerField(min_value=0, max_value=500)
        highlights = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
        social_post_urls = serializers.ListField(
            child=serializers.URLField(max_length=500), required=False, max_length=10, default=list
        )
        photos = serializers.ListField(
            child=serializers.FileField(), required=False, max_length=5, default=list
        )

    @extend_schema(request=PartyHeldInputSerializer, responses={200: PartyDetailSerializer, **CONFLICT})
    def post(self, request: Request, party_id: int) -> Response:
        party = own_party(request.user, party_id)
        data = self.PartyHeldInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        party = services.mark_party_held(party=party, by=request.user, **data.validated_data)
        return Response(_detail(party, request))


@document_rule_codes({"photos": _REPORT_RULES["photos"]}, methods=["post"])
class PartyPhotosApi(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    class PartyPhotosInputSerializer(serializers.Serializer):
        photos = serializers.ListField(child=serializers.FileField(), min_length=1, max_length=5)

    @extend_schema(
        request=PartyPhotosInputSerializer, responses={201: PartyPhotoSerializer(many=True), **CONFLICT}
    )
    def post(self, request: Request, party_id: int) -> Response:
        party = own_party(request.user, party_id)
        data = self.PartyPhotosInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        photos = services.add_party_photos(party=party, by=request.user, photos=data.validated_data["photos"])
        return Response(
            PartyPhotoSerializer(photos, many=True, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class ImageRenderer(BaseRenderer):
    """Lets clients ask for `Accept: image/...`; errors still go out as JSON bytes."""

    media_type = "image/*"
    format = "image"
    charset = None

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        return json.dumps(data).encode()


def readable_photo(user: Any, party_id: int, photo_id: int) -> PartyPhoto:
    """A photo of a party the user may read (their own, or any for marketing), or 404."""
    parties = Party.objects.all() if reads_all_parties(user) else Party.objects.for_user(user)
    party = get_object_or_404(parties, pk=party_id)  # a primary-key lookup: any integer is a clean 404
    return get_object_or_404(PartyPhoto.objects.filter(party=party), pk=photo_id)


class PartyPhotoApi(APIView):
    """One photo: its bytes for the party's host and marketing (it lives in private storage, never at
    a public URL); the host may delete it."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer, ImageRenderer]

    @extend_schema(responses={(200, "image/*"): OpenApiTypes.BINARY})
    def get(self, request: Request, party_id: int, photo_id: int) -> HttpResponseBase:
        photo = readable_photo(request.user, party_id, photo_id)
        return private_file_response(
            photo.image, content_type=photo.content_type, filename=Path(photo.image.name).name
        )

    @extend_schema(responses={204: None, **CONFLICT})
    def delete(self, request: Request, party_id: int, photo_id: int) -> Response:
        party = own_party(request.user, party_id)
        photo = get_object_or_404(PartyPhoto.objects.filter(party=party), pk=photo_id)
        services.delete_party_photo(photo=photo, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class GuestInputSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=60)
    last_name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")
    phone = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        default="",
        help_text="E.164 (+33612345678) or a national number of the campaign's country.",
    )
    guest_agreed = serializers.BooleanField(help_text="The host confirms the guest agreed to be listed.")


@document_rule_codes({k: v for k, v in _GUEST_RULES.items() if k != "accept_terms"}, methods=["post"])
class PartyGuestsApi(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = GuestSerializer
    filterset_fields = ["wants_to_host", "source"]
    ordering_fields = ["created_at", "id"]
    ordering = ["created_at", "id"]
    pagination_class = CountedCursorPagination

    def _party(self) -> Party:
        return get_object_or_404(readable_parties(self.request.user), pk=self.kwargs["party_id"])

    def get_queryset(self) -> QuerySet[Guest]:
        if getattr(self, "swagger_fake_view", False):
            return Guest.objects.none()
        return Guest.objects.filter(party=self._party())

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        user = self.request.user
        context["show_personal_data"] = not reads_all_parties(user) or user_sees_personal_data(user)
        return context

    @extend_schema(request=GuestInputSerializer, responses={201: GuestSerializer, **CONFLICT})
    def post(self, request: Request, party_id: int) -> Response:
        party = own_party(request.user, party_id)
        data = GuestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        guest = services.add_guest(
            party=party,
            by=request.user,
            language=getattr(request, "LANGUAGE_CODE", "en"),
            **data.validated_data,
        )
        return Response(
            GuestSerializer(guest, context={"show_personal_data": True}).data, status=status.HTTP_201_CREATED
        )


class PartyGuestDeleteApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None, **CONFLICT})
    def delete(self, request: Request, party_id: int, guest_id: int) -> Response:
        party = own_party(request.user, party_id)
        guest = get_object_or_404(Guest.objects.filter(party=party), pk=guest_id)
        services.remove_guest(guest=guest, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def public_party(token: str) -> Party:
    return get_object_or_404(Party.objects.select_related("host", "campaign"), public_token=token)


class PublicPartyApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [AnonRateThrottle]

    @extend_schema(responses={200: PublicPartySerializer}, auth=[])
    def get(self, request: Request, token: str) -> Response:
        return Response(PublicPartySerializer(public_party(token)).data)


@document_rule_codes({k: v for k, v in _GUEST_RULES.items() if k != "guest_agreed"}, methods=["post"])
class PublicGuestRegistrationApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "guest_registration"

    class GuestRegistrationInputSerializer(serializers.Serializer):
        first_name = serializers.CharField(max_length=60)
        last_name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
        email = serializers.CharField(max_length=254)
        phone = serializers.CharField(
            max_length=32, required=False, allow_blank=True, default="", help_text="E.164 or national."
        )
        accept_terms = serializers.BooleanField()
        marketing_consent = serializers.BooleanField(required=False, default=False)
        wants_to_host = serializers.BooleanField(
            required=False, default=False, help_text="I would like to host a party too."
        )

    @extend_schema(
        request=GuestRegistrationInputSerializer, responses={201: PublicGuestSerializer, **CONFLICT}, auth=[]
    )
    def post(self, request: Request, token: str) -> Response:
        party = public_party(token)
        data = self.GuestRegistrationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        guest = services.register_guest(
            party=party, language=getattr(request, "LANGUAGE_CODE", "en"), **data.validated_data
        )
        return Response(PublicGuestSerializer(guest).data, status=status.HTTP_201_CREATED)
