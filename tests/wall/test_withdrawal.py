"""Withdrawing consent removes a photo everywhere: the wall, the feed (cached or not), and its URL.

Each way a photo leaves: the host un-marks it, withdraws her photo-rights consent, deletes the photo,
or is erased. The wall and the feed are read (and so cached) before, and read again after.
"""

import pytest
from django.test import Client
from django.urls import reverse

from ambassadors.models import PartyPhoto
from tests.wall.conftest import client_for
from tests.wall.helpers import feed, image_paths, share, wall_html
from wall.models import WallPhoto, WallPhotoStatus
from wall.services import approve_photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_the_wall(host, photo, marketing_user):
    """An approved photo, seen (and cached) on the wall and in the feed; its public URL and file."""
    share(host, photo)
    wall_photo = approve_photo(wall_photo=photo.wall, by=marketing_user)
    url = feed("automne")["photos"][0]["url"]
    assert image_paths(wall_html("automne")) and Client().get(url).status_code == 200
    return {"url": url, "file": (wall_photo.display.storage, wall_photo.display.name)}


def assert_gone_everywhere(on_the_wall) -> None:
    assert feed("automne")["photos"] == []
    assert image_paths(wall_html("automne")) == []
    assert Client().get(on_the_wall["url"]).status_code == 404
    storage, name = on_the_wall["file"]
    assert not storage.exists(name)


def test_the_host_un_marking_a_photo_takes_it_down(
    host, photo, on_the_wall, django_capture_on_commit_callbacks
):
    url = reverse("api:party-photo-wall", kwargs={"party_id": photo.party_id, "photo_id": photo.pk})
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(host.user).delete(url).status_code == 204

    assert_gone_everywhere(on_the_wall)
    assert WallPhoto.objects.get().status == WallPhotoStatus.WITHDRAWN
    # shared again, it goes back to moderation, not straight to the wall
    assert share(host, photo).json()["status"] == "pending"
    assert feed("automne")["photos"] == []


def test_withdrawing_photo_rights_consent_takes_every_photo_of_hers_down(
    host, party, photo, on_the_wall, django_capture_on_commit_callbacks
):
    waiting = PartyPhoto.objects.create(
        party=party, image=photo.image.name, content_type="image/jpeg", size_bytes=photo.size_bytes
    )
    share(host, waiting)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(host.user).delete(reverse("api:my-photo-consent"))

    assert response.status_code == 200 and response.json() == {"given": False, "given_at": None}
    assert_gone_everywhere(on_the_wall)
    assert set(WallPhoto.objects.values_list("status", flat=True)) == {WallPhotoStatus.WITHDRAWN}
    host.application.refresh_from_db()
    assert host.application.photo_consent_at is None
    # nothing is shared again until she gives her consent again
    assert share(host, photo).status_code == 409
    assert client_for(host.user).post(reverse("api:my-photo-consent")).json()["given"] is True
    assert share(host, photo).status_code == 201


def test_deleting_the_photo_takes_it_down(host, photo, on_the_wall, django_capture_on_commit_callbacks):
    url = reverse("api:party-photo", kwargs={"party_id": photo.party_id, "photo_id": photo.pk})
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(host.user).delete(url).status_code == 204

    assert_gone_everywhere(on_the_wall)
    assert not WallPhoto.objects.exists()


def test_erasing_the_host_removes_her_photos_from_the_wall_with_her(
    host, on_the_wall, marketing_user_with_personal_data, django_capture_on_commit_callbacks
):
    officer = client_for(marketing_user_with_personal_data)
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(
            reverse("api:privacy-erasure"), {"email": host.application.email, "reason": "Asked by e-mail"}
        )

    assert response.status_code == 200, response.content
    assert_gone_everywhere(on_the_wall)
    assert not WallPhoto.objects.exists()
    assert response.json()["wall_photos"] == 1
