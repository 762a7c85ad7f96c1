"""Social sign-in is offered only where the brand has set a provider up (pages and the invitation)."""

import pytest
from allauth.socialaccount.models import SocialApp
from django.core import mail
from django.urls import reverse

from ambassadors.recruitment.selection import select_application
from tests.factories import ApplicationFactory, CampaignFactory

PROMISES = ("social account", "compte social")


def pages(client, campaign) -> dict[str, str]:
    urls = {
        "apply": reverse("portal:apply", kwargs={"slug": campaign.slug}),
        "signin": reverse("portal:signin"),
    }
    return {name: client.get(url).content.decode() for name, url in urls.items()}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_no_page_promises_social_sign_in_while_no_provider_is_set_up(client, db, language):
    client.cookies["django_language"] = language
    for name, html in pages(client, CampaignFactory()).items():
        assert not any(promise in html for promise in PROMISES), name
        assert "Continue with" not in html and "Continuer avec" not in html, name


def test_pages_offer_social_sign_in_once_a_provider_is_set_up(client, db):
    SocialApp.objects.create(provider="tiktok", name="TikTok", client_id="key", secret="secret")
    for name, html in pages(client, CampaignFactory()).items():
        assert "social account" in html, name
        assert "Continue with TikTok" in html, name


def invitation_for(*, social_network: str, social_verified: bool, capture) -> str:
    application = ApplicationFactory(social_network=social_network, social_verified=social_verified)
    with capture(execute=True):
        select_application(application=application, by=None)
    (message,) = [m for m in mail.outbox if application.email in m.to]
    return message.body


def test_the_invitation_promises_social_sign_in_only_for_a_set_up_network(
    db, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    body = invitation_for(social_network="tiktok", social_verified=True, capture=capture)
    assert "social account" not in body
    assert "ask for a new link from the sign-in page" in body

    SocialApp.objects.create(provider="tiktok", name="TikTok", client_id="key", secret="secret")
    body = invitation_for(social_network="tiktok", social_verified=True, capture=capture)
    assert "same social account you applied with" in body
    # a fan who typed her handle by hand never proved that account: no promise
    body = invitation_for(social_network="tiktok", social_verified=False, capture=capture)
    assert "social account" not in body
