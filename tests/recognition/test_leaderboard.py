"""No public leaderboard unless marketing turns it on for the campaign; then it lists the first name
and city of the campaign's top hosts who consented, never an amount."""

import pytest
from django.test import Client

from recognition.leaderboard.services import set_leaderboard_consent
from tests.factories import HostFactory
from tests.recognition.conftest import buy, held_party, party_code

pytestmark = pytest.mark.django_db


def page(campaign):
    return Client().get(f"/c/{campaign.slug}/hosts/")


def test_the_list_is_off_unless_marketing_turns_it_on(marketing_client, campaign):
    assert page(campaign).status_code == 404
    assert (
        marketing_client.get(f"/api/v1/recognition/campaigns/{campaign.pk}/").json()["public_leaderboard"]
        is False
    )

    response = marketing_client.put(
        f"/api/v1/recognition/campaigns/{campaign.pk}/", {"public_leaderboard": True}, format="json"
    )

    assert response.status_code == 200 and response.json()["public_leaderboard"] is True
    assert page(campaign).status_code == 200
    marketing_client.put(
        f"/api/v1/recognition/campaigns/{campaign.pk}/", {"public_leaderboard": False}, format="json"
    )
    assert page(campaign).status_code == 404


def test_only_marketing_turns_it_on(api_client, host, campaign):
    api_client.force_authenticate(host.user)
    response = api_client.put(
        f"/api/v1/recognition/campaigns/{campaign.pk}/", {"public_leaderboard": True}, format="json"
    )
    assert response.status_code == 403
    assert page(campaign).status_code == 404


def test_the_list_shows_consenting_hosts_best_first_by_first_name_and_city_only(marketing_client, campaign):
    # given three hosts with sales; the best one did not consent
    best, second, third = (
        HostFactory(application__campaign=campaign, first_name=name, city=city)
        for name, city in (("Zélie", "Nantes"), ("Inès", "Lille"), ("Maëlle", "Rennes"))
    )
    for host, amount in ((best, "900"), (second, "300"), (third, "200")):
        buy(party_code(held_party(host)), amount)
    for host in (third, second):
        set_leaderboard_consent(host=host, consents=True)
    marketing_client.put(
        f"/api/v1/recognition/campaigns/{campaign.pk}/", {"public_leaderboard": True}, format="json"
    )

    html = page(campaign).content.decode()

    assert "Zélie" not in html and "Nantes" not in html
    assert html.index("Inès") < html.index("Maëlle")
    assert "Lille" in html and "Rennes" in html
    assert "300" not in html and second.last_name not in html


def test_withdrawing_consent_from_the_notes_page_removes_her_at_once(campaign, marketing_client):
    host = HostFactory(application__campaign=campaign, first_name="Inès")
    buy(party_code(held_party(host)), "300")
    marketing_client.put(
        f"/api/v1/recognition/campaigns/{campaign.pk}/", {"public_leaderboard": True}, format="json"
    )
    client = Client()
    client.force_login(host.user)

    assert client.post("/portal/notes/", {"listed": "on"}).status_code == 302
    assert "Inès" in page(campaign).content.decode()
    assert client.post("/portal/notes/", {}).status_code == 302
    assert "Inès" not in page(campaign).content.decode()
