"""Guests: added by the host or self-registered on the public page; bookings; withdrawal."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from ambassadors.models import Application, ApplicationStatusChange, Guest
from ambassadors.parties import services
from tests import factories

pytestmark = pytest.mark.django_db


def error_of(response):
    return response.json()["errors"][0]


@pytest.fixture
def party(host):
    return factories.PartyFactory(host=host, title="Knitwear night")


# --- added by the host -------------------------------------------------------------------------


def test_host_adds_a_guest_with_a_normalised_email_and_e164_phone(party, host_client):
    response = host_client.post(
        f"/api/v1/parties/{party.pk}/guests/",
        {
            "first_name": " Lou ",
            "email": "  Lou.Martin@Example.COM ",
            "phone": "06 12 34 56 78",
            "guest_agreed": True,
        },
    )

    assert response.status_code == 201, response.json()
    guest = Guest.objects.get()
    assert (guest.first_name, guest.email, str(guest.phone), guest.source) == (
        "Lou",
        "lou.martin@example.com",
        "+33612345678",
        "host",
    )
    assert response.json()["email"] == "lou.martin@example.com"  # the host sees their own guests in clear


def test_a_phone_alone_is_enough_for_a_host_added_guest(party, host_client):
    response = host_client.post(
        f"/api/v1/parties/{party.pk}/guests/",
        {"first_name": "Lou", "phone": "+32 470 12 34 56", "guest_agreed": True},
    )
    assert response.status_code == 201
    assert Guest.objects.get().email == ""


def test_a_host_added_guest_needs_an_email_or_a_phone(party, host_client):
    response = host_client.post(
        f"/api/v1/parties/{party.pk}/guests/", {"first_name": "Lou", "guest_agreed": True}
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "contact_required"
    assert not Guest.objects.exists()


def test_the_host_must_confirm_the_guest_agreed(party, host_client):
    response = host_client.post(
        f"/api/v1/parties/{party.pk}/guests/",
        {"first_name": "Lou", "email": "lou@example.com", "guest_agreed": False},
    )
    assert response.status_code == 400
    assert error_of(response)["attr"] == "guest_agreed"
    assert not Guest.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("email", "not-an-email"), ("phone", "12"), ("phone", "+33 1"), ("first_name", "x" * 61)],
)
def test_bad_guest_input_is_refused_on_its_field(party, host_client, field, value):
    payload = {"first_name": "Lou", "email": "lou@example.com", "guest_agreed": True, field: value}
    response = host_client.post(f"/api/v1/parties/{party.pk}/guests/", payload)
    assert response.status_code == 400
    assert error_of(response)["attr"] == field
    assert not Guest.objects.exists()


def test_one_guest_per_email_per_party_whatever_the_case(party, host_client):
    payload = {"first_name": "Lou", "email": "lou@example.com", "guest_agreed": True}
    assert host_client.post(f"/api/v1/parties/{party.pk}/guests/", payload).status_code == 201

    response = host_client.post(
        f"/api/v1/parties/{party.pk}/guests/", {**payload, "email": " LOU@example.com"}
    )
    assert response.status_code == 409
    assert error_of(response)["code"] == "guest_already_registered"
    assert Guest.objects.count() == 1


def test_the_same_email_may_be_a_guest_of_two_parties(host, party):
    other = factories.PartyFactory(host=host)
    for p in (party, other):
        services.add_guest(
            party=p, by=host.user, first_name="Lou", email="lou@example.com", guest_agreed=True
        )
    assert Guest.objects.filter(email="lou@example.com").count() == 2


def test_guest_list_is_bounded_per_party(party, host_client, settings):
    settings.PARTY_MAX_GUESTS = 2
    for n in range(2):
        payload = {"first_name": "G", "email": f"g{n}@example.com", "guest_agreed": True}
        assert host_client.post(f"/api/v1/parties/{party.pk}/guests/", payload).status_code == 201

    response = host_client.post(
        f"/api/v1/parties/{party.pk}/guests/",
        {"first_name": "G", "email": "g3@example.com", "guest_agreed": True},
    )
    assert response.status_code == 409
    assert error_of(response)["code"] == "guest_list_full"
    assert response.json()["extra"] == {"max_guests": 2}
    assert Guest.objects.count() == 2


@pytest.mark.parametrize("status", ["cancelled", "closed"])
def test_no_guest_joins_a_cancelled_or_closed_party(host, host_client, status):
    party = factories.PartyFactory(host=host, status=status)
    response = host_client.post(
        f"/api/v1/parties/{party.pk}/guests/",
        {"first_name": "Lou", "email": "lou@example.com", "guest_agreed": True},
    )
    assert response.status_code == 409
    assert error_of(response)["code"] == "guest_list_closed"


def test_host_removes_a_guest(party, host_client):
    guest = factories.GuestFactory(party=party)
    assert host_client.delete(f"/api/v1/parties/{party.pk}/guests/{guest.pk}/").status_code == 204
    assert not Guest.objects.exists()


# --- the public page ----------------------------------------------------------------------------


def register(api_client, party, **overrides):
    payload = {
        "first_name": "Nina",
        "last_name": "Roux",
        "email": "Nina@Example.com ",
        "phone": "",
        "accept_terms": True,
        "marketing_consent": False,
        "wants_to_host": False,
    }
    payload.update(overrides)
    return api_client.post(f"/api/v1/public/parties/{party.public_token}/guests/", payload)


def test_public_party_shows_what_a_guest_needs_and_no_more(api_client, party):
    response = api_client.get(f"/api/v1/public/parties/{party.public_token}/")
    assert response.status_code == 200
    assert response.json() == {
        "title": "Knitwear night",
        "starts_at": party.starts_at.isoformat().replace("+00:00", "Z"),
        "city": "Lyon",
        "host_first_name": "Clara",
        "campaign_name": party.campaign.name,
        "registration_open": True,
    }


def test_unknown_public_token_is_404(api_client):
    assert api_client.get("/api/v1/public/parties/nope/").status_code == 404
    assert register(api_client, factories.PartyFactory.build(public_token="nope")).status_code == 404


def test_guest_self_registers_with_consents_and_gets_a_withdrawal_link(
    api_client, party, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = register(api_client, party, marketing_consent=True)

    assert response.status_code == 201, response.json()
    assert response.json() == {"first_name": "Nina", "booked": False}
    guest = Guest.objects.get()
    assert (guest.email, guest.source, guest.wants_to_host) == ("nina@example.com", "self", False)
    assert guest.consent_at is not None and guest.marketing_consent_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nina@example.com"]
    assert "Knitwear night" in message.subject
    assert f"/p/withdraw/{guest.withdrawal_token}/" in message.body


def test_registration_needs_the_terms_accepted_and_writes_nothing_otherwise(api_client, party):
    response = register(api_client, party, accept_terms=False)
    assert response.status_code == 400
    assert error_of(response)["attr"] == "accept_terms"
    assert not Guest.objects.exists()
    assert mail.outbox == []


def test_registration_needs_an_email(api_client, party):
    response = register(api_client, party, email="")
    assert response.status_code == 400
    assert error_of(response)["attr"] == "email"


def test_a_second_registration_with_the_same_email_is_a_409(api_client, party):
    assert register(api_client, party).status_code == 201
    response = register(api_client, party, email="nina@EXAMPLE.com")
    assert response.status_code == 409
    assert Guest.objects.count() == 1


def test_registration_is_throttled(api_client, party, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "guest_registration": "2/hour",
        },
    }
    from rest_framework.throttling import ScopedRateThrottle

    ScopedRateThrottle.THROTTLE_RATES = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    try:
        statuses = [register(api_client, party, email=f"n{n}@example.com").status_code for n in range(3)]
    finally:
        from rest_framework.settings import api_settings

        ScopedRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    assert statuses == [201, 201, 429]
    assert Guest.objects.count() == 2


def test_registration_is_closed_on_a_cancelled_party(api_client, host):
    party = factories.PartyFactory(host=host, status="cancelled")
    response = register(api_client, party)
    assert response.status_code == 409
    assert (
        api_client.get(f"/api/v1/public/parties/{party.public_token}/").json()["registration_open"] is False
    )


# --- bookings -----------------------------------------------------------------------------------


def test_i_would_like_to_host_creates_an_application_for_the_next_open_campaign_linked_to_the_party(
    api_client, party
):
    later = factories.CampaignFactory(applications_close_at=timezone.now() + timedelta(days=60))
    sooner = factories.CampaignFactory(applications_close_at=timezone.now() + timedelta(days=10))
    party.campaign.status = "running"
    party.campaign.save()

    response = register(api_client, party, wants_to_host=True, phone="06 11 22 33 44")

    assert response.status_code == 201
    assert response.json()["booked"] is True
    application = Application.objects.get(booked_from_party=party)
    assert application.campaign == sooner != later
    assert (application.email, application.first_name, str(application.phone), application.status) == (
        "nina@example.com",
        "Nina",
        "+33611223344",
        "submitted",
    )
    assert Guest.objects.get().booked_application == application
    change = ApplicationStatusChange.objects.get(application=application)
    assert (change.from_status, change.to_status, change.reason) == (
        "",
        "submitted",
        f"booked at party #{party.pk}",
    )


def test_a_booking_never_duplicates_an_existing_application(api_client, party):
    existing = factories.ApplicationFactory(campaign=party.campaign, email="nina@example.com")
    response = register(api_client, party, wants_to_host=True)
    assert response.status_code == 201
    assert Application.objects.filter(email="nina@example.com").count() == 1
    existing.refresh_from_db()
    assert existing.booked_from_party is None
    guest = Guest.objects.get()
    assert guest.wants_to_host is True and guest.booked_application is None


def test_without_a_recruiting_campaign_the_guest_is_kept_with_the_wish(api_client, party):
    party.campaign.status = "running"
    party.campaign.save()
    response = register(api_client, party, wants_to_host=True)
    assert response.status_code == 201
    assert not Application.objects.filter(email="nina@example.com").exists()
    assert Guest.objects.get().wants_to_host is True


def test_marketing_sees_the_applications_booked_from_a_party(api_client, party, marketing_client):
    register(api_client, party, wants_to_host=True)
    body = marketing_client.get(f"/api/v1/parties/{party.pk}/").json()
    application = Application.objects.get(booked_from_party=party)
    assert body["booked_applications"] == [
        {
            "id": application.pk,
            "campaign": application.campaign.slug,
            "status": "submitted",
            "created_at": application.created_at.isoformat().replace("+00:00", "Z"),
        }
    ]


# --- withdrawal ---------------------------------------------------------------------------------


def test_a_guest_withdraws_through_the_link_and_their_data_is_erased(
    client, party, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.add_guest(
            party=party, by=party.host.user, first_name="Lou", email="lou@example.com", guest_agreed=True
        )
    link = re.search(r"https?://\S+/p/withdraw/\S+/", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[1]

    page = client.get(path)
    assert page.status_code == 200
    assert "Knitwear night" in page.content.decode()
    assert Guest.objects.exists()  # opening the link changes nothing

    done = client.post(path)
    assert done.status_code == 200
    assert not Guest.objects.exists()

    again = client.post(path)
    assert "Nothing to withdraw" in again.content.decode()
    assert client.get(path).status_code == 404


def test_host_added_guests_are_told_and_may_withdraw(party, host_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        host_client.post(
            f"/api/v1/parties/{party.pk}/guests/",
            {"first_name": "Lou", "email": "lou@example.com", "guest_agreed": True},
        )
    assert "added you to the guest list" in mail.outbox[0].body
    assert "/p/withdraw/" in mail.outbox[0].body


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_never_overfill_a_guest_list(settings):
    """Twenty guests register at once on a list bounded to 5: exactly 5 get in, the rest get a 409."""
    import threading

    from django.db import connection

    settings.PARTY_MAX_GUESTS = 5
    party = factories.PartyFactory()
    barrier = threading.Barrier(20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def register_one(n: int) -> None:
        try:
            barrier.wait()
            services.register_guest(party=party, first_name="G", email=f"g{n}@example.com", accept_terms=True)
            result = "in"
        except services.Conflict as conflict:
            result = conflict.code
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=register_one, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["guest_list_full"] * 15 + ["in"] * 5
    assert Guest.objects.filter(party=party).count() == 5


def test_bookings_are_scored_and_flagged_like_applications_but_not_for_what_the_guest_never_gave(
    api_client, host
):
    # given two parties where guests without phone or address ask to host, one with a throw-away e-mail
    first, second = factories.PartyFactory(host=host), factories.PartyFactory(host=host)
    register(api_client, first, email="ana@example.com", wants_to_host=True)
    register(api_client, second, email="bob@yopmail.com", wants_to_host=True)

    # then both are scored by the recruitment rules, and flagged only for what can be known
    ana, bob = (Application.objects.get(email=e) for e in ("ana@example.com", "bob@yopmail.com"))
    assert ana.score > 0 and ana.score_explanation
    assert ana.risk_flags == []
    assert bob.risk_flags == ["disposable_email"]


def test_a_guest_national_number_is_read_in_the_host_country():
    # a Belgian host of a French campaign: her guests' national numbers are Belgian ones
    host = factories.HostFactory(country="BE")
    party = factories.PartyFactory(host=host, campaign=host.campaign)
    guest = services.register_guest(
        party=party, first_name="Lotte", email="lotte@example.com", phone="0470 12 34 56", accept_terms=True
    )
    assert party.campaign.home_country == "FR"
    assert str(guest.phone) == "+32470123456"
