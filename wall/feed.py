"""What the public wall and its feed show, cached per campaign, and the signed URLs of its photos.

The rows are read once and cached (`WALL_CACHE_SECONDS`); every change of what the wall shows
(an approval, a rejection, a withdrawal, an erasure) deletes the campaign's entry once its
transaction commits. Photo URLs are signed and expire (`WALL_PHOTO_URL_MAX_AGE`): they are signed
for each answer, never cached, and a URL still in its time is refused as soon as its photo is no
longer approved (the photo view reads its state).
"""

from dataclasses import asdict, dataclass
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from ambassadors.models import Campaign
from wall.models import WallPhoto, WallPhotoStatus

# The newest approved photos shown on a wall and in its feed.
WALL_SIZE = 60
_SIGNING_SALT = "wall.photo"


@dataclass(frozen=True)
class WallEntry:
    """One approved photo as the wall shows it: the host's first name and city, never more."""

    id: int
    first_name: str
    city: str
    width: int
    height: int
    approved_at: datetime


def _key(campaign_id: int) -> str:
    return f"wall:v1:{campaign_id}"


def wall_entries(campaign: Campaign) -> list[WallEntry]:
    """The campaign's approved photos, newest first: one query, then from the cache."""
    cached = cache.get(_key(campaign.pk))
    if cached is not None:
        return [WallEntry(**row) for row in cached]
    rows = (
        WallPhoto.objects.filter(campaign=campaign, status=WallPhotoStatus.APPROVED)
        .exclude(display="")
        .order_by("-decided_at", "-id")
        .values_list("pk", "host__first_name", "host__city", "width", "height", "decided_at")[:WALL_SIZE]
    )
    entries = [
        WallEntry(id=pk, first_name=first_name, city=city, width=width, height=height, approved_at=at)
        for pk, first_name, city, width, height, at in rows
        if at is not None  # an approved photo always has its decision time
    ]
    cache.set(_key(campaign.pk), [asdict(entry) for entry in entries], settings.WALL_CACHE_SECONDS)
    return entries


def forget_wall(*, campaign_ids: set[int]) -> None:
    """The cached walls of these campaigns are dropped once the current transaction commits."""
    keys = [_key(campaign_id) for campaign_id in sorted(campaign_ids)]
    transaction.on_commit(lambda: cache.delete_many(keys))


def photo_path(*, campaign_slug: str, wall_photo_id: int) -> str:
    """The photo's signed path, valid for `WALL_PHOTO_URL_MAX_AGE` seconds from now."""
    token = signing.TimestampSigner(salt=_SIGNING_SALT).sign(str(wall_photo_id))
    return reverse("wall:photo", kwargs={"slug": campaign_slug, "token": token})


def photo_id_from_token(token: str) -> int | None:
    """The wall photo a signed token names, or None when it is forged or expired."""
    try:
        value = signing.TimestampSigner(salt=_SIGNING_SALT).unsign(
            token, max_age=settings.WALL_PHOTO_URL_MAX_AGE
        )
    except signing.BadSignature:  # SignatureExpired is one
        return None
    return int(value) if value.isdigit() and len(value) < 19 else None
