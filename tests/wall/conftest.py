import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from ambassadors.parties import services as parties
from tests import factories

# Written in the photo's EXIF, as a phone does: none of it may leave through the wall.
SECRET_PLACE = "12 rue des Lilas"


def phone_photo(*, size: tuple[int, int] = (1600, 1200), colour: tuple[int, int, int] = (180, 90, 60)):
    """A JPEG as a phone writes it: large, with the camera's make, a description and a GPS position."""
    image = Image.new("RGB", size, colour)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x010E] = SECRET_PLACE  # ImageDescription
    exif[0x8825] = {1: "N", 2: (45.0, 45.0, 52.0), 3: "E", 4: (4.0, 50.0, 30.0)}  # GPSInfo
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif, quality=90)
    return SimpleUploadedFile("party.jpg", buffer.getvalue(), content_type="image/jpeg")


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def held_party_with_photo(host, *, title: str = "Soirée tricot", photos: int = 1):
    party = factories.PartyFactory(host=host, title=title, starts_at=timezone.now() - timedelta(hours=2))
    parties.mark_party_held(
        party=party, by=host.user, actual_guests=6, photos=[phone_photo() for _ in range(photos)]
    )
    return party


@pytest.fixture
def campaign(db):
    return factories.CampaignFactory(slug="automne", name="Automne-hiver")


@pytest.fixture
def host(campaign):
    return factories.HostFactory(
        application__campaign=campaign,
        application__first_name="Clara",
        application__city="Villeurbanne",
        application__address_line1="7 impasse Secrète",
        application__photo_consent_at=timezone.now(),
    )


@pytest.fixture
def party(host):
    return held_party_with_photo(host)


@pytest.fixture
def photo(party):
    return party.photos.get()


@pytest.fixture
def host_client(host) -> APIClient:
    return client_for(host.user)
