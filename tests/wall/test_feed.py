"""The wall's feed and page: cached, constant in queries, and photo URLs that are signed and expire."""

import re
import time
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ambassadors.models import CampaignStatus
from tests import factories
from tests.wall.conftest import held_party_with_photo
from tests.wall.helpers import feed, share, wall_html
from wall.services import approve_photo

pytestmark = pytest.mark.django_db


def approved_photos(campaign, marketing_user, count: int) -> None:
    for n in range(count):
        host = factories.HostFactory(
            application__campaign=campaign,
            application__first_name=f"Hôte{n}",
            application__photo_consent_at=campaign.applications_open_at,
        )
        photo = held_party_with_photo(host).photos.get()
        share(host, photo)
        approve_photo(wall_photo=photo.wall, by=marketing_user)


def queries(path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert Client().get(path).status_code == 200
    return len(captured)


def test_the_feed_has_its_documented_shape(campaign, marketing_user):
    approved_photos(campaign, marketing_user, 2)

    body = feed(campaign.slug)

    assert {key: body[key] for key in ("version", "type", "title", "url")} == {
        "version": "1.0",
        "type": "photo_wall",
        "title": "Automne-hiver",
        "url": "http://testserver/c/automne/wall/",
    }
    assert 0 < body["cache_age"] <= 300
    assert [photo["host_first_name"] for photo in body["photos"]] == ["Hôte1", "Hôte0"]  # newest first


def test_the_feed_and_the_page_are_read_from_the_cache_once_warm(campaign, marketing_user):
    approved_photos(campaign, marketing_user, 2)
    feed_path = reverse("api:public-wall-feed", kwargs={"slug": campaign.slug})
    page_path = reverse("wall:page", kwargs={"slug": campaign.slug})

    cold = queries(feed_path)
    warm = queries(feed_path)

    assert warm == cold - 1  # the campaign only: the photos come from the cache
    assert queries(page_path) == warm


def test_the_page_costs_the_same_queries_for_one_photo_as_for_eight(campaign, marketing_user):
    page_path = reverse("wall:page", kwargs={"slug": campaign.slug})
    approved_photos(campaign, marketing_user, 1)
    from django.core.cache import cache

    cache.clear()
    one = queries(page_path)
    approved_photos(campaign, marketing_user, 7)
    cache.clear()
    eight = queries(page_path)

    assert one == eight


def test_the_page_loads_its_images_lazily_with_their_size(campaign, marketing_user):
    approved_photos(campaign, marketing_user, 3)

    images = re.findall(r"<img [^>]+>", wall_html(campaign.slug), re.S)

    assert len(images) == 3
    assert all(re.search(r'width="\d+" height="\d+"', image) for image in images)
    assert all('loading="lazy"' in image for image in images[1:])  # the first is on screen at once


def test_a_forged_or_expired_photo_url_answers_404(campaign, marketing_user, settings):
    approved_photos(campaign, marketing_user, 2)
    newest, other = feed(campaign.slug)["photos"]
    path = newest["url"].removeprefix("http://testserver")
    token = path.rstrip("/").rsplit("/", 1)[1]
    _id, stamp, signature = token.split(":")

    assert Client().get(path).status_code == 200
    # another approved photo's id under this signature
    forged = path.replace(token, f"{other['id']}:{stamp}:{signature}")
    assert Client().get(forged).status_code == 404
    with mock.patch("time.time", return_value=time.time() + settings.WALL_PHOTO_URL_MAX_AGE + 5):
        assert Client().get(path).status_code == 404


def test_a_draft_campaign_has_no_wall(db):
    draft = factories.CampaignFactory(status=CampaignStatus.DRAFT)

    assert Client().get(reverse("wall:page", kwargs={"slug": draft.slug})).status_code == 404
    assert Client().get(reverse("api:public-wall-feed", kwargs={"slug": draft.slug})).status_code == 404
