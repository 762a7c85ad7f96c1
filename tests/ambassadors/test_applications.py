"""The public application form: every rule of SPEC §3 and its answer."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from ambassadors.models import Application, ApplicationStatus, CampaignStatus
from ambassadors.recruitment.services import SocialIdentity, hash_ip, submit_application
from backend.errors import Conflict, Invalid
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def payload(**overrides):
    data = {
        "first_name": "Clara",
        "last_name": "Dupont",
        "email": "clara@example.com",
        "phone": "06 12 34 56 78",
        "address_line1": "12 rue de la Paix",
        "address_line2": "",
        "postal_code": "75002",
        "city": "Paris",
        "country": "FR",
        "motivation": "J'adore la marque et j'ai beaucoup d'amies.",
        "expected_guests": 12,
        "preferred_party_period": "Fin octobre",
        "accept_terms": True,
        "marketing_consent": True,
        "photo_consent": False,
        "social_network": "instagram",
        "social_handle": "@clara",
        "social_profile_url": "https://instagram.com/clara",
        "follower_count": 1500,
        "utm_source": "instagram",
        "utm_medium": "social",
        "utm_campaign": "aw26",
    }
    data.update(overrides)
    return data


def apply(api_client, campaign, **overrides):
    return api_client.post(
        f"/api/v1/public/campaigns/{campaign.slug}/applications/", payload(**overrides), format="json"
    )


def service_kwargs(campaign, **overrides):
    kwargs = {
        "campaign": campaign,
        "first_name": "Clara",
        "last_name": "Dupont",
        "email": "clara@example.com",
        "phone": "0612345678",
        "address_line1": "12 rue de la Paix",
        "address_line2": "",
        "postal_code": "75002",
        "city": "Paris",
        "country": "FR",
        "motivation": "",
        "expected_guests": 10,
        "preferred_party_period": "",
        "accept_terms": True,
        "marketing_consent": False,
        "photo_consent": False,
        "social": None,
        "utm": {},
        "ip_address": None,
        "language": "fr",
    }
    kwargs.update(overrides)
    return kwargs


def errors_of(response):
    body = response.json()
    return {(error["attr"], error["code"]) for error in body["errors"]}


def test_application_is_stored_normalised_with_consents_utm_and_hashed_ip(api_client):
    # given
    campaign = CampaignFactory()
    # when
    response = apply(
        api_client, campaign, email="  Clara.Dupont@Example.COM ", utm_term="x" * 100, REMOTE_ADDR="1.2.3.4"
    )
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"id", "status", "created_at"}
    application = Application.objects.get(pk=body["id"])
    assert application.email == "clara.dupont@example.com"
    assert str(application.phone) == "+33612345678"
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.terms_accepted_at is not None
    assert application.marketing_consent_at is not None
    assert application.photo_consent_at is None
    assert (application.utm_source, application.utm_medium, application.utm_campaign) == (
        "instagram",
        "social",
        "aw26",
    )
    assert application.social_network == "instagram"
    assert application.social_verified is False  # the plain form's identity is self-declared
    assert application.follower_count == 1500
    assert application.history.get().to_status == ApplicationStatus.SUBMITTED


def test_the_raw_ip_is_never_stored_only_its_salted_hash(api_client, settings):
    campaign = CampaignFactory()
    response = api_client.post(
        f"/api/v1/public/campaigns/{campaign.slug}/applications/",
        payload(),
        format="json",
        REMOTE_ADDR="203.0.113.9",
    )
    application = Application.objects.get(pk=response.json()["id"])
    assert application.ip_hash == hash_ip("203.0.113.9")
    assert "203.0.113.9" not in str(Application.objects.filter(pk=application.pk).values().get())
    settings.IP_HASH_SALT = "another salt"
    assert hash_ip("203.0.113.9") != application.ip_hash


def test_acknowledgement_email_is_sent_after_commit(api_client, django_capture_on_commit_callbacks):
    campaign = CampaignFactory(name="Automne-hiver 2026")
    with django_capture_on_commit_callbacks(execute=True):
        response = apply(api_client, campaign)
    assert response.status_code == 201
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["clara@example.com"]
    assert "Automne-hiver 2026" in mail.outbox[0].subject


@pytest.mark.django_db(transaction=True)
def test_no_email_leaves_when_the_transaction_rolls_back():
    from django.db import transaction

    campaign = CampaignFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        submit_application(**service_kwargs(campaign))
        raise RuntimeError("roll back")
    assert mail.outbox == []
    assert not Application.objects.exists()


def test_second_application_with_the_same_email_answers_409_and_duplicates_nothing(
    api_client, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory()
    assert apply(api_client, campaign).status_code == 201
    with django_capture_on_commit_callbacks() as callbacks:
        response = apply(api_client, campaign, email=" CLARA@example.com", phone="0698765432")
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "duplicate_application"
    assert Application.objects.count() == 1
    assert callbacks == []  # no second acknowledgement


def test_the_same_email_may_apply_to_another_campaign(api_client):
    assert apply(api_client, CampaignFactory()).status_code == 201
    assert apply(api_client, CampaignFactory()).status_code == 201


@pytest.mark.parametrize(
    ("opens", "closes", "status", "code"),
    [
        (1, 10, CampaignStatus.RECRUITING, "applications_not_open_yet"),
        (-10, -1, CampaignStatus.RECRUITING, "applications_closed"),
        (-1, 10, CampaignStatus.SELECTING, "campaign_not_recruiting"),
        (-1, 10, CampaignStatus.CLOSED, "campaign_not_recruiting"),
    ],
)
def test_a_campaign_outside_its_window_answers_with_the_reason(api_client, opens, closes, status, code):
    now = timezone.now()
    campaign = CampaignFactory(
        applications_open_at=now + timedelta(days=opens),
        applications_close_at=now + timedelta(days=closes),
        status=status,
    )
    response = apply(api_client, campaign)
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == code
    assert not Application.objects.exists()


def test_a_draft_campaign_is_not_found(api_client):
    campaign = CampaignFactory(status=CampaignStatus.DRAFT)
    assert apply(api_client, campaign).status_code == 404


def test_an_ineligible_country_answers_with_the_reason(api_client):
    campaign = CampaignFactory(eligible_countries=["FR", "BE"])
    response = apply(api_client, campaign, country="DE", phone="+4915123456789")
    assert response.status_code == 400
    assert errors_of(response) == {("country", "country_not_eligible")}
    assert "FR, BE" in response.json()["errors"][0]["detail"]
    assert not Application.objects.exists()


def test_phone_defaults_to_the_campaign_home_country_and_accepts_other_countries_in_international_form(
    api_client,
):
    campaign = CampaignFactory(eligible_countries=["BE", "FR"])
    response = apply(api_client, campaign, phone="0470 12 34 56", country="BE", postal_code="1000")
    assert response.status_code == 201, response.json()
    assert str(Application.objects.get().phone) == "+32470123456"
    response = apply(api_client, campaign, email="other@example.com", phone="+33 6 12 34 56 78")
    assert response.status_code == 201
    assert str(Application.objects.get(email="other@example.com").phone) == "+33612345678"


@pytest.mark.parametrize("phone", ["12", "not a phone", "06 12 34", "+33 1", "0012345678901234567"])
def test_an_invalid_phone_is_refused_on_its_field(api_client, phone):
    response = apply(api_client, CampaignFactory(), phone=phone)
    assert response.status_code == 400
    assert errors_of(response) == {("phone", "invalid_phone")}
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("first_name", "x" * 61, "max_length"),
        ("last_name", "", "blank"),
        ("email", "not-an-email", "invalid"),
        ("email", "a" * 250 + "@example.com", "max_length"),
        ("address_line1", "x" * 121, "max_length"),
        ("address_line2", "x" * 121, "max_length"),
        ("postal_code", "1" * 13, "max_length"),
        ("city", "x" * 81, "max_length"),
        ("country", "FRA", "max_length"),
        ("motivation", "x" * 1001, "max_length"),
        ("expected_guests", 0, "min_value"),
        ("expected_guests", 201, "max_value"),
        ("preferred_party_period", "x" * 101, "max_length"),
        ("accept_terms", False, "terms_required"),
        ("social_network", "myspace", "invalid_choice"),
        ("social_handle", "x" * 101, "max_length"),
        ("social_profile_url", "javascript:alert(1)", "invalid"),
        ("follower_count", -1, "min_value"),
        ("utm_source", "x" * 101, "max_length"),
    ],
)
def test_every_bad_field_is_refused_in_the_error_shape_and_writes_nothing(
    api_client, django_capture_on_commit_callbacks, field, value, code
):
    campaign = CampaignFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        response = apply(api_client, campaign, **{field: value})
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert (field, code) in errors_of(response)
    assert not Application.objects.exists()
    assert callbacks == []


def test_missing_required_fields_are_named(api_client):
    campaign = CampaignFactory()
    response = api_client.post(f"/api/v1/public/campaigns/{campaign.slug}/applications/", {}, format="json")
    assert response.status_code == 400
    missing = {attr for attr, code in errors_of(response) if code == "required"}
    assert {"first_name", "email", "phone", "address_line1", "postal_code", "accept_terms"} <= missing


def test_the_honeypot_refuses_the_submission_and_writes_nothing(
    api_client, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        response = apply(api_client, campaign, website="http://spam.example.com")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "rejected"
    assert not Application.objects.exists()
    assert callbacks == []


def test_applications_are_throttled_per_ip(api_client):
    from rest_framework.throttling import ScopedRateThrottle

    allowed, _period = ScopedRateThrottle().parse_rate(ScopedRateThrottle.THROTTLE_RATES["applications"])
    campaign = CampaignFactory()
    statuses = [
        apply(api_client, campaign, email=f"fan{i}@example.com").status_code for i in range(allowed + 1)
    ]
    assert statuses == [201] * allowed + [429]
    assert Application.objects.count() == allowed
    # another address is not affected
    other_ip = api_client.post(
        f"/api/v1/public/campaigns/{campaign.slug}/applications/",
        payload(email="other@example.com"),
        format="json",
        REMOTE_ADDR="198.51.100.7",
    )
    assert other_ip.status_code == 201


def test_the_public_campaign_read_shows_an_open_campaign_only(api_client):
    campaign = CampaignFactory(name="Automne-hiver", eligible_countries=["FR"])
    response = api_client.get(f"/api/v1/public/campaigns/{campaign.slug}/")
    assert response.status_code == 200
    assert response.json()["is_open"] is True
    assert response.json()["eligible_countries"] == ["FR"]
    assert "host_slots" not in response.json()
    draft = CampaignFactory(status=CampaignStatus.DRAFT)
    assert api_client.get(f"/api/v1/public/campaigns/{draft.slug}/").status_code == 404


def test_the_service_takes_a_verified_social_identity_from_a_social_sign_in():
    campaign = CampaignFactory()
    social = SocialIdentity(
        network="facebook",
        uid="1234567890",
        handle="clara.d",
        profile_url="https://facebook.com/clara.d",
        follower_count=None,
        verified=True,
    )
    application = submit_application(**service_kwargs(campaign, social=social))
    assert (application.social_network, application.social_uid, application.social_verified) == (
        "facebook",
        "1234567890",
        True,
    )


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"accept_terms": False}, "accept_terms", "terms_required"),
        ({"expected_guests": 0}, "expected_guests", "out_of_range"),
        ({"first_name": "   "}, "first_name", "required"),
        ({"motivation": "x" * 1001}, "motivation", "max_length"),
        ({"email": "nope"}, "email", "invalid_email"),
        ({"country": "US"}, "country", "country_not_eligible"),
    ],
)
def test_the_service_itself_refuses_bad_input_for_the_portal_form(overrides, field, code):
    with pytest.raises(Invalid) as raised:
        submit_application(**service_kwargs(CampaignFactory(), **overrides))
    assert (raised.value.field, raised.value.code) == (field, code)
    assert not Application.objects.exists()


def test_the_service_answers_conflict_for_a_duplicate():
    campaign = CampaignFactory()
    submit_application(**service_kwargs(campaign))
    with pytest.raises(Conflict):
        submit_application(**service_kwargs(campaign, email="CLARA@EXAMPLE.COM"))
    assert Application.objects.count() == 1
