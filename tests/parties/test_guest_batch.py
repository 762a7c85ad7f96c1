"""A party's guests listed in one call, all or nothing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ambassadors.models import Guest
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def party(host):
    return factories.PartyFactory(host=host, title="Knitwear night")


def _url(party) -> str:
    return f"/api/v1/parties/{party.pk}/guests/bulk/"


def _guest(number: int, **overrides):
    return {
        "first_name": f"Guest{number}",
        "email": f"guest{number}@example.com",
        "guest_agreed": True,
        **overrides,
    }


def test_a_host_lists_many_guests_in_one_call(party, host_client, django_capture_on_commit_callbacks):
    rows = [_guest(n) for n in range(40)]
    rows[3] = {"first_name": " Lou ", "phone": "06 12 34 56 78", "guest_agreed": True}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = host_client.post(_url(party), {"guests": rows}, format="json")
    assert response.status_code == 201, response.json()
    listed = response.json()["guests"]
    assert [guest["first_name"] for guest in listed[:4]] == ["Guest0", "Guest1", "Guest2", "Lou"]
    assert listed[3]["phone"] == "+33612345678"
    assert listed[0]["email"] == "guest0@example.com"  # the host sees her own guests in clear
    assert Guest.objects.filter(party=party, source="host").count() == 40
    assert len(callbacks) == 39  # a confirmation for each guest with an e-mail, once committed


def test_one_bad_guest_refuses_the_batch_naming_each_guest_and_field(party, host_client):
    factories.GuestFactory(party=party, email="already@example.com")
    rows = [_guest(n) for n in range(6)]
    rows[1]["guest_agreed"] = False
    rows[2] = {"first_name": "No contact", "guest_agreed": True}
    rows[3]["email"] = "already@example.com"
    rows[5]["email"] = "guest4@example.com"
    response = host_client.post(_url(party), {"guests": rows}, format="json")
    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert [(error["attr"], error["code"]) for error in response.json()["errors"]] == [
        ("guests.1.guest_agreed", "consent_required"),
        ("guests.2.email", "contact_required"),
        ("guests.3.email", "guest_already_registered"),
        ("guests.5.email", "guest_already_registered"),
    ]
    assert Guest.objects.filter(party=party).count() == 1  # nobody listed


def test_a_guest_batch_past_the_party_limit_is_refused_whole(party, host_client, settings):
    settings.PARTY_MAX_GUESTS = 5
    factories.GuestFactory(party=party)
    response = host_client.post(_url(party), {"guests": [_guest(n) for n in range(100, 105)]}, format="json")
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "guest_list_full"
    assert Guest.objects.filter(party=party).count() == 1
    too_many = host_client.post(_url(party), {"guests": [_guest(n) for n in range(201)]}, format="json")
    assert [(e["attr"], e["code"]) for e in too_many.json()["errors"]] == [
        ("guests.non_field_errors", "max_length")
    ]


def test_another_hosts_party_takes_no_guest_batch(party, other_host_client):
    response = other_host_client.post(_url(party), {"guests": [_guest(1)]}, format="json")
    assert response.status_code == 404
    assert not Guest.objects.exists()


def test_the_guest_batch_writes_a_constant_number_of_queries(party, host_client):
    def queries(rows) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = host_client.post(_url(party), {"guests": rows}, format="json")
        assert response.status_code == 201, response.json()
        return len(captured)

    queries([_guest(0)])  # what a request reads once per user
    few = queries([_guest(n) for n in range(1, 3)])
    many = queries([_guest(n) for n in range(100, 140)])
    assert many == few
