"""Friction a fan meets on the application form: the network limit, the phone's country, postal
codes of the address's country, and every error in one round."""

import pytest
from rest_framework.throttling import SimpleRateThrottle

from ambassadors.models import Application
from tests.factories import CampaignFactory
from tests.portal.test_apply_page import VALID, url


@pytest.fixture
def campaign(db):
    # a French campaign that also recruits in Belgium (FR is the home country)
    return CampaignFactory(eligible_countries=["FR", "BE"])


def test_refused_forms_do_not_count_against_the_network_limit(client, campaign, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"applications": "2/hour"})
    # given many fans behind one carrier address sending forms with mistakes
    for n in range(5):
        refused = client.post(url(campaign), {**VALID, "email": f"fan{n}@example.com", "phone": "12"})
        assert refused.status_code == 400
    # then accepted applications are still welcome up to the limit
    for n in range(2):
        assert client.post(url(campaign), {**VALID, "email": f"ok{n}@example.com"}).status_code == 302
    assert Application.objects.count() == 2


def test_a_throttled_form_keeps_everything_typed(client, campaign, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"applications": "1/hour"})
    assert client.post(url(campaign), {**VALID, "email": "first@example.com"}).status_code == 302

    page = client.post(url(campaign), {**VALID, "email": "second@example.com", "city": "Villeurbanne"})

    html = page.content.decode()
    assert page.status_code == 429
    assert "Too many applications from your network" in html
    for typed in ('value="second@example.com"', 'value="Villeurbanne"', 'value="Zoë"', 'value="69003"'):
        assert typed in html
    assert "I love hosting." in html  # the motivation text area too
    assert Application.objects.count() == 1


def test_a_national_number_is_read_in_the_country_of_the_address(client, campaign):
    sent = client.post(
        url(campaign),
        {**VALID, "phone": "0470 12 34 56", "country": "BE", "postal_code": "1000", "city": "Bruxelles"},
    )
    assert sent.status_code == 302, sent.content.decode()[:2000]
    assert str(Application.objects.get().phone) == "+32470123456"


def test_the_api_reads_a_national_number_in_the_country_of_the_address(api_client, campaign):
    from tests.ambassadors.test_applications import apply

    response = apply(api_client, campaign, phone="0470 12 34 56", country="BE", postal_code="1000")
    assert response.status_code == 201, response.json()
    assert str(Application.objects.get().phone) == "+32470123456"


@pytest.mark.parametrize(
    ("country", "postal_code"), [("FR", "ABCDE"), ("FR", "1000"), ("BE", "75011"), ("BE", "10 000")]
)
def test_a_postal_code_must_have_the_form_of_its_country(client, campaign, country, postal_code):
    page = client.post(url(campaign), {**VALID, "country": country, "postal_code": postal_code})

    html = page.content.decode()
    assert page.status_code == 400
    block = html[html.index('for="id_postal_code"') - 60 : html.index('name="city"')]
    assert "has-error" in block
    assert "Enter a postal code of this country" in block
    assert not Application.objects.exists()


def test_the_form_reports_every_field_error_in_one_round(client, campaign):
    client.cookies["django_language"] = "fr"
    page = client.post(url(campaign), {**VALID, "phone": "12", "postal_code": "ABCDE", "city": ""})

    html = page.content.decode()
    assert page.status_code == 400
    assert "Saisissez un numéro de téléphone valide." in html
    assert "Saisissez un code postal de ce pays, par ex." in html
    city_block = html[html.index('for="id_city"') - 60 : html.index('name="country"')]
    assert "has-error" in city_block
    assert not Application.objects.exists()


def test_the_api_reports_every_rule_error_in_one_round(api_client, campaign):
    # (the serializer's format errors already come together; these are the service's rules)
    from tests.ambassadors.test_applications import apply, errors_of

    response = apply(
        api_client, campaign, phone="12", postal_code="ABCDE", first_name="Zo\u202ee", accept_terms=False
    )

    assert response.status_code == 400
    assert errors_of(response) == {
        ("phone", "invalid_phone"),
        ("postal_code", "invalid_postal_code"),
        ("first_name", "invisible_character"),
        ("accept_terms", "terms_required"),
    }
    assert not Application.objects.exists()
