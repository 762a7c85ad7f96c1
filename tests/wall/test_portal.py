"""The host's page of a party's photos on the wall: share with the tick, un-mark, and her consent."""

import pytest
from django.test import Client
from django.urls import reverse

from wall.models import WallPhoto, WallPhotoStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(host) -> Client:
    client = Client()
    client.force_login(host.user)
    return client


def test_the_party_page_links_to_its_photos_on_the_wall(browser, party):
    page = browser.get(reverse("parties:detail", kwargs={"party_id": party.pk})).content.decode()

    assert reverse("wall_portal:party-photos", kwargs={"party_id": party.pk}) in page


def test_sharing_without_the_tick_shows_the_error_beside_it_and_shares_nothing(browser, party, photo):
    response = browser.post(
        reverse("wall_portal:share", kwargs={"party_id": party.pk, "photo_id": photo.pk}), {}
    )

    assert response.status_code == 400
    assert "Tick this once everyone in the photo has agreed." in response.content.decode()
    assert not WallPhoto.objects.exists()


def test_the_host_shares_then_un_marks_a_photo(browser, party, photo):
    shared = browser.post(
        reverse("wall_portal:share", kwargs={"party_id": party.pk, "photo_id": photo.pk}),
        {f"photo-{photo.pk}-everyone_agreed": "on"},
        follow=True,
    )
    assert "Waiting for moderation" in shared.content.decode()
    assert WallPhoto.objects.get().status == WallPhotoStatus.PENDING

    browser.post(reverse("wall_portal:unshare", kwargs={"party_id": party.pk, "photo_id": photo.pk}))

    assert WallPhoto.objects.get().status == WallPhotoStatus.WITHDRAWN


def test_the_host_withdraws_and_gives_her_consent_from_the_page(browser, host, party, photo):
    browser.post(
        reverse("wall_portal:share", kwargs={"party_id": party.pk, "photo_id": photo.pk}),
        {f"photo-{photo.pk}-everyone_agreed": "on"},
    )
    consent = reverse("wall_portal:photo-consent", kwargs={"party_id": party.pk})

    page = browser.post(consent, {"given": "no"}, follow=True).content.decode()

    host.application.refresh_from_db()
    assert host.application.photo_consent_at is None
    assert WallPhoto.objects.get().status == WallPhotoStatus.WITHDRAWN
    assert "Share on the wall" not in page and "I agree" in page
    browser.post(consent, {"given": "yes"})
    host.application.refresh_from_db()
    assert host.application.photo_consent_at is not None
