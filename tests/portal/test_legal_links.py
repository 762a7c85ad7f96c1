"""Every form that asks consent links the programme terms and the privacy notice."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

TERMS = "https://brand.example.com/terms"
PRIVACY = "https://brand.example.com/privacy"


def consent_pages(client, campaign) -> dict[str, str]:
    host = factories.HostFactory(application__campaign=campaign)
    party = factories.PartyFactory(host=host, campaign=campaign)
    pages = {
        "application form": client.get(reverse("portal:apply", kwargs={"slug": campaign.slug})),
        "guest registration": client.get(f"/p/{party.public_token}/"),
    }
    client.force_login(host.user)
    pages["host adds a guest"] = client.get(f"/portal/parties/{party.pk}/")
    return {name: page.content.decode() for name, page in pages.items()}


def test_a_campaigns_own_terms_and_privacy_notice_are_linked_from_every_consent(client, settings):
    settings.PROGRAMME_TERMS_URL = "https://programme.example.com/terms"
    campaign = factories.CampaignFactory(terms_url=TERMS, privacy_url=PRIVACY)
    for name, html in consent_pages(client, campaign).items():
        assert f'href="{TERMS}"' in html, name
        assert f'href="{PRIVACY}"' in html, name


def test_without_its_own_a_campaign_links_the_programme_wide_ones(client, settings):
    settings.PROGRAMME_TERMS_URL = "https://programme.example.com/terms"
    settings.PRIVACY_NOTICE_URL = "https://programme.example.com/privacy"
    client.cookies["django_language"] = "fr"
    for name, html in consent_pages(client, factories.CampaignFactory()).items():
        assert 'href="https://programme.example.com/terms"' in html, name
        assert 'href="https://programme.example.com/privacy"' in html, name
        assert "Règlement du programme" in html and "Politique de confidentialité" in html, name


def test_marketing_sets_a_campaigns_links_through_the_api(marketing_client):
    campaign = factories.CampaignFactory()
    response = marketing_client.patch(
        f"/api/v1/campaigns/{campaign.pk}/", {"terms_url": TERMS, "privacy_url": "not a url"}, format="json"
    )
    assert response.status_code == 400
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [("privacy_url", "invalid")]
    response = marketing_client.patch(
        f"/api/v1/campaigns/{campaign.pk}/", {"terms_url": TERMS, "privacy_url": PRIVACY}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["terms_url"], response.json()["privacy_url"]) == (TERMS, PRIVACY)
