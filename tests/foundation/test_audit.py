"""Every change a staff member makes is in the audit log (who, what, which object, when), for admins."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from knox.models import AuthToken
from rest_framework.test import APIClient

from backend.models import AuditEntry
from backend.roles import ensure_roles
from tests import factories

pytestmark = pytest.mark.django_db

COAT = {"sku": "AW26-COAT-NAVY-M", "name": "Wool coat", "unit_cost": "40.00", "retail_price": "129.00"}


def test_a_staff_action_through_the_api_is_recorded_with_its_actor_route_and_object(marketing_user):
    # given a marketing member using a real API token, and an application to reject
    application = factories.ApplicationFactory(email="lea@example.com")
    _, token = AuthToken.objects.create(user=marketing_user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    # when
    response = client.post(
        f"/api/v1/applications/{application.pk}/reject/", {"reason": "Write to lea@example.com"}
    )

    # then one entry names who, what and which object, and nothing of the request body
    assert response.status_code == 200
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.actor_email) == (marketing_user, marketing_user.email)
    assert (entry.action, entry.method, entry.status_code) == ("api:application-reject", "POST", 200)
    assert entry.target == {"pk": str(application.pk)}
    assert entry.path == f"/api/v1/applications/{application.pk}/reject/"
    assert "lea@example.com" not in str(entry.target) + entry.path + str(entry)


def test_a_created_object_is_named_by_its_key(logistics_client, logistics_user):
    assert logistics_client.post("/api/v1/kits/items/", COAT).status_code == 201
    entry = AuditEntry.objects.get()
    assert entry.actor == logistics_user
    assert entry.action == "api:kit-items"
    assert entry.target["created_sku"] == "AW26-COAT-NAVY-M"


def test_refused_requests_reads_and_non_staff_leave_no_entry(logistics_client, marketing_client):
    # a read, a refused write (400) and a forbidden one (403) change nothing, so nothing is recorded
    assert logistics_client.get("/api/v1/kits/items/").status_code == 200
    assert logistics_client.post("/api/v1/kits/items/", {**COAT, "unit_cost": "-1"}).status_code == 400
    assert marketing_client.post("/api/v1/kits/items/", COAT).status_code == 403
    # a host acting on their own party is not a staff action
    host = factories.HostFactory()
    portal = Client()
    portal.force_login(host.user)
    portal.post("/i18n/setlang/", {"language": "fr", "next": "/portal/"})
    assert not AuditEntry.objects.exists()


def test_a_change_in_the_admin_is_recorded(marketing_user):
    # given a marketing member who may use the admin
    marketing_user.is_staff = True
    marketing_user.save(update_fields=["is_staff"])
    campaign = factories.CampaignFactory(name="Autumn", status="draft")
    client = Client()
    client.force_login(marketing_user)

    # when they delete a draft campaign there
    response = client.post(f"/admin/ambassadors/campaign/{campaign.pk}/delete/", {"post": "yes"})

    # then
    assert response.status_code == 302
    entry = AuditEntry.objects.get()
    assert entry.action == "admin:ambassadors_campaign_delete"
    assert entry.target == {"object_id": str(campaign.pk)}


def test_admins_read_the_log_through_the_api_with_filters(admin_user_role, marketing_user, logistics_client):
    # given two actions by logistics
    logistics_client.post("/api/v1/kits/items/", COAT)
    logistics_client.post(
        f"/api/v1/kits/items/{COAT['sku']}/receipts/", {"quantity": 5, "reason": "delivery"}
    )
    admin = APIClient()
    admin.force_authenticate(admin_user_role)

    # when an admin lists them, then they come newest first, and filters narrow them
    body = admin.get("/api/v1/audit/").json()
    assert [row["action"] for row in body["results"]] == ["api:kit-item-receipts", "api:kit-items"]
    assert body["results"][0]["target"]["sku"] == COAT["sku"]
    only = admin.get("/api/v1/audit/", {"action": "api:kit-items"}).json()["results"]
    assert [row["action"] for row in only] == ["api:kit-items"]
    assert admin.get("/api/v1/audit/", {"actor": marketing_user.pk}).json()["results"] == []

    # and nobody else reads it
    marketing = APIClient()
    marketing.force_authenticate(marketing_user)
    assert marketing.get("/api/v1/audit/").status_code == 403
    assert APIClient().get("/api/v1/audit/").status_code == 401


def test_the_admin_shows_the_log_read_only(admin_user_role, logistics_client):
    logistics_client.post("/api/v1/kits/items/", COAT)
    entry = AuditEntry.objects.get()
    admin_user_role.is_staff = True
    admin_user_role.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(admin_user_role)
    assert client.get("/admin/backend/auditentry/").status_code == 200
    assert client.get(f"/admin/backend/auditentry/{entry.pk}/change/").status_code == 200
    assert client.post(f"/admin/backend/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/backend/auditentry/add/").status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_roles_come_back_after_the_groups_are_emptied():
    # given the role groups gone (as after a flush of the database)
    Group.objects.all().delete()

    # when the post-migrate step runs again
    ensure_roles()

    # then every role exists, and admins may read the audit log in the admin
    assert set(Group.objects.values_list("name", flat=True)) == {"marketing", "logistics", "admin"}
    assert Group.objects.get(name="admin").permissions.filter(codename="view_auditentry").exists()


def test_migrate_grants_admins_the_audit_log():
    call_command("migrate", verbosity=0)
    assert Group.objects.get(name="admin").permissions.filter(codename="view_auditentry").exists()
