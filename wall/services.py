"""Sharing a party photo on the wall, its moderation, and its withdrawal.

A host shares a photo of her party with her photo-rights consent and a tick that everyone pictured
agreed; it waits for marketing, who approves it (the wall shows a sized copy) or rejects it with a
reason. Withdrawing (the host un-marks it, withdraws her consent, deletes the photo, or is erased)
takes it down everywhere: the sized copy is deleted and the cached wall and feed are dropped.
"""

import io
from pathlib import PurePosixPath
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from ambassadors.models import Host, PartyPhoto
from backend.errors import Conflict, Invalid
from backend.transitions import move_status
from wall.feed import forget_wall
from wall.models import (
    WALL_PHOTO_TRANSITIONS,
    WallPhoto,
    WallPhotoStatus,
    WallPhotoStatusChange,
)

# The sized copy's longest side: two columns on a phone at twice the pixel density.
DISPLAY_MAX_SIDE = 720
DISPLAY_QUALITY = 78


def _delete_display_on_commit(wall_photo: WallPhoto) -> None:
    """The sized copy goes once the change is committed (a rolled-back change keeps it)."""
    if wall_photo.display:
        storage, name = wall_photo.display.storage, wall_photo.display.name
        transaction.on_commit(lambda: storage.delete(name))


def _sized_copy(photo: PartyPhoto) -> ContentFile:
    """A JPEG no larger than DISPLAY_MAX_SIDE, turned upright and written without any of the
    original's metadata (EXIF, GPS position, camera)."""
    with photo.image.open("rb") as source, Image.open(source) as original:
        image = ImageOps.exif_transpose(original).convert("RGB")
    image.thumbnail((DISPLAY_MAX_SIDE, DISPLAY_MAX_SIDE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=DISPLAY_QUALITY, optimize=True, progressive=True)
    return ContentFile(buffer.getvalue(), name=f"{PurePosixPath(photo.image.name).stem}.jpg")


def _require_consent(host: Host) -> None:
    if host.application.photo_consent_at is None:
        raise Conflict(
            _("First agree that the brand may share photos of your parties."),
            code="no_photo_consent",
        )


@transaction.atomic
def share_photo(*, photo: PartyPhoto, by: Any, everyone_agreed: bool) -> WallPhoto:
    """The host marks a photo of her party as shareable: it waits for moderation."""
    if not everyone_agreed:
        raise Invalid(
            _("Tick that everyone in the photo agreed to be on the wall."),
            code="everyone_agreed_required",
            field="everyone_agreed",
        )
    host = Host.objects.select_related("application").select_for_update().get(pk=photo.party.host_id)
    _require_consent(host)
    now = timezone.now()
    existing = WallPhoto.objects.filter(photo=photo).first()
    if existing is None:
        wall_photo = WallPhoto.objects.create(
            photo=photo, host=host, campaign_id=photo.party.campaign_id, everyone_agreed_at=now, shared_at=now
        )
        WallPhotoStatusChange.objects.create(
            wallphoto=wall_photo, by=by, from_status="", to_status=WallPhotoStatus.PENDING
        )
        return wall_photo
    if existing.status != WallPhotoStatus.WITHDRAWN:
        raise Conflict(
            _("This photo is already shared."),
            code="already_shared",
            extra={"current": existing.status},
        )
    wall_photo, _previous = move_status(
        existing,
        to_status=WallPhotoStatus.PENDING,
        transitions=WALL_PHOTO_TRANSITIONS,
        history=WallPhotoStatusChange,
        by=by,
        reason="shared again",
        fields={
            "everyone_agreed_at": now,
            "shared_at": now,
            "decided_at": None,
            "decided_by": None,
            "reason": "",
        },
    )
    return wall_photo


@transaction.atomic
def approve_photo(*, wall_photo: WallPhoto, by: Any) -> WallPhoto:
    """Marketing puts a waiting photo on the wall, as a sized copy without metadata."""
    host = Host.objects.select_related("application").get(pk=wall_photo.host_id)
    _require_consent(host)
    locked, _previous = move_status(
        wall_photo,
        to_status=WallPhotoStatus.APPROVED,
        transitions=WALL_PHOTO_TRANSITIONS,
        history=WallPhotoStatusChange,
        by=by,
        fields={"decided_at": timezone.now(), "decided_by": by, "reason": ""},
    )
    copy = _sized_copy(locked.photo)
    locked.display.save(str(copy.name), copy, save=False)
    locked.save(update_fields=["display", "width", "height"])
    forget_wall(campaign_ids={locked.campaign_id})
    return locked


@transaction.atomic
def reject_photo(*, wall_photo: WallPhoto, by: Any, reason: str) -> WallPhoto:
    """Marketing refuses a waiting photo, or takes an approved one down, with a reason the host reads."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Say why the photo is not accepted."), code="required", field="reason")
    locked, _previous = move_status(
        wall_photo,
        to_status=WallPhotoStatus.REJECTED,
        transitions=WALL_PHOTO_TRANSITIONS,
        history=WallPhotoStatusChange,
        by=by,
        reason=reason,
        fields={"decided_at": timezone.now(), "decided_by": by, "reason": reason[:500]},
    )
    _take_down(locked)
    return locked


def _take_down(wall_photo: WallPhoto) -> None:
    _delete_display_on_commit(wall_photo)
    if wall_photo.display:
        wall_photo.display = ""  # type: ignore[assignment]  # an empty FieldFile
        wall_photo.width = wall_photo.height = 0
        wall_photo.save(update_fields=["display", "width", "height"])
    forget_wall(campaign_ids={wall_photo.campaign_id})


@transaction.atomic
def withdraw_photo(*, wall_photo: WallPhoto, by: Any, reason: str = "") -> WallPhoto:
    """The photo leaves the wall, the feed and moderation: its host un-marked it or withdrew her
    consent. Withdrawing a withdrawn photo changes nothing."""
    if wall_photo.status == WallPhotoStatus.WITHDRAWN:
        return wall_photo
    locked, _previous = move_status(
        wall_photo,
        to_status=WallPhotoStatus.WITHDRAWN,
        transitions=WALL_PHOTO_TRANSITIONS,
        history=WallPhotoStatusChange,
        by=by,
        reason=reason,
    )
    _take_down(locked)
    return locked


@transaction.atomic
def withdraw_photos_of_hosts(*, hosts: list[Host], by: Any, reason: str) -> int:
    """Every photo these hosts shared leaves the wall (their photo-rights consent was withdrawn)."""
    photos = list(
        WallPhoto.objects.filter(host__in=hosts).exclude(status=WallPhotoStatus.WITHDRAWN).order_by("pk")
    )
    for wall_photo in photos:
        withdraw_photo(wall_photo=wall_photo, by=by, reason=reason)
    return len(photos)


@transaction.atomic
def erase_wall_photos(*, photo_ids: list[int]) -> int:
    """The wall's rows and sized copies of these party photos are deleted (the photo itself is being
    deleted, or its host erased): nothing of them stays, not even their moderation history."""
    photos = list(WallPhoto.objects.filter(photo_id__in=photo_ids))
    for wall_photo in photos:
        _delete_display_on_commit(wall_photo)
    forget_wall(campaign_ids={wall_photo.campaign_id for wall_photo in photos})
    WallPhoto.objects.filter(pk__in=[wall_photo.pk for wall_photo in photos]).delete()
    return len(photos)
