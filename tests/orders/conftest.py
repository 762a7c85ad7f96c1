import pytest
from rest_framework.test import APIClient

from orders.models import ShopApiKey
from tests.orders.stripe_payloads import CONNECT_WEBHOOK_SECRET, WEBHOOK_SECRET


@pytest.fixture(autouse=True)
def _stripe_settings(settings):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_CONNECT_WEBHOOK_SECRET = CONNECT_WEBHOOK_SECRET
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_API_BASE = ""


@pytest.fixture
def shop_key(db) -> str:
    _, key = ShopApiKey.objects.create_key(name="shop")
    return key


@pytest.fixture
def shop_client(shop_key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {shop_key}")
    return client
