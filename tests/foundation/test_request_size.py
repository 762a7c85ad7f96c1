"""A request body has a size cap enforced before it is read (issue 15, item 15): a body declared larger
than `REQUEST_MAX_BYTES` is refused with 413 in the one error shape, without a byte of it being read
(`test_behind_a_proxy.py` shows the same against gunicorn)."""

import io

import pytest
from django.test import Client

from tests.factories import PartyFactory

pytestmark = pytest.mark.django_db

SIXTY_MB = 60 * 1024 * 1024


class Upload(io.RawIOBase):
    """A request body that counts what the server reads of it (and sends zeros)."""

    def __init__(self, size: int):
        self.size = size
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = min(len(buffer), self.size - self.read_bytes)
        buffer[:count] = b"\0" * count
        self.read_bytes += count
        return count


def post(client: Client, path: str, upload: Upload):
    return client.generic(
        "POST",
        path,
        content_type="multipart/form-data; boundary=soiree",
        CONTENT_LENGTH=str(upload.size),
        **{"wsgi.input": upload},
    )


def test_a_60_mb_upload_is_refused_with_413_before_any_of_it_is_read(client):
    # given a host posting 60 MB of "photos" to their own party
    party = PartyFactory()
    client.force_login(party.host.user)
    upload = Upload(SIXTY_MB)

    # when
    response = post(client, f"/api/v1/parties/{party.pk}/photos/", upload)

    # then
    assert response.status_code == 413
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {
                "code": "request_too_large",
                "detail": "The request body may not exceed 27262976 bytes.",
                "attr": None,
            }
        ],
    }
    assert upload.read_bytes == 0


def test_a_portal_page_refuses_it_too(client):
    party = PartyFactory()
    client.force_login(party.host.user)
    upload = Upload(SIXTY_MB)
    response = post(client, f"/portal/parties/{party.pk}/held/", upload)
    assert response.status_code == 413 and upload.read_bytes == 0


def test_the_cap_is_a_setting_and_a_body_within_it_is_read(client, settings):
    settings.REQUEST_MAX_BYTES = 1024
    party = PartyFactory()
    client.force_login(party.host.user)
    too_large = client.post(
        f"/api/v1/parties/{party.pk}/", {"notes": "x" * 2000}, content_type="application/json"
    )
    assert too_large.status_code == 413
    within = client.get(f"/api/v1/parties/{party.pk}/")
    assert within.status_code == 200


def test_the_default_cap_takes_a_party_reports_five_largest_photos(settings):
    assert settings.REQUEST_MAX_BYTES == 5 * settings.PARTY_PHOTO_MAX_BYTES + 1024 * 1024
