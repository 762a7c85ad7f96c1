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
from backend.filters import ID_BOUNDS, CampaignFilter, DescribedFilterSet, UtcIsoDateTimeFilter
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
    host = django_filters.NumberFilter(
        field_name="host_id", help_text="Only the parties of this host, by the host's id.", **ID_BOUNDS
    )
    starts_after = UtcIsoDateTimeFilter(field_name="starts_at", lookup_expr="gte", rows="parties starting")
    starts_before = UtcIsoDateTimeFilter(field_name="starts_at", lookup_expr="lt", rows="parties starting")

    class Meta:
        model = Party
        fields = ["campaign", "status", "host", "starts_after", "starts_before"]


class PartyInputSerializer(serializers.Serializer):
    campaign = serializers.SlugField(
        max_length=80, required=False, help_text="Slug of the campaign you host (default: your latest)."
    )
    title = serializers.CharField(
        max_length=120, help_text="The party's name as guests will read it (at most 120 characters)."
    )
    starts_at = serializers.DateTimeField(
        help_text="When the party starts, ISO 8601 with a time zone; inside the campaign's party window."
    )
    city = serializers.CharField(max_length=80, help_text="City only: a street address is never stored.")
    postal_code = serializers.CharField(max_length=12, help_text="Postal code where the party takes place.")
    expected_guests = serializers.IntegerField(
        min_value=1, max_value=200, help_text="Guests the host expects (1 to 200)."
    )
    notes = serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        default="",
        help_text="The host's own notes (at most 1,000 characters); optional, not shown to guests.",
    )


class PartyUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(
        max_length=120, required=False, help_text="New name of the party (at most 120 characters)."
    )
    starts_at = serializers.DateTimeField(
        required=False, help_text="New start, ISO 8601 with a time zone; inside the campaign's party window."
    )
    city = serializers.CharField(max_length=80, required=False, help_text="New town of the party.")
    postal_code = serializers.CharField(
        max_length=12, required=False, help_text="New postal code of the party."
    )
    expected_guests = serializers.IntegerField(
        min_value=1, max_value=200, required=False, help_text="New number of guests expected (1 to 200)."
    )
    notes = serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        help_text="New notes of the host (at most 1,000 characters).",
    )


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
    """Parties, latest first: every party for marketing, the signed-in host's own for a host. Any signed-in
    user; each sees only what is theirs to see."""

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
        """A host plans a party (title, date and time, postal code, guests expected) inside their campaign's
        party window; `campaign` (a slug) picks the campaign when the host takes part in several. Only a
        host (403 for anyone else)."""
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
        """One party in full: its status history, photos, guest count, the applications booked at it and its
        public registration link. Its own host, or marketing; any other caller gets 404."""
        party = get_object_or_404(readable_parties(request.user), pk=party_id)
        return Response(_detail(party, request))

    @extend_schema(request=PartyUpdateSerializer, responses={200: PartyDetailSerializer, **CONFLICT})
    def patch(self, request: Request, party_id: int) -> Response:
        """The host changes a planned party (title, date, place, guests expected, notes); only the fields sent
        change, and a party no longer planned answers 409. Its own host only."""
        party = own_party(request.user, party_id)
        data = PartyUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        party = services.update_party(party=party, by=request.user, **data.validated_data)
        return Response(_detail(party, request))


class PartyCancelApi(APIView):
    permission_classes = [IsAuthenticated]

    class PartyCancelInputSerializer(serializers.Serializer):
        reason = serializers.CharField(
            max_length=500,
            required=False,
            allow_blank=True,
            default="",
            help_text="Why the party is cancelled, kept in its history (at most 500 characters); optional.",
        )

    @extend_schema(request=PartyCancelInputSerializer, responses={200: PartyDetailSerializer, **CONFLICT})
    def post(self, request: Request, party_id: int) -> Response:
        """The host cancels a planned party; its guests are told by e-mail (unless they turned that off) and
        its party code is retired. Its own host only."""
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
        actual_guests = serializers.IntegerField(
            min_value=0, max_value=500, help_text="How many guests came (0 to 500)."
        )
        highlights = serializers.CharField(
            max_length=2000,
            required=False,
            allow_blank=True,
            default="",
            help_text="How the party went, in the host's words (at most 2,000 characters); optional.",
        )
        social_post_urls = serializers.ListField(
            child=serializers.URLField(max_length=500),
            required=False,
            max_length=10,
            default=list,
            help_text="Links to the host's social posts about the party (at most 10); optional.",
        )
        photos = serializers.ListField(
            child=serializers.FileField(),
            required=False,
            max_length=5,
            default=list,
            help_text="Up to five photos of the party, as multipart files named `photos`; optional.",
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
        photos = serializers.ListField(
            child=serializers.FileField(),
            min_length=1,
            max_length=5,
            help_text="One to five photos, as multipart files named `photos`.",
        )

    @extend_schema(
        request=PartyPhotosInputSerializer, responses={201: PartyPhotoSerializer(many=True), **CONFLICT}
    )
    def post(self, request: Request, party_id: int) -> Response:
        """The host adds up to five photos to a held party (multipart `photos`, images only); they are kept
        privately, never at a public URL. Its own host only."""
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
    first_name = serializers.CharField(max_length=60, help_text="The guest's first name.")
    last_name = serializers.CharField(
        max_length=60,
        required=False,
        allow_blank=True,
        default="",
        help_text="The guest's last name; optional.",
    )
    email = serializers.CharField(
        max_length=254,
        required=False,
        allow_blank=True,
        default="",
        help_text="The guest's e-mail address; an e-mail or a phone number is required. A guest with an e-mail is sent a confirmation.",
    )
    phone = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        default="",
        help_text="E.164 (+33612345678) or a national number of the campaign's country.",
    )
    guest_agreed = serializers.BooleanField(help_text="The host confirms the guest agreed to be listed.")


class GuestFilter(DescribedFilterSet):
    class Meta:
        model = Guest
        fields = ["wants_to_host", "source"]
        help_texts = {
            "wants_to_host": "true: only the guests who said they would like to host a party too (leads for "
            "recruitment); false: the others.",
        }


@document_rule_codes({k: v for k, v in _GUEST_RULES.items() if k != "accept_terms"}, methods=["post"])
class PartyGuestsApi(generics.ListAPIView):
    """The guests of a party, in the order they joined; marketing sees their e-mail and phone only with the
    personal-data permission. Its own host, or marketing."""

    permission_classes = [IsAuthenticated]
    serializer_class = GuestSerializer
    filterset_class = GuestFilter
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
        """The host adds a guest to their party, having confirmed the guest agreed to be listed
        (`guest_agreed`) and giving an e-mail or a phone; a guest with an e-mail is sent a confirmation.
        The list must still be open (party planned or held). Its own host only."""
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
        """The host removes a guest from their party while its list is open (planned or held); the guest's
        data goes with the row. Its own host only."""
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
        """What a party's public invitation page shows (title, date, town, the host's first name, the
        campaign) by the party's secret token. Anyone holding the link, no sign-in; rate-limited."""
        return Response(PublicPartySerializer(public_party(token)).data)


@document_rule_codes({k: v for k, v in _GUEST_RULES.items() if k != "guest_agreed"}, methods=["post"])
class PublicGuestRegistrationApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "guest_registration"

    class GuestRegistrationInputSerializer(serializers.Serializer):
        first_name = serializers.CharField(max_length=60, help_text="The guest's first name.")
        last_name = serializers.CharField(
            max_length=60,
            required=False,
            allow_blank=True,
            default="",
            help_text="The guest's last name; optional.",
        )
        email = serializers.CharField(
            max_length=254,
            help_text="The guest's e-mail address: the confirmation and the party's news go to it.",
        )
        phone = serializers.CharField(
            max_length=32, required=False, allow_blank=True, default="", help_text="E.164 or national."
        )
        accept_terms = serializers.BooleanField(
            help_text="Must be true: the guest accepts the programme terms and being listed at the party."
        )
        marketing_consent = serializers.BooleanField(
            required=False,
            default=False,
            help_text="True when the guest also wants the brand's marketing e-mails; false by default.",
        )
        wants_to_host = serializers.BooleanField(
            required=False, default=False, help_text="I would like to host a party too."
        )

    @extend_schema(
        request=GuestRegistrationInputSerializer, responses={201: PublicGuestSerializer, **CONFLICT}, auth=[]
    )
    def post(self, request: Request, token: str) -> Response:
        """A guest registers for a party through its invitation link, accepting the programme terms and
        optionally the brand's marketing e-mails. Anyone holding the link, no sign-in; rate-limited."""
        party = public_party(token)
        data = self.GuestRegistrationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        guest = services.register_guest(
            party=party, language=getattr(request, "LANGUAGE_CODE", "en"), **data.validated_data
        )
        return Response(PublicGuestSerializer(guest).data, status=status.HTTP_201_CREATED)
