"""Password changes: the current password is asked for, and API tokens die with the old password."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from backend.models import User
from tests.factories import HostFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a-new-Secret-42"


def new_password(**extra: str) -> dict[str, str]:
    return {"password-new_password1": NEW_PASSWORD, "password-new_password2": NEW_PASSWORD, **extra}


@pytest.mark.parametrize("current", [None, "a wrong guess"])
def test_changing_a_password_in_the_portal_asks_for_the_current_one(client, current):
    # given a host who has a password, signed in (e.g. on a computer left open)
    host = HostFactory()
    host.user.set_password(PASSWORD)
    host.user.save()
    client.force_login(host.user)
    assert 'name="password-old_password"' in client.get(reverse("portal:profile")).content.decode()

    # when a new one is sent without the current password, or with a wrong one
    page = client.post(
        reverse("portal:profile"), new_password(**({"password-old_password": current} if current else {}))
    )

    # then it is refused beside the field, and the password stays
    assert page.status_code == 400
    html = page.content.decode()
    block = html[html.index('for="id_password-old_password"') :]
    assert "errorlist" in block[: block.index("</div>")]
    host.user.refresh_from_db()
    assert host.user.check_password(PASSWORD)


def test_with_the_current_password_the_change_goes_through(client):
    host = HostFactory()
    host.user.set_password(PASSWORD)
    host.user.save()
    client.force_login(host.user)

    saved = client.post(reverse("portal:profile"), new_password(**{"password-old_password": PASSWORD}))

    assert saved.status_code == 302
    assert "Your password is changed." in client.get(saved["Location"]).content.decode()
    host.user.refresh_from_db()
    assert host.user.check_password(NEW_PASSWORD)


def test_a_host_without_a_password_chooses_a_first_one_without_being_asked_for_one(client):
    host = HostFactory()  # selected hosts have no usable password
    client.force_login(host.user)
    assert 'name="password-old_password"' not in client.get(reverse("portal:profile")).content.decode()

    assert client.post(reverse("portal:profile"), new_password()).status_code == 302

    host.user.refresh_from_db()
    assert host.user.check_password(NEW_PASSWORD)


# --- staff API tokens die with the password -------------------------------------------------------


def change_in_the_portal(user: User) -> None:
    client = Client()
    client.force_login(user)
    saved = client.post(reverse("portal:profile"), new_password(**{"password-old_password": PASSWORD}))
    assert saved.status_code == 302, saved.content


def change_in_the_admin(user: User) -> None:
    client = Client()
    client.force_login(UserFactory(email="root@staff.example.com", is_staff=True, is_superuser=True))
    saved = client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert saved.status_code == 302, saved.content


def change_through_a_reset_link(user: User) -> None:
    client = Client()
    client.post(reverse("portal:password-reset"), {"email": user.email})
    link = re.search(r"http://testserver(/password/reset/\S+/)", mail.outbox[-1].body).group(1)
    form_page = client.get(link, follow=True)
    saved = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert saved.status_code == 302


@pytest.mark.parametrize("change", [change_in_the_portal, change_in_the_admin, change_through_a_reset_link])
def test_a_staff_token_dies_when_its_owners_password_changes(change):
    # given a marketing member (who also hosts) using the API with a token, and a colleague with theirs
    member = HostFactory().user
    member.set_password(PASSWORD)
    member.save()
    colleague = UserFactory(email="colleague@staff.example.com")
    for user in (member, colleague):
        user.groups.add(Group.objects.get(name="marketing"))

    def token_of(user: User) -> APIClient:
        login = APIClient().post("/api/v1/auth/token/", {"email": user.email, "password": PASSWORD})
        assert login.status_code == 201, login.json()
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {login.json()['token']}")
        return api

    members_api, colleagues_api = token_of(member), token_of(colleague)
    assert members_api.get("/api/v1/applications/").status_code == 200

    # when the member's password changes
    change(member)

    # then their token is refused, their colleague's still works
    refused = members_api.get("/api/v1/applications/")
    assert refused.status_code == 401
    assert refused.json()["type"] == "client_error"
    assert not AuthToken.objects.filter(user=member).exists()
    assert colleagues_api.get("/api/v1/applications/").status_code == 200
