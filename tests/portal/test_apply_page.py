"""The public campaign page and its application form (the plain path)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from ambassadors.models import Application
from tests.factories import ApplicationFactory, CampaignFactory

VALID = {
    "first_name": "Zoë",
    "last_name": "Łukasiewicz-Nuñez",
    "email": "  Zoe@Example.COM ",
    "phone": "06 12 34 56 78",
    "address_line1": "3 rue des Lilas",
    "postal_code": "69003",
    "city": "Lyon",
    "country": "FR",
    "social_network": "instagram",
    "social_handle": "zoe.hosts",
    "follower_count": "1200",
    "motivation": "I love hosting.",
    "expected_guests": "15",
    "preferred_party_period": "November",
    "accept_terms": "on",
    "photo_consent": "on",
    "utm_source": "instagram",
    "utm_campaign": "aw26",
}


@pytest.fixture
def campaign(db):
    return CampaignFactory(eligible_countries=["FR", "BE"])


def url(campaign) -> str:
    return reverse("portal:apply", kwargs={"slug": campaign.slug})


def test_the_campaign_page_shows_the_campaign_and_its_form(client, campaign):
    page = client.get(url(campaign) + "?utm_source=tiktok&utm_medium=story")

    html = page.content.decode()
    assert page.status_code == 200
    assert campaign.name in html
    for name in ("first_name", "email", "phone", "postal_code", "accept_terms", "marketing_consent"):
        assert f'name="{name}"' in html
    assert 'name="utm_source" value="tiktok"' in html  # the landing utm values ride along


def test_a_draft_campaign_is_not_public(client, db):
    assert client.get(url(CampaignFactory(status="draft"))).status_code == 404


def test_a_closed_campaign_says_so_and_shows_no_form(client, db):
    campaign = CampaignFactory(
        applications_close_at=timezone.now() - timedelta(minutes=1),
        applications_open_at=timezone.now() - timedelta(days=5),
    )

    html = client.get(url(campaign)).content.decode()

    assert "Applications for this campaign are closed." in html
    assert 'name="email"' not in html


def test_a_posted_application_is_recorded_with_its_consents_and_utm(
    client, campaign, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(url(campaign), VALID)

    assert sent.status_code == 302
    assert sent["Location"] == reverse("portal:apply-thanks", kwargs={"slug": campaign.slug})
    application = Application.objects.get()
    assert application.email == "zoe@example.com"
    assert str(application.phone) == "+33612345678"
    assert (application.social_network, application.social_handle) == ("instagram", "zoe.hosts")
    assert application.follower_count == 1200 and application.social_verified is False
    assert application.terms_accepted_at and application.photo_consent_at
    assert application.marketing_consent_at is None
    assert (application.utm_source, application.utm_campaign) == ("instagram", "aw26")
    assert application.language == "en"
    assert len(mail.outbox) == 1
    thanks = client.get(sent["Location"]).content.decode()
    assert "Thank you!" in thanks


def test_a_bad_phone_is_reported_beside_the_phone_field_and_nothing_is_written(client, campaign):
    page = client.post(url(campaign), {**VALID, "phone": "12"})

    html = page.content.decode()
    assert page.status_code == 400
    phone_block = html[html.index('for="id_phone"') - 60 : html.index('name="address_line1"')]
    assert "has-error" in phone_block
    assert "Enter a valid phone number" in phone_block
    assert 'value="Zoë"' in html  # what was typed is kept
    assert not Application.objects.exists()


def test_missing_terms_are_reported_beside_the_consent(client, campaign):
    data = dict(VALID)
    del data["accept_terms"]

    html = client.post(url(campaign), data).content.decode()

    consent_block = html[html.index('id="id_accept_terms"') : html.index('name="marketing_consent"')]
    assert "This field is required." in consent_block
    assert not Application.objects.exists()


def test_an_ineligible_country_is_refused_by_the_form(client, campaign):
    page = client.post(url(campaign), {**VALID, "country": "DE"})

    assert page.status_code == 400
    assert not Application.objects.exists()


def test_a_second_application_with_the_same_email_answers_409_and_duplicates_nothing(client, campaign):
    ApplicationFactory(campaign=campaign, email="zoe@example.com")

    page = client.post(url(campaign), VALID)

    assert page.status_code == 409
    assert "already applied" in page.content.decode()
    assert Application.objects.count() == 1


def test_every_length_is_bounded(client, campaign):
    page = client.post(url(campaign), {**VALID, "motivation": "x" * 1001, "city": "y" * 81})

    assert page.status_code == 400
    assert page.content.decode().count("has-error") == 2
    assert not Application.objects.exists()


def test_the_honeypot_keeps_nothing_but_looks_like_success(client, campaign):
    sent = client.post(url(campaign), {**VALID, "website": "http://spam.example"})

    assert sent.status_code == 302
    assert not Application.objects.exists() and not mail.outbox


def test_too_many_applications_from_one_address_answer_429(client, campaign, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"applications": "2/hour"})
    for n in range(2):
        assert client.post(url(campaign), {**VALID, "email": f"fan{n}@example.com"}).status_code == 302

    third = client.post(url(campaign), {**VALID, "email": "fan3@example.com"})

    assert third.status_code == 429
    assert Application.objects.count() == 2


def test_the_page_speaks_french_with_errors_in_french(client, campaign):
    client.cookies["django_language"] = "fr"

    page = client.post(url(campaign), {**VALID, "phone": "12"})

    html = page.content.decode()
    assert '<html lang="fr">' in html
    assert "Envoyer ma candidature" in html
    assert "Saisissez un numéro de téléphone valide" in html


def test_the_campaign_page_reads_a_fixed_number_of_queries(client, campaign, django_assert_num_queries):
    with django_assert_num_queries(2):  # the campaign, the configured social apps
        client.get(url(campaign))
    ApplicationFactory.create_batch(30, campaign=campaign)
    with django_assert_num_queries(2):
        client.get(url(campaign))


def test_a_form_sent_after_the_window_closed_answers_409_with_the_reason(client, db):
    campaign = CampaignFactory(
        applications_open_at=timezone.now() - timedelta(days=5),
        applications_close_at=timezone.now() - timedelta(minutes=1),
    )

    page = client.post(url(campaign), VALID)

    assert page.status_code == 409
    assert "Applications for this campaign are closed." in page.content.decode()
    assert not Application.objects.exists()
