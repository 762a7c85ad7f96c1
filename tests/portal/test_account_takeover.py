"""Host takeover through an unverified e-mail, attempted as an attacker would, through the pages.

The attack: a host adds the victim's address to their own account and makes it primary on allauth's
e-mail page; when marketing selects the victim, selection reused "whichever user has that e-mail",
so the attacker's account received the victim's host record (home address, phone) and the victim's
invitation link signed the victim into the attacker's account. Two defences, each proven alone:
allauth's account pages are not routed, and only a verified address identifies a person.
"""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from ambassadors.models import Host
from ambassadors.recruitment.selection import select_application
from tests.factories import ApplicationFactory, CampaignFactory, HostFactory

PASSWORD = "correct horse battery staple"
VICTIM = "victim@example.com"


@pytest.fixture
def attacker(client, db) -> Host:
    """A host of a campaign, signed in through the portal with a password of their own."""
    host = HostFactory()
    host.user.set_password(PASSWORD)
    host.user.save()
    signed_in = client.post(reverse("portal:signin"), {"username": host.user.email, "password": PASSWORD})
    assert signed_in.status_code == 302
    return host


def claim_the_victims_address(client) -> list[int]:
    """allauth's e-mail page: add an address, then make it the primary one (what the attacker did)."""
    return [
        client.post("/accounts/email/", {"action_add": "", "email": VICTIM}).status_code,
        client.post("/accounts/email/", {"action_primary": "", "email": VICTIM}).status_code,
    ]


def test_the_email_page_is_not_there_and_the_victim_gets_an_account_of_their_own(
    client, attacker, marketing_user, django_capture_on_commit_callbacks
):
    # when the attacker goes for allauth's e-mail page
    assert client.get("/accounts/email/").status_code == 404
    assert claim_the_victims_address(client) == [404, 404]

    # then their account holds nothing of the victim's
    attacker.user.refresh_from_db()
    assert attacker.user.email != VICTIM
    assert not EmailAddress.objects.filter(email=VICTIM).exists()

    # and the victim, selected for the attacker's own campaign, becomes a host on an account of their own
    victim_application = ApplicationFactory(campaign=attacker.campaign, email=VICTIM)
    with django_capture_on_commit_callbacks(execute=True):
        victim = select_application(application=victim_application, by=marketing_user)
    assert victim.user != attacker.user and victim.user.email == VICTIM
    assert list(attacker.user.hostings.all()) == [attacker]
    assert mail.outbox[-1].to == [VICTIM]


@pytest.mark.urls("tests.portal.allauth_pages_urls")
@pytest.mark.parametrize("victims_campaign", ["another campaign", "the attacker's campaign"])
def test_with_the_email_page_reachable_the_typed_address_still_identifies_nobody(
    client, attacker, marketing_client, victims_campaign, django_capture_on_commit_callbacks
):
    # given allauth's e-mail page reachable, as it was: the attacker claims the victim's address
    assert [status for status in claim_the_victims_address(client) if status >= 400] == []
    attacker.user.refresh_from_db()
    assert attacker.user.email == VICTIM  # the page let them; the address is not verified
    assert not EmailAddress.objects.filter(email=VICTIM, verified=True).exists()

    # when marketing selects the victim's application
    campaign = attacker.campaign if victims_campaign == "the attacker's campaign" else CampaignFactory()
    victim_application = ApplicationFactory(campaign=campaign, email=VICTIM)
    with django_capture_on_commit_callbacks(execute=True):
        response = marketing_client.post(f"/api/v1/applications/{victim_application.pk}/select/", {})

    # then a clear 409 (never a 500): the attacker's account receives no host record, no invitation leaves
    assert response.status_code == 409, response.content
    assert response.json()["errors"][0]["code"] == "email_not_verified"
    assert list(attacker.user.hostings.all()) == [attacker]
    assert not Host.objects.filter(application=victim_application).exists()
    assert not [message for message in mail.outbox if "/signin/link/" in message.body]
