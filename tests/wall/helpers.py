"""Steps the wall's tests share: share, moderate, and read the wall as the public does."""

import re

from django.test import Client
from django.urls import reverse

from tests.wall.conftest import client_for


def share(host, photo, *, everyone_agreed: bool = True):
    return client_for(host.user).post(
        reverse("api:party-photo-wall", kwargs={"party_id": photo.party_id, "photo_id": photo.pk}),
        {"everyone_agreed": everyone_agreed},
        format="json",
    )


def wall_photo_id(photo) -> int:
    return photo.wall.pk


def feed(slug: str) -> dict:
    response = Client().get(reverse("api:public-wall-feed", kwargs={"slug": slug}))
    assert response.status_code == 200, response.content
    return response.json()


def wall_html(slug: str) -> str:
    response = Client().get(reverse("wall:page", kwargs={"slug": slug}))
    assert response.status_code == 200
    return response.content.decode()


def image_paths(page: str) -> list[str]:
    return re.findall(r'<img src="([^"]+/wall/photos/[^"]+)"', page)
