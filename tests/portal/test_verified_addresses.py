"""An address is verified when a one-time link sent to it is used, and only a verified one identifies."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from ambassadors.hosts.signin import signin_path_for
from ambassadors.recruitment.selection import select_application
from backend.verified_addresses import mark_email_verified, user_with_verified_email
from tests.factories import ApplicationFactory, HostFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def verified(user) -> list[tuple[str, bool]]:
    return list(EmailAddress.objects.filter(user=user, verified=True).values_list("email", "primary"))


def test_signing_in_with_the_invitation_link_proves_the_address(client):
    host = select_application(application=ApplicationFactory(email="lea@example.com"), by=None)
    assert verified(host.user) == []

    assert client.get(signin_path_for(host.user)).status_code == 302

    assert verified(host.user) == [("lea@example.com", True)]
    assert user_with_verified_email("Lea@Example.com ") == host.user


def test_a_link_sent_before_the_address_changed_proves_nothing(client):
    host = HostFactory()
    link = signin_path_for(host.user)
    host.user.email = "changed@example.com"  # e.g. by staff in the admin
    host.user.save()

    assert client.get(link).status_code == 400
    assert not EmailAddress.objects.filter(verified=True).exists()


def test_choosing_a_password_through_the_reset_link_proves_the_address(client):
    host = HostFactory()
    client.post(reverse("portal:password-reset"), {"email": host.user.email})
    link = re.search(r"http://testserver(/password/reset/\S+/)", mail.outbox[-1].body).group(1)
    form_page = client.get(link, follow=True)
    assert verified(host.user) == []  # opening it is not enough: the new password must be set

    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-new-Secret-42", "new_password2": "a-new-Secret-42"},
    )

    assert verified(host.user) == [(host.user.email, True)]


def test_an_address_proven_by_another_account_is_left_with_it():
    # given staff gave one account, as a second proven address, another account's sign-in address
    owner = UserFactory(email="owner@example.com")
    EmailAddress.objects.create(user=owner, email="shared@example.com", verified=True)
    holder = UserFactory(email="shared@example.com")

    assert mark_email_verified(user=holder) is False
    assert user_with_verified_email("shared@example.com") == owner
    assert verified(holder) == []


@pytest.mark.parametrize("path", ["api", "portal"])
def test_an_address_merely_listed_on_an_account_does_not_sign_into_it(client, api_client, path):
    # given a staff account that lists a second address nobody proved (as allauth's e-mail page allowed)
    user = UserFactory(email="staff@example.com")
    user.groups.add(Group.objects.get(name="marketing"))
    EmailAddress.objects.create(user=user, email="listed@example.com", verified=False)

    # when someone signs in with that address and the account's password
    if path == "api":
        response = api_client.post(
            "/api/v1/auth/token/", {"email": "listed@example.com", "password": PASSWORD}
        )
        # then it is refused: only the account's own address is its sign-in name
        assert response.status_code == 401
    else:
        client.post(reverse("portal:signin"), {"username": "listed@example.com", "password": PASSWORD})
        assert "_auth_user_id" not in client.session
