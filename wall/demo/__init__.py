"""Demo data of the photo wall: photos of the demo hosts' held parties, shared and approved.

Called by `seed_demo` (`seed_wall(campaign=..., hosts=..., by=...)`). The pictures are the project's
own (`photos/`, drawn by `draw_photos.py`). Everything goes through the services, so the demo obeys
the rules (consent, the tick, moderation); running it twice adds nothing.
"""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from ambassadors.hosts.services import set_photo_consent
from ambassadors.models import Campaign, Host, Party, PartyStatus
from ambassadors.parties import services as parties
from wall import services
from wall.models import WallPhoto

PHOTOS = sorted((Path(__file__).resolve().parent / "photos").glob("party-*.jpg"))
PENDING = 1  # the last shared photo waits for moderation, so the queue is not empty


def seed_wall(*, campaign: Campaign, hosts: Sequence[Host], by: Any) -> dict[str, int]:
    """One shipped picture per host with a held party (as many as there are pictures): shared with
    the host's consent and approved by marketing, the last one left waiting."""
    if WallPhoto.objects.filter(campaign=campaign).exists():
        return {"approved": 0, "pending": 0}
    held = {
        party.host_id: party
        for party in Party.objects.filter(host__in=hosts, status=PartyStatus.HELD).order_by("-starts_at")
    }
    chosen = [(host, held[host.pk]) for host in hosts if host.pk in held][: len(PHOTOS)]
    created = {"approved": 0, "pending": 0}
    for number, ((host, party), picture) in enumerate(zip(chosen, PHOTOS, strict=False)):
        set_photo_consent(user=host.user, given=True, by=host.user)
        if party.photos.count() >= parties.MAX_PHOTOS_PER_PARTY:
            continue
        upload = SimpleUploadedFile(picture.name, picture.read_bytes(), content_type="image/jpeg")
        (photo,) = parties.add_party_photos(party=party, by=host.user, photos=[upload])
        wall_photo = services.share_photo(photo=photo, by=host.user, everyone_agreed=True)
        if number >= len(chosen) - PENDING:
            created["pending"] += 1
            continue
        services.approve_photo(wall_photo=wall_photo, by=by)
        created["approved"] += 1
    return created
