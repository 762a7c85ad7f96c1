"""Moderation states: shared → pending → approved | rejected, only what is approved is public, and
only as a sized copy without the photo's metadata."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from tests import factories
from tests.wall.conftest import SECRET_PLACE, client_for, held_party_with_photo
from tests.wall.helpers import feed, image_paths, share, wall_html
from wall.models import WallPhoto, WallPhotoStatus

pytestmark = pytest.mark.django_db


def approve(client, wall_photo_id: int):
    return client.post(reverse("api:wall-photo-approve", kwargs={"pk": wall_photo_id}))


def reject(client, wall_photo_id: int, reason: str = "Blurry"):
    return client.post(
        reverse("api:wall-photo-reject", kwargs={"pk": wall_photo_id}), {"reason": reason}, format="json"
    )


def test_a_shared_photo_waits_for_marketing_and_is_not_public_yet(host, photo, marketing_client):
    response = share(host, photo)

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending"
    queue = marketing_client.get(reverse("api:wall-photos"), {"status": "pending"}).json()["results"]
    assert [(row["photo"], row["host_first_name"], row["city"]) for row in queue] == [
        (photo.pk, "Clara", "Villeurbanne")
    ]
    # marketing reads the full photo where the party's photos already are
    assert marketing_client.get(queue[0]["photo_url"]).status_code == 200
    assert feed("automne")["photos"] == []
    assert image_paths(wall_html("automne")) == []


def test_sharing_needs_the_tick_and_the_hosts_photo_rights_consent(host, photo, campaign):
    refused = share(host, photo, everyone_agreed=False)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "everyone_agreed_required"

    host.application.photo_consent_at = None
    host.application.save()
    no_consent = share(host, photo)
    assert no_consent.status_code == 409
    assert no_consent.json()["errors"][0]["code"] == "no_photo_consent"
    assert not WallPhoto.objects.exists()


def test_another_hosts_photo_cannot_be_shared(photo, campaign):
    intruder = factories.HostFactory(
        application__campaign=campaign, application__photo_consent_at=photo.uploaded_at
    )
    response = share(intruder, photo)

    assert response.status_code == 404
    assert not WallPhoto.objects.exists()


def test_an_approved_photo_is_on_the_wall_and_in_the_feed_with_first_name_and_city_only(
    host, photo, marketing_client, django_capture_on_commit_callbacks
):
    share(host, photo)
    assert feed("automne")["photos"] == []  # the empty wall is cached now

    with django_capture_on_commit_callbacks(execute=True):
        approved = approve(marketing_client, photo.wall.pk)

    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    page = wall_html("automne")
    assert "Clara" in page and "Villeurbanne" in page
    assert "Dupont" not in page and "impasse" not in page and "Secrète" not in page
    (entry,) = feed("automne")["photos"]
    assert (entry["host_first_name"], entry["city"]) == ("Clara", "Villeurbanne")
    assert set(entry) == {"id", "url", "width", "height", "host_first_name", "city", "approved_at"}
    # the wall's image carries its size, so the page does not jump while it loads
    assert f'width="{entry["width"]}" height="{entry["height"]}"' in page


def test_the_public_gets_a_sized_copy_without_the_phones_metadata(host, photo, marketing_client):
    share(host, photo)
    approve(marketing_client, photo.wall.pk)
    (entry,) = feed("automne")["photos"]

    response = Client().get(entry["url"])

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    body = b"".join(response.streaming_content)
    image = Image.open(io.BytesIO(body))
    assert max(image.size) <= 720 and (image.width, image.height) == (entry["width"], entry["height"])
    assert not image.getexif()
    assert b"Exif" not in body and SECRET_PLACE.encode() not in body and b"PhoneMaker" not in body
    assert len(body) < photo.size_bytes


def test_a_rejection_needs_a_reason_that_the_host_reads(host, photo, marketing_client):
    share(host, photo)
    wall_photo_id = photo.wall.pk

    assert reject(marketing_client, wall_photo_id, reason="  ").status_code == 400
    assert reject(marketing_client, wall_photo_id, reason="Someone's face is cut").status_code == 200

    seen = client_for(host.user).get(
        reverse("api:party-photo-wall", kwargs={"party_id": photo.party_id, "photo_id": photo.pk})
    )
    assert seen.json()["status"] == "rejected" and seen.json()["reason"] == "Someone's face is cut"
    assert feed("automne")["photos"] == []
    # and a rejected photo is not approved afterwards, nor shared again by its host
    assert approve(marketing_client, wall_photo_id).status_code == 409
    assert share(host, photo).status_code == 409


def test_taking_an_approved_photo_down_makes_its_url_answer_404(
    host, photo, marketing_client, django_capture_on_commit_callbacks
):
    share(host, photo)
    approve(marketing_client, photo.wall.pk)
    url = feed("automne")["photos"][0]["url"]
    assert Client().get(url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        assert reject(marketing_client, photo.wall.pk, reason="Off brand").status_code == 200

    assert Client().get(url).status_code == 404
    assert feed("automne")["photos"] == []
    assert image_paths(wall_html("automne")) == []
    assert not WallPhoto.objects.get().display


def test_every_moderation_step_is_kept_with_who_and_why(host, photo, marketing_client, marketing_user):
    share(host, photo)
    approve(marketing_client, photo.wall.pk)
    reject(marketing_client, photo.wall.pk, reason="Off brand")

    steps = [
        (change.from_status, change.to_status, change.by, change.reason)
        for change in WallPhoto.objects.get().history.all()
    ]
    assert steps == [
        ("", WallPhotoStatus.PENDING, host.user, ""),
        (WallPhotoStatus.PENDING, WallPhotoStatus.APPROVED, marketing_user, ""),
        (WallPhotoStatus.APPROVED, WallPhotoStatus.REJECTED, marketing_user, "Off brand"),
    ]


def test_only_marketing_moderates(host, photo, logistics_client):
    share(host, photo)
    for client in (client_for(host.user), logistics_client, Client()):
        assert approve(client, photo.wall.pk).status_code in {401, 403}
    assert WallPhoto.objects.get().status == WallPhotoStatus.PENDING


def test_the_wall_shows_only_its_own_campaigns_photos(host, photo, marketing_client, campaign):
    other = factories.CampaignFactory(slug="printemps")
    other_host = factories.HostFactory(
        application__campaign=other, application__photo_consent_at=photo.uploaded_at
    )
    other_photo = held_party_with_photo(other_host).photos.get()
    for who, shared in ((host, photo), (other_host, other_photo)):
        share(who, shared)
        approve(marketing_client, shared.wall.pk)

    assert [entry["id"] for entry in feed("automne")["photos"]] == [photo.wall.pk]
    # a URL signed for a photo of another campaign does not open under this one
    foreign = feed("printemps")["photos"][0]["url"].replace("/c/printemps/", "/c/automne/")
    assert Client().get(foreign).status_code == 404
