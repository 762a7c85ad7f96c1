"""The photo wall (issue "the parties, seen"): party photos a host shared, their moderation, and the
sized copy the public wall shows.

A shared photo is a `WallPhoto` beside its `PartyPhoto`. Only an approved one is public, and only
through its sized copy (`display`), re-encoded without the original's metadata (a phone's photo
carries where it was taken). Withdrawal (the host un-marks it, withdraws her photo-rights consent, or
is erased) deletes the sized copy: nothing of it stays reachable.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambassadors.models import Campaign, Host, PartyPhoto
from backend.private_files import private_storage


class WallPhotoStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for moderation")  # shared by the host, not yet seen by marketing
    APPROVED = "approved", _("On the wall")  # public on the campaign's wall and in its feed
    REJECTED = "rejected", _("Not accepted")  # marketing refused it, with a reason the host reads
    WITHDRAWN = "withdrawn", _("Withdrawn")  # the host un-marked it or withdrew her consent


WALL_PHOTO_TRANSITIONS: dict[str, set[str]] = {
    WallPhotoStatus.PENDING: {WallPhotoStatus.APPROVED, WallPhotoStatus.REJECTED, WallPhotoStatus.WITHDRAWN},
    # Marketing may take an approved photo down (rejected, with a reason).
    WallPhotoStatus.APPROVED: {WallPhotoStatus.REJECTED, WallPhotoStatus.WITHDRAWN},
    WallPhotoStatus.REJECTED: {WallPhotoStatus.WITHDRAWN},
    # Shared again: back to moderation, with her consent and the tick given again.
    WallPhotoStatus.WITHDRAWN: {WallPhotoStatus.PENDING},
}
SHARED_STATUSES = frozenset({WallPhotoStatus.PENDING, WallPhotoStatus.APPROVED})


class WallPhoto(models.Model):
    """A party photo its host marked as shareable, and what marketing decided."""

    photo = models.OneToOneField(PartyPhoto, on_delete=models.CASCADE, related_name="wall")
    host = models.ForeignKey(Host, on_delete=models.CASCADE, related_name="wall_photos")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="wall_photos")
    status = models.CharField(
        max_length=16,
        choices=WallPhotoStatus.choices,
        default=WallPhotoStatus.PENDING,
        help_text="pending (waiting for moderation), approved (on the public wall and feed), rejected (with a reason the host reads), or withdrawn.",
    )
    # When the host ticked "everyone pictured agreed" (given again at each share).
    everyone_agreed_at = models.DateTimeField(
        help_text="When the host confirmed everyone pictured agreed to the photo being public, UTC."
    )
    shared_at = models.DateTimeField(
        default=timezone.now, help_text="When the host shared the photo to the wall, UTC."
    )
    decided_at = models.DateTimeField(
        null=True, blank=True, help_text="When marketing approved or rejected it, UTC; null while pending."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)  # why it was rejected (read by the host)
    # The sized copy the wall shows (no metadata); only while approved.
    display = models.ImageField(
        upload_to="wall/%Y/%m/",
        width_field="width",
        height_field="height",
        storage=private_storage,
        blank=True,
    )
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [models.Index(fields=["campaign", "status", "-decided_at"])]

    def __str__(self) -> str:
        return f"wall photo #{self.pk} ({self.status})"


class WallPhotoStatusChange(models.Model):
    """One row per moderation or withdrawal step: who, when, from, to, why (append-only)."""

    wallphoto = models.ForeignKey(WallPhoto, on_delete=models.CASCADE, related_name="history")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(default=timezone.now)
    from_status = models.CharField(max_length=16, choices=WallPhotoStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=WallPhotoStatus.choices)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
