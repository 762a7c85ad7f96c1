"""What is answered to a signed-in person is theirs alone (issue 15, item 15): portal and staff pages,
and API answers to a session or a token, carry `Cache-Control: private, no-store`; public answers do
not need to."""

import pytest
from django.utils.cache import get_max_age
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.factories import CampaignFactory, HostFactory

pytestmark = pytest.mark.django_db


def directives(response) -> set[str]:
    return {
        part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",") if part.strip()
    }


@pytest.mark.parametrize("path", ["/portal/", "/portal/profile/", "/portal/share/", "/portal/kit/"])
def test_a_hosts_portal_pages_are_private_and_not_stored(client, path):
    host = HostFactory()
    client.force_login(host.user)
    response = client.get(path)
    assert response.status_code == 200
    assert {"private", "no-store"} <= directives(response)


def test_a_staff_page_and_the_admin_are_private_and_not_stored(client, logistics_user, admin_user_role):
    client.force_login(logistics_user)
    assert {"private", "no-store"} <= directives(client.get("/staff/kits/scan/"))
    admin_user_role.is_staff = True
    admin_user_role.is_superuser = True
    admin_user_role.save()
    client.force_login(admin_user_role)
    assert {"private", "no-store"} <= directives(client.get("/admin/"))


def test_api_answers_to_a_session_or_a_token_are_private_and_not_stored(client, marketing_user):
    client.force_login(marketing_user)
    assert {"private", "no-store"} <= directives(client.get("/api/v1/campaigns/"))
    _, token = AuthToken.objects.create(user=marketing_user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    listed = api.get("/api/v1/campaigns/")
    assert listed.status_code == 200
    assert {"private", "no-store"} <= directives(listed)
    # errors too: a refusal can describe what the person asked for
    assert {"private", "no-store"} <= directives(api.get("/api/v1/campaigns/999999/"))


def test_public_answers_are_left_to_their_views(api_client):
    campaign = CampaignFactory(status="recruiting")
    public = api_client.get(f"/api/v1/public/campaigns/{campaign.slug}/")
    assert public.status_code == 200
    assert "no-store" not in directives(public) and get_max_age(public) is None
