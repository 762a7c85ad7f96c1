"""Running payouts sends hosts money: it takes a permission of its own, not only the marketing role
(issue 15, item 15). The admin role holds it; an administrator grants it to a marketer."""

import pytest
from django.contrib.auth.models import Group, Permission
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

URL = "/api/v1/payouts/run/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_marketer_without_the_permission_cannot_run_payouts(marketing_client):
    response = marketing_client.post(URL, {}, format="json")
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "permission_denied"


def test_a_marketer_granted_the_permission_runs_payouts(marketing_user, settings):
    settings.STRIPE_SECRET_KEY = ""
    marketing_user.user_permissions.add(Permission.objects.get(codename="run_payouts"))
    response = client_for(marketing_user).post(URL, {}, format="json")
    assert response.status_code == 200


def test_the_admin_role_holds_the_permission(admin_user_role, settings):
    settings.STRIPE_SECRET_KEY = ""
    assert Group.objects.get(name="admin").permissions.filter(codename="run_payouts").exists()
    assert client_for(admin_user_role).post(URL, {}, format="json").status_code == 200


def test_the_permission_alone_without_a_staff_role_is_not_enough(settings):
    from tests.factories import UserFactory

    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="run_payouts"))
    assert client_for(user).post(URL, {}, format="json").status_code == 403
