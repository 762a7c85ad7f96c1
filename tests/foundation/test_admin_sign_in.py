"""The admin's sign-in is limited like the portal's (issue 15, item 4): one counter of attempts per
client address for both doors, and over the limit no password is even checked."""

import pytest
from django.contrib.auth.signals import user_login_failed
from django.urls import reverse
from rest_framework.throttling import SimpleRateThrottle

from tests import factories

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


@pytest.fixture
def admin(monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"token_login": "3/minute"})
    return factories.UserFactory(email="admin@staff.example.com", is_staff=True, is_superuser=True)


def sign_in(client, email, password):
    return client.post(reverse("admin:login"), {"username": email, "password": password, "next": "/admin/"})


def test_password_guessing_on_the_admin_is_slowed_down_per_address(client, admin):
    guesses = [sign_in(client, admin.email, f"guess {n}").status_code for n in range(3)]

    blocked = sign_in(client, admin.email, PASSWORD)

    assert guesses == [200, 200, 200]
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.content.decode()
    assert "_auth_user_id" not in client.session


def test_over_the_limit_the_password_is_not_checked(client, admin):
    for n in range(3):
        sign_in(client, admin.email, f"guess {n}")
    checked = []
    user_login_failed.connect(checked.append, dispatch_uid="count-checks")
    try:
        assert sign_in(client, admin.email, "another guess").status_code == 429
    finally:
        user_login_failed.disconnect(dispatch_uid="count-checks")
    assert checked == []


def test_the_admin_and_the_portal_share_one_counter(client, admin):
    for n in range(3):
        client.post(reverse("portal:signin"), {"username": admin.email, "password": f"guess {n}"})

    assert sign_in(client, admin.email, PASSWORD).status_code == 429


def test_another_address_signs_in_to_the_admin(client, admin):
    for n in range(3):
        sign_in(client, admin.email, f"guess {n}")

    response = client.post(
        reverse("admin:login"),
        {"username": admin.email, "password": PASSWORD, "next": "/admin/"},
        REMOTE_ADDR="198.51.100.20",
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(admin.pk)
