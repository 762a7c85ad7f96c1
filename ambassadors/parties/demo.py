"""Demo data of parties: every host gets parties in varied states (planned, held, closed, cancelled)
with guests, a held party's report and photos, and a guest or two who would like to host too.

Called by `seed_demo` (`seed_parties(campaign=..., hosts=..., by=...)`). Everything goes through the
services, so the demo obeys the rules; running it twice adds nothing.
"""

import io
import unicodedata
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from ambassadors.models import Campaign, Host, Party
from ambassadors.parties import services

TITLES = ["Knitwear night", "Cosy coats evening", "Autumn try-on brunch", "Velvet & wine", "Sunday fitting"]
GUEST_NAMES = [
    "Léa",
    "Chloé",
    "Inès",
    "Manon",
    "Camille",
    "Zoé",
    "Sarah",
    "Jade",
    "Louise",
    "Emma",
    "Hugo",
    "Lina",
]


def _photo(index: int) -> SimpleUploadedFile:
    image = Image.new("RGB", (640, 480), (150 + index * 20 % 100, 70, 90))
    ImageDraw.Draw(image).ellipse((200, 120, 440, 360), fill=(240, 200, 150))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return SimpleUploadedFile(f"party-{index}.jpg", buffer.getvalue(), content_type="image/jpeg")


def _start(campaign: Campaign, wanted: datetime) -> datetime | None:
    """The wanted start, pulled inside the party window; None when the window cannot hold it."""
    start = min(max(wanted, campaign.party_window_start), campaign.party_window_end)
    return start if (start <= timezone.now()) == (wanted <= timezone.now()) else None


def _add_guests(party: Party, host: Host, count: int, *, offset: int, bookers: int = 0) -> None:
    for n in range(count):
        name = GUEST_NAMES[(offset + n) % len(GUEST_NAMES)]
        ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
        email = f"{ascii_name}.{party.pk}.{n}@guests.example.com"
        if n % 2:
            services.add_guest(party=party, by=host.user, first_name=name, email=email, guest_agreed=True)
        else:
            services.register_guest(
                party=party,
                first_name=name,
                email=email,
                accept_terms=True,
                marketing_consent=n % 3 == 0,
                wants_to_host=n < bookers * 2 and n % 2 == 0,
            )


def seed_parties(*, campaign: Campaign, hosts: Sequence[Host], by: Any = None) -> dict[str, int]:
    """Three to four parties per host in the campaign's party window, in every state, with guests."""
    now = timezone.now()
    created = {"planned": 0, "held": 0, "closed": 0, "cancelled": 0, "guests": 0}
    for index, host in enumerate(hosts):
        if Party.objects.filter(host=host).exists():
            continue
        # The party is at the host's home: her town and postal code.
        city, postal_code = host.city, host.postal_code
        plans: list[tuple[str, datetime]] = [
            ("planned", now + timedelta(days=7 + index)),
            ("held", now - timedelta(days=3 + index % 4)),
            ("closed", now - timedelta(days=campaign.attribution_window_days + 2 + index)),
        ]
        if index % 3 == 0:
            plans.append(("cancelled", now + timedelta(days=14)))
        for number, (target, wanted) in enumerate(plans):
            starts_at = _start(campaign, wanted)
            if starts_at is None:
                continue
            party = services.create_party(
                host=host,
                by=host.user,
                title=TITLES[(index + number) % len(TITLES)],
                starts_at=starts_at,
                city=city,
                postal_code=postal_code,
                expected_guests=8 + (index * 3 + number) % 15,
                notes="Parking in the courtyard." if number == 0 else "",
            )
            guests = {"planned": 4, "held": 8, "closed": 6, "cancelled": 2}[target]
            _add_guests(party, host, guests, offset=index + number, bookers=1 if target == "held" else 0)
            created["guests"] += guests
            if target == "cancelled":
                services.cancel_party(party=party, by=host.user, reason="Moved house")
            elif target in {"held", "closed"}:
                services.mark_party_held(
                    party=party,
                    by=host.user,
                    actual_guests=guests + 2,
                    highlights="Everyone tried the coats; the velvet blazer sold out in the shop the next day.",
                    social_post_urls=[f"https://www.instagram.com/p/demo{party.pk}/"],
                    photos=[_photo(index + k) for k in range(1 + index % 2)],
                )
                if target == "closed":
                    if party.attribution_ends_at > now:  # the window cannot hold a party that old
                        created["held"] += 1
                        continue
                    services.close_party(party=party, by=by, at=now)
            created[target] += 1
    return created
