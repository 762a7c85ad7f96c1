"""Campaigns managed by marketing through the API: fields, validation, states with history."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ambassadors.models import Campaign, CampaignStatus
from tests.factories import ApplicationFactory, CampaignFactory, HostFactory

pytestmark = pytest.mark.django_db


def campaign_body(**overrides):
    now = timezone.now()
    body = {
        "name": "Automne-hiver 2026",
        "slug": "automne-hiver-2026",
        "description": "Recevez la collection chez vous.",
        "collection_name": "Automne-hiver",
        "shop_url": "https://shop.example.com/aw26",
        "applications_open_at": (now + timedelta(days=1)).isoformat(),
        "applications_close_at": (now + timedelta(days=20)).isoformat(),
        "host_slots": 10,
        "eligible_countries": ["fr", "BE"],
        "party_window_start": (now + timedelta(days=30)).isoformat(),
        "party_window_end": (now + timedelta(days=90)).isoformat(),
        "currency": "EUR",
    }
    body.update(overrides)
    return body


def test_marketing_creates_a_campaign_in_draft_with_defaults(marketing_client, marketing_user):
    response = marketing_client.post("/api/v1/campaigns/", campaign_body(status="running"), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"  # input cannot set the status
    assert body["attribution_window_days"] == 30
    assert body["eligible_countries"] == ["FR", "BE"]
    assert body["free_slots"] == 10
    assert body["history"][0]["to_status"] == "draft"
    assert body["history"][0]["by"] == marketing_user.email


def test_only_marketing_manages_campaigns(api_client, logistics_client):
    assert api_client.get("/api/v1/campaigns/").status_code in (401, 403)
    assert logistics_client.post("/api/v1/campaigns/", campaign_body(), format="json").status_code == 403
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"eligible_countries": []}, "eligible_countries"),
        ({"eligible_countries": ["XX"]}, "eligible_countries"),
        ({"eligible_countries": ["FR", "FR"]}, "eligible_countries"),
        ({"currency": "euro"}, "currency"),
        ({"host_slots": 0}, "host_slots"),
        ({"attribution_window_days": 0}, "attribution_window_days"),
        ({"shop_url": "not a url"}, "shop_url"),
        ({"guest_discount_percent": "150"}, "guest_discount_percent"),
        ({"name": "x" * 121}, "name"),
    ],
)
def test_bad_campaign_fields_are_refused(marketing_client, overrides, field):
    response = marketing_client.post("/api/v1/campaigns/", campaign_body(**overrides), format="json")
    assert response.status_code == 400, response.json()
    assert field in {error["attr"] for error in response.json()["errors"]}
    assert not Campaign.objects.exists()


def test_windows_must_be_ordered(marketing_client):
    now = timezone.now()
    response = marketing_client.post(
        "/api/v1/campaigns/",
        campaign_body(
            applications_open_at=now.isoformat(), applications_close_at=(now - timedelta(days=1)).isoformat()
        ),
        format="json",
    )
    assert response.status_code == 400
    assert not Campaign.objects.exists()


def test_a_duplicate_slug_is_refused(marketing_client):
    CampaignFactory(slug="automne-hiver-2026")
    response = marketing_client.post("/api/v1/campaigns/", campaign_body(), format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "slug"


def test_marketing_edits_a_campaign_but_not_its_status(marketing_client):
    campaign = CampaignFactory(status=CampaignStatus.DRAFT)
    response = marketing_client.patch(
        f"/api/v1/campaigns/{campaign.pk}/", {"host_slots": 25, "status": "closed"}, format="json"
    )
    assert response.status_code == 200, response.json()
    campaign.refresh_from_db()
    assert (campaign.host_slots, campaign.status) == (25, CampaignStatus.DRAFT)


def test_slots_cannot_go_below_the_selected_hosts(marketing_client):
    campaign = CampaignFactory(host_slots=3)
    HostFactory.create_batch(2, application__campaign=campaign)
    response = marketing_client.patch(f"/api/v1/campaigns/{campaign.pk}/", {"host_slots": 1}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "below_selected_hosts"
    campaign.refresh_from_db()
    assert campaign.host_slots == 3


def test_the_slug_is_frozen_once_published(marketing_client):
    campaign = CampaignFactory(status=CampaignStatus.RECRUITING)
    response = marketing_client.patch(
        f"/api/v1/campaigns/{campaign.pk}/", {"slug": "new-slug"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "slug_frozen"


def test_status_moves_along_the_map_with_history(marketing_client, marketing_user):
    campaign = CampaignFactory(status=CampaignStatus.DRAFT)
    for target in ["recruiting", "selecting", "running", "closed"]:
        response = marketing_client.post(f"/api/v1/campaigns/{campaign.pk}/transition/", {"status": target})
        assert response.status_code == 200, response.json()
    assert [(row["from_status"], row["to_status"]) for row in response.json()["history"]] == [
        ("draft", "recruiting"),
        ("recruiting", "selecting"),
        ("selecting", "running"),
        ("running", "closed"),
    ]
    assert all(row.by == marketing_user for row in campaign.history.all())


def test_an_illegal_campaign_move_answers_409_with_the_allowed_ones(marketing_client):
    campaign = CampaignFactory(status=CampaignStatus.DRAFT)
    response = marketing_client.post(f"/api/v1/campaigns/{campaign.pk}/transition/", {"status": "running"})
    assert response.status_code == 409
    assert response.json()["extra"] == {"current": "draft", "requested": "running", "allowed": ["recruiting"]}
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


def test_only_an_untouched_draft_can_be_deleted(marketing_client):
    draft = CampaignFactory(status=CampaignStatus.DRAFT)
    assert marketing_client.delete(f"/api/v1/campaigns/{draft.pk}/").status_code == 204
    recruiting = CampaignFactory()
    assert marketing_client.delete(f"/api/v1/campaigns/{recruiting.pk}/").status_code == 409
    with_applications = CampaignFactory(status=CampaignStatus.DRAFT)
    ApplicationFactory(campaign=with_applications)
    assert marketing_client.delete(f"/api/v1/campaigns/{with_applications.pk}/").status_code == 409
    assert Campaign.objects.count() == 2


def test_the_campaign_list_shows_free_slots_in_constant_queries(
    marketing_client, django_assert_max_num_queries
):
    campaigns = CampaignFactory.create_batch(5, host_slots=4)
    HostFactory(application__campaign=campaigns[0])
    with django_assert_max_num_queries(4):
        response = marketing_client.get("/api/v1/campaigns/")
    rows = {row["id"]: row for row in response.json()["results"]}
    assert rows[campaigns[0].pk]["free_slots"] == 3
    assert rows[campaigns[1].pk]["free_slots"] == 4


@pytest.mark.parametrize("countries", [["F"], "FR", [1], ["FR"] * 300])
def test_malformed_country_lists_are_refused_on_the_field(marketing_client, countries):
    response = marketing_client.post(
        "/api/v1/campaigns/", campaign_body(eligible_countries=countries), format="json"
    )
    assert response.status_code == 400
    assert {error["attr"] for error in response.json()["errors"]} == {"eligible_countries"}
