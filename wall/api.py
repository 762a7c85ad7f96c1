"""The wall over the API.

- A host shares a photo of her own party (another host's photo answers 404), reads what became of it,
  and un-marks it; she gives or withdraws her photo-rights consent.
- Marketing reads the moderation queue and approves or rejects (with a reason).
- The public feed of a campaign's wall, for the brand's shop to embed: cached, throttled, its photo
  URLs signed and expiring.
"""

from datetime import timedelta
from typing import Any

import django_filters
from django.conf import settings
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ambassadors.hosts.services import set_photo_consent
from ambassadors.models import Host, PartyPhoto
from backend.filters import CampaignFilter, FilterBackend
from backend.openapi import CONFLICT, document_rule_codes
from backend.pagination import CursorPagination
from backend.permissions import IsMarketing, staff_user
from backend.throttles import ScopedRateThrottle
from wall import services
from wall.feed import photo_path, wall_entries
from wall.models import WallPhoto, WallPhotoStatus
from wall.serializers import (
    PhotoConsentSerializer,
    WallFeedSerializer,
    WallPhotoSerializer,
    WallRejectInputSerializer,
    WallShareInputSerializer,
    WallShareSerializer,
)
from wall.views import public_campaign


def _own_photo(user: Any, party_id: int, photo_id: int) -> PartyPhoto:
    """A photo of a party the user hosts, or 404."""
    return get_object_or_404(
        PartyPhoto.objects.select_related("party").filter(party__host__user=user, party_id=party_id),
        pk=photo_id,
    )


def _share(photo: PartyPhoto) -> dict[str, Any]:
    wall_photo = WallPhoto.objects.filter(photo=photo).first()
    return {
        "photo": photo.pk,
        "status": wall_photo.status if wall_photo else None,
        "shared_at": wall_photo.shared_at if wall_photo else None,
        "decided_at": wall_photo.decided_at if wall_photo else None,
        "reason": wall_photo.reason if wall_photo else "",
    }


@document_rule_codes({"everyone_agreed": ["everyone_agreed_required"]}, methods=["post"])
class WallShareApi(APIView):
    """The host's photo on the wall: GET what became of it, POST to share it (it waits for marketing),
    DELETE to un-mark it (it leaves the wall and the feed at once)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: WallShareSerializer})
    def get(self, request: Request, party_id: int, photo_id: int) -> Response:
        return Response(WallShareSerializer(_share(_own_photo(request.user, party_id, photo_id))).data)

    @extend_schema(request=WallShareInputSerializer, responses={201: WallShareSerializer, **CONFLICT})
    def post(self, request: Request, party_id: int, photo_id: int) -> Response:
        photo = _own_photo(request.user, party_id, photo_id)
        data = WallShareInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.share_photo(
            photo=photo, by=request.user, everyone_agreed=data.validated_data["everyone_agreed"]
        )
        return Response(WallShareSerializer(_share(photo)).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, party_id: int, photo_id: int) -> Response:
        photo = _own_photo(request.user, party_id, photo_id)
        wall_photo = WallPhoto.objects.filter(photo=photo).first()
        if wall_photo is not None:
            services.withdraw_photo(wall_photo=wall_photo, by=request.user, reason="un-marked by the host")
        return Response(status=status.HTTP_204_NO_CONTENT)


def _consent(user: Any) -> dict[str, Any]:
    given = [
        host.application.photo_consent_at
        for host in Host.objects.for_user(user).select_related("application")
    ]
    if not given or None in given:
        return {"given": False, "given_at": None}
    return {"given": True, "given_at": min(at for at in given if at is not None)}


class PhotoConsentApi(APIView):
    """The signed-in host's photo-rights consent: GET it, POST to give it, DELETE to withdraw it (every
    photo of hers leaves the wall and the feed at once)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: PhotoConsentSerializer})
    def get(self, request: Request) -> Response:
        return Response(PhotoConsentSerializer(_consent(request.user)).data)

    @extend_schema(request=None, responses={200: PhotoConsentSerializer})
    def post(self, request: Request) -> Response:
        set_photo_consent(user=request.user, given=True, by=request.user)  # type: ignore[arg-type]
        return Response(PhotoConsentSerializer(_consent(request.user)).data)

    @extend_schema(responses={200: PhotoConsentSerializer})
    def delete(self, request: Request) -> Response:
        set_photo_consent(user=request.user, given=False, by=request.user)  # type: ignore[arg-type]
        return Response(PhotoConsentSerializer(_consent(request.user)).data)


class WallPhotoFilter(django_filters.FilterSet):
    campaign = CampaignFilter()
    status = django_filters.ChoiceFilter(choices=WallPhotoStatus.choices)

    class Meta:
        model = WallPhoto
        fields = ["campaign", "status"]


class OldestFirst(CursorPagination):
    ordering = "id"


class WallPhotoListApi(generics.ListAPIView):
    """The moderation queue: shared photos, first shared first (filter by campaign and status)."""

    permission_classes = [IsMarketing]
    serializer_class = WallPhotoSerializer
    filter_backends = [FilterBackend]
    filterset_class = WallPhotoFilter
    pagination_class = OldestFirst

    def get_queryset(self) -> QuerySet[WallPhoto]:
        return WallPhoto.objects.select_related("campaign", "host", "photo")


class _ModerationApi(APIView):
    permission_classes = [IsMarketing]

    def _wall_photo(self, pk: int) -> WallPhoto:
        return get_object_or_404(WallPhoto, pk=pk)

    def _answer(self, wall_photo: WallPhoto) -> Response:
        row = WallPhoto.objects.select_related("campaign", "host", "photo").get(pk=wall_photo.pk)
        return Response(WallPhotoSerializer(row).data)


class WallPhotoApproveApi(_ModerationApi):
    """Put a waiting photo on the wall."""

    @extend_schema(request=None, responses={200: WallPhotoSerializer, **CONFLICT})
    def post(self, request: Request, pk: int) -> Response:
        return self._answer(services.approve_photo(wall_photo=self._wall_photo(pk), by=staff_user(request)))


class WallPhotoRejectApi(_ModerationApi):
    """Refuse a waiting photo, or take an approved one down; the host reads the reason."""

    @extend_schema(request=WallRejectInputSerializer, responses={200: WallPhotoSerializer, **CONFLICT})
    def post(self, request: Request, pk: int) -> Response:
        wall_photo = self._wall_photo(pk)
        data = WallRejectInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rejected = services.reject_photo(
            wall_photo=wall_photo, by=staff_user(request), reason=data.validated_data["reason"]
        )
        return self._answer(rejected)


class PublicWallFeedApi(APIView):
    """A campaign's wall for the brand's shop to embed: the newest approved photos with the host's
    first name and city. Cached (dropped at once when a photo is approved or withdrawn); photo URLs
    are signed and expire at `urls_expire_at`."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "wall_feed"

    @extend_schema(responses={200: WallFeedSerializer}, auth=[])
    def get(self, request: Request, slug: str) -> Response:
        campaign = public_campaign(slug)
        site = settings.SITE_URL
        max_age = settings.WALL_PHOTO_URL_MAX_AGE
        feed = {
            "version": "1.0",
            "type": "photo_wall",
            "provider_name": settings.BRAND_NAME,
            "provider_url": f"{site}/",
            "title": campaign.name,
            "url": site + f"/c/{campaign.slug}/wall/",
            "cache_age": min(settings.WALL_CACHE_SECONDS, max_age // 2),
            "urls_expire_at": timezone.now() + timedelta(seconds=max_age),
            "photos": [
                {
                    "id": entry.id,
                    "url": site + photo_path(campaign_slug=campaign.slug, wall_photo_id=entry.id),
                    "width": entry.width,
                    "height": entry.height,
                    "host_first_name": entry.first_name,
                    "city": entry.city,
                    "approved_at": entry.approved_at,
                }
                for entry in wall_entries(campaign)
            ],
        }
        return Response(WallFeedSerializer(feed).data)
