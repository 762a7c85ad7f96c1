"""The admin goes through the same services: states move with history, bad input is refused."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ambassadors.models import Application, ApplicationStatus, Campaign, CampaignStatus, Host, HostStatus
from tests.factories import ApplicationFactory, CampaignFactory, HostFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_user(client):
    user = UserFactory(email="boss@example.com", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client, user


def campaign_form(**overrides):
    now = timezone.localtime()
    data = {
        "name_en": "Printemps",  # each text in both languages (English required, French optional)
        "slug": "printemps",
        "description": "",
        "collection_name": "",
        "shop_url": "https://shop.example.com/",
        "applications_open_at_0": now.date().isoformat(),
        "applications_open_at_1": "08:00:00",
        "applications_close_at_0": (now + timedelta(days=10)).date().isoformat(),
        "applications_close_at_1": "08:00:00",
        "host_slots": "5",
        "eligible_countries": '["fr"]',
        "party_window_start_0": (now + timedelta(days=20)).date().isoformat(),
        "party_window_start_1": "08:00:00",
        "party_window_end_0": (now + timedelta(days=60)).date().isoformat(),
        "party_window_end_1": "08:00:00",
        "attribution_window_days": "30",
        "guest_discount_percent": "",
        "currency": "EUR",
        "kit_return_due_on": "",
        "kit_return_policy": "deduct_cost",
        "history-TOTAL_FORMS": "0",
        "history-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_admin_creates_a_campaign_in_draft_with_history(admin_client_user):
    client, user = admin_client_user
    response = client.post("/admin/ambassadors/campaign/add/", campaign_form())
    assert response.status_code == 302, response.content.decode()[:3000]
    campaign = Campaign.objects.get(slug="printemps")
    assert campaign.status == CampaignStatus.DRAFT
    assert campaign.eligible_countries == ["FR"]
    assert campaign.history.get().by == user


def test_admin_refuses_an_unknown_country(admin_client_user):
    client, _ = admin_client_user
    response = client.post("/admin/ambassadors/campaign/add/", campaign_form(eligible_countries='["ZZ"]'))
    assert response.status_code == 200
    assert "not an ISO 3166-1" in response.content.decode()
    assert not Campaign.objects.exists()


def test_admin_campaign_action_moves_the_status_with_history(admin_client_user):
    client, user = admin_client_user
    campaign = CampaignFactory(status=CampaignStatus.DRAFT)
    client.post(
        "/admin/ambassadors/campaign/",
        {"action": "move_to_recruiting", "_selected_action": [campaign.pk]},
    )
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.RECRUITING
    assert campaign.history.get().by == user


def test_admin_select_action_creates_hosts_and_reports_refusals(admin_client_user):
    client, _ = admin_client_user
    campaign = CampaignFactory(host_slots=1)
    first, second = ApplicationFactory.create_batch(2, campaign=campaign)
    response = client.post(
        "/admin/ambassadors/application/",
        {"action": "select", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )
    assert Host.objects.filter(campaign=campaign).count() == 1
    assert "no free host slot" in response.content.decode()
    assert Application.objects.filter(status=ApplicationStatus.SELECTED).count() == 1


def test_admin_host_action_bans_with_history(admin_client_user):
    client, user = admin_client_user
    host = HostFactory(status=HostStatus.ACTIVE)
    client.post("/admin/ambassadors/host/", {"action": "move_to_banned", "_selected_action": [host.pk]})
    host.refresh_from_db()
    assert host.status == HostStatus.BANNED
    assert host.history.get().by == user


@pytest.mark.parametrize("model_name", ["campaign", "application", "host"])
def test_admin_lists_and_detail_pages_render(admin_client_user, model_name):
    client, _ = admin_client_user
    host = HostFactory()
    obj = {"campaign": host.campaign, "application": host.application, "host": host}[model_name]
    assert client.get(f"/admin/ambassadors/{model_name}/").status_code == 200
    assert client.get(f"/admin/ambassadors/{model_name}/{obj.pk}/change/").status_code == 200


def test_admin_user_pages_render_with_email_login(admin_client_user):
    client, user = admin_client_user
    assert client.get("/admin/backend/user/").status_code == 200
    assert client.get(f"/admin/backend/user/{user.pk}/change/").status_code == 200
    assert client.get("/admin/backend/user/add/").status_code == 200


def test_marketing_staff_manage_recruitment_in_the_admin(client, marketing_user):
    marketing_user.is_staff = True
    marketing_user.save()
    client.force_login(marketing_user)
    application = ApplicationFactory()
    for model_name in ("campaign", "application", "host"):
        assert client.get(f"/admin/ambassadors/{model_name}/").status_code == 200
    client.post(
        "/admin/ambassadors/application/", {"action": "shortlist", "_selected_action": [application.pk]}
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SHORTLISTED
    assert client.get("/admin/backend/user/").status_code == 403  # staff accounts stay with admins
