"""Shop endpoints are set by admins through the API; their secret is write-only and encrypted."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from orders.models import Order, ShopEndpoint
from tests.orders import shop_payloads as sh

pytestmark = pytest.mark.django_db

SECRET = "shpss_9d8c7b6a5f4e3d2c1b0a"


@pytest.fixture
def admin_client(admin_user_role) -> APIClient:
    client = APIClient()
    client.force_authenticate(admin_user_role)
    return client


def test_an_admin_adds_a_shop_and_the_secret_is_never_shown_nor_stored_in_clear(admin_client):
    response = admin_client.post(
        "/api/v1/shop-endpoints/",
        {"name": "Maison", "slug": "maison", "platform": "shopify", "secret": SECRET},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["webhook_url"] == "http://testserver/webhooks/shopify/maison/"
    assert SECRET not in response.content.decode()
    assert SECRET not in admin_client.get("/api/v1/shop-endpoints/").content.decode()
    assert SECRET not in admin_client.get(f"/api/v1/shop-endpoints/{body['id']}/").content.decode()
    assert SECRET not in ShopEndpoint.objects.get().encrypted_secret
    # and the shop's deliveries are verified with it
    assert sh.post_shopify(Client(), sh.shopify_order(), secret=SECRET).status_code == 200


def test_replacing_the_secret_retires_the_old_one(admin_client):
    endpoint = sh.shop("maison")

    response = admin_client.patch(
        f"/api/v1/shop-endpoints/{endpoint.pk}/", {"secret": "shpss_rotated_secret_42"}, format="json"
    )

    assert response.status_code == 200
    assert sh.post_shopify(Client(), sh.shopify_order()).status_code == 401
    assert sh.post_shopify(Client(), sh.shopify_order(), secret="shpss_rotated_secret_42").status_code == 200
    assert Order.objects.count() == 1


def test_the_secret_survives_a_rotation_of_the_secret_key(settings):
    endpoint = sh.shop("maison")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-brand-new-secret-key-for-this-deployment-0123456789"

    assert sh.post_shopify(Client(), sh.shopify_order()).status_code == 200
    assert endpoint.pk


def test_a_slug_is_taken_once(admin_client):
    sh.shop("maison")

    response = admin_client.post(
        "/api/v1/shop-endpoints/",
        {"name": "Other", "slug": "maison", "platform": "woocommerce", "secret": SECRET},
        format="json",
    )

    assert response.status_code == 409
    assert ShopEndpoint.objects.count() == 1


def test_only_admins_manage_shops(marketing_client, api_client):
    payload = {"name": "Maison", "slug": "maison", "platform": "shopify", "secret": SECRET}

    assert marketing_client.post("/api/v1/shop-endpoints/", payload, format="json").status_code == 403
    assert marketing_client.get("/api/v1/shop-endpoints/").status_code == 403
    assert api_client.post("/api/v1/shop-endpoints/", payload, format="json").status_code == 401
    assert not ShopEndpoint.objects.exists()
