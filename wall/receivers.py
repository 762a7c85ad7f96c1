"""The wall listens to the facts ambassadors announce; each receiver only calls a service."""

from typing import Any

from django.dispatch import receiver

from ambassadors.signals import party_photo_deleted, photo_consent_withdrawn
from wall import services


@receiver(photo_consent_withdrawn, dispatch_uid="wall-consent-withdrawn")
def take_photos_down_when_consent_is_withdrawn(sender: Any, hosts: list[Any], by: Any, **kwargs: Any) -> None:
    services.withdraw_photos_of_hosts(hosts=hosts, by=by, reason="photo-rights consent withdrawn")


@receiver(party_photo_deleted, dispatch_uid="wall-party-photo-deleted")
def forget_a_deleted_photo(sender: Any, photo: Any, by: Any, **kwargs: Any) -> None:
    services.erase_wall_photos(photo_ids=[photo.pk])
