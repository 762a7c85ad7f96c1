import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from tests import factories


def image_upload(name: str = "party.png", *, image_format: str = "PNG", size: tuple[int, int] = (64, 48)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 120)).save(buffer, format=image_format)
    content_type = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}[
        image_format
    ]
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


@pytest.fixture
def host(db):
    return factories.HostFactory(first_name="Clara", application__first_name="Clara")


@pytest.fixture
def other_host(db):
    return factories.HostFactory(first_name="Bea", application__first_name="Bea")


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def host_client(host) -> APIClient:
    return client_for(host.user)


@pytest.fixture
def other_host_client(other_host) -> APIClient:
    return client_for(other_host.user)
