"""Shop API keys are created, listed by prefix, scoped and revoked by admins, through the API and the
admin; the full key is shown once."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from rest_framework.test import APIClient

from orders.models import Order, ShopApiKey
from tests.factories import UserFactory
from tests.orders.test_import_api import order_payload

pytestmark = pytest.mark.django_db

KEYS = "/api/v1/shop-api-keys/"


@pytest.fixture
def admin_client(admin_user_role) -> APIClient:
    client = APIClient()
    client.force_authenticate(admin_user_role)
    return client


def _shop(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def test_an_admin_creates_a_key_that_is_shown_once_and_imports_orders(admin_client):
    response = admin_client.post(
        KEYS, {"name": "shop production", "scopes": ["orders:import"]}, format="json"
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    key = created["key"]
    assert key.startswith(created["prefix"] + ".")
    assert created["scopes"] == ["orders:import"]
    stored = ShopApiKey.objects.get()
    assert key not in (stored.hashed_key, stored.id)  # only its hash is kept
    # listed and read by prefix only, never in full again
    listed = admin_client.get(KEYS).json()["results"]
    assert [row["prefix"] for row in listed] == [created["prefix"]]
    assert key not in str(listed) and stored.hashed_key not in str(listed)
    assert "key" not in admin_client.get(f"{KEYS}{created['prefix']}/").json()
    # the key works for what its scope names
    assert _shop(key).post("/api/v1/orders/", order_payload(), format="json").status_code == 201


def test_a_revoked_key_is_refused_for_good(admin_client):
    created = admin_client.post(KEYS, {"name": "shop", "scopes": ["orders:import"]}, format="json").json()
    response = admin_client.post(f"{KEYS}{created['prefix']}/revoke/")
    assert response.status_code == 200
    assert response.json()["revoked"] is True
    assert _shop(created["key"]).post("/api/v1/orders/", order_payload(), format="json").status_code in (
        401,
        403,
    )
    assert admin_client.post(f"{KEYS}{created['prefix']}/revoke/").json()["revoked"] is True  # idempotent
    assert not Order.objects.exists()


def test_a_key_without_the_import_scope_cannot_import_orders(admin_user_role):
    api_key, key = ShopApiKey.objects.create_key(name="read only", scopes=[])
    assert _shop(key).post("/api/v1/orders/", order_payload(), format="json").status_code in (401, 403)
    assert not Order.objects.exists()


def test_keys_need_a_known_scope(admin_client):
    unknown = admin_client.post(KEYS, {"name": "shop", "scopes": ["orders:delete"]}, format="json")
    empty = admin_client.post(KEYS, {"name": "shop", "scopes": []}, format="json")
    assert (unknown.status_code, unknown.json()["errors"][0]["attr"]) == (400, "scopes")
    assert (empty.status_code, empty.json()["errors"][0]["code"]) == (400, "empty")
    assert not ShopApiKey.objects.exists()


def test_only_an_admin_manages_keys_through_the_api(marketing_client, logistics_client, api_client):
    _, key = ShopApiKey.objects.create_key(name="shop")
    prefix = key.partition(".")[0]
    for client in (marketing_client, logistics_client, api_client, _shop(key)):
        assert client.post(
            KEYS, {"name": "mine", "scopes": ["orders:import"]}, format="json"
        ).status_code in (
            401,
            403,
        )
        assert client.get(KEYS).status_code in (401, 403)
        assert client.post(f"{KEYS}{prefix}/revoke/").status_code in (401, 403)
    assert ShopApiKey.objects.get().revoked is False
    assert ShopApiKey.objects.count() == 1


def _admin_site_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_admin_creates_a_scoped_key_in_the_admin_and_sees_it_once(admin_user_role):
    admin_user_role.is_staff = True
    admin_user_role.save()
    client = _admin_site_client(admin_user_role)
    response = client.post(
        "/admin/orders/shopapikey/add/", {"name": "shop admin", "scopes": ["orders:import"]}, follow=True
    )
    assert response.status_code == 200
    api_key = ShopApiKey.objects.get()
    assert api_key.scopes == ["orders:import"]
    shown = [str(message) for message in response.context["messages"]]
    assert any(api_key.prefix + "." in message for message in shown)  # the full key, this once
    page = client.get(f"/admin/orders/shopapikey/{api_key.pk}/change/").content.decode()
    assert api_key.hashed_key not in page


def test_a_staff_member_with_model_permissions_but_no_admin_role_cannot_make_keys(marketing_user):
    # given a marketer let into the admin and granted every permission on keys
    marketing_user.is_staff = True
    marketing_user.save()
    marketing_user.user_permissions.add(*Permission.objects.filter(content_type__model="shopapikey"))
    client = _admin_site_client(UserFactory._meta.model.objects.get(pk=marketing_user.pk))
    # when she tries to add one
    response = client.post("/admin/orders/shopapikey/add/", {"name": "mine", "scopes": ["orders:import"]})
    # then
    assert response.status_code == 403
    assert client.get("/admin/orders/shopapikey/").status_code == 403
    assert not ShopApiKey.objects.exists()
