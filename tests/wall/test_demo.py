"""`seed_demo` shows a wall of approved photos, drawn by the project itself, and one waiting."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from wall.demo import PHOTOS
from wall.models import WallPhoto, WallPhotoStatus

pytestmark = pytest.mark.django_db


def test_the_shipped_pictures_are_small_and_licensed():
    assert len(PHOTOS) >= 5
    assert sum(path.stat().st_size for path in PHOTOS) < 300_000
    assert (Path(PHOTOS[0]).parent / "LICENCE.md").exists()


def test_seed_demo_builds_a_wall_of_approved_photos_once(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=StringIO())

    statuses = list(WallPhoto.objects.values_list("status", flat=True))
    assert statuses.count(WallPhotoStatus.APPROVED) >= 4
    assert statuses.count(WallPhotoStatus.PENDING) == 1
    assert "/c/automne-hiver-2026/wall/" in out.getvalue()
    feed = Client().get("/api/v1/public/campaigns/automne-hiver-2026/wall/").json()
    assert len(feed["photos"]) == statuses.count(WallPhotoStatus.APPROVED)
    assert Client().get(feed["photos"][0]["url"]).status_code == 200
