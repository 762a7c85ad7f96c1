"""Endpoints registered, listed, changed, disabled and deleted by admins through the API; the delivery
log and the resend action; the URL rules (no http, no private address) attacked as an outsider would."""

from decimal import Decimal

import pytest

from referrals.rewards.services import adjust_rewards
from tests.factories import HostFactory
from webhooks.models import Delivery, DeliveryAttempt, DeliveryStatus, Endpoint

pytestmark = pytest.mark.django_db

ENDPOINTS = "/api/v1/webhooks/endpoints/"
DELIVERIES = "/api/v1/webhooks/deliveries/"


def errors_of(response):
    return {(error["attr"], error["code"]) for error in response.json()["errors"]}


def test_an_admin_registers_an_endpoint_and_sees_its_secret_only_once(admin_client, receiver):
    created = admin_client.post(
        ENDPOINTS, {"url": receiver.url, "events": ["host.selected", "payout.paid"]}, format="json"
    )

    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["events"] == ["host.selected", "payout.paid"]
    assert body["secret"] == Endpoint.objects.get().secret
    listed = admin_client.get(ENDPOINTS).json()["results"]
    assert [row["id"] for row in listed] == [body["id"]] and "secret" not in listed[0]
    assert "secret" not in admin_client.get(f"{ENDPOINTS}{body['id']}/").json()


def test_only_admins_manage_endpoints(marketing_client, api_client, receiver):
    for client, expected in ((marketing_client, 403), (api_client, 401)):
        assert client.get(ENDPOINTS).status_code == expected
        assert (
            client.post(ENDPOINTS, {"url": receiver.url, "events": ["party.held"]}, format="json").status_code
            == expected
        )
        assert client.get(DELIVERIES).status_code == expected
    assert not Endpoint.objects.exists()


def test_unknown_or_no_events_are_refused(admin_client, receiver):
    unknown = admin_client.post(ENDPOINTS, {"url": receiver.url, "events": ["order.deleted"]}, format="json")
    empty = admin_client.post(ENDPOINTS, {"url": receiver.url, "events": []}, format="json")

    assert unknown.status_code == empty.status_code == 400
    assert ("events.0", "invalid_choice") in errors_of(unknown)
    assert ("events", "min_length") in errors_of(empty)
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://crm.example.com/hooks", "https_required"),
        ("ftp://crm.example.com/hooks", "https_required"),
        ("https://127.0.0.1/hooks", "private_address"),
        ("https://localhost:8000/hooks", "private_address"),
        ("https://10.0.0.12/hooks", "private_address"),
        ("https://192.168.1.1/hooks", "private_address"),
        ("https://169.254.169.254/latest/meta-data/", "private_address"),
        ("https://[::1]/hooks", "private_address"),
        ("https://[::ffff:127.0.0.1]/hooks", "private_address"),
        ("https://0.0.0.0/hooks", "private_address"),
        ("https://user:pw@crm.example.com/hooks", "credentials_in_url"),
    ],
)
def test_outside_debug_only_https_urls_to_public_addresses_are_taken(admin_client, settings, url, code):
    settings.DEBUG = False
    settings.WEBHOOK_ALLOW_LOCAL_URLS = False

    response = admin_client.post(ENDPOINTS, {"url": url, "events": ["party.held"]}, format="json")

    assert response.status_code == 400
    assert errors_of(response) == {("url", code)}
    assert not Endpoint.objects.exists()


def test_a_public_https_address_is_taken(admin_client, settings):
    settings.WEBHOOK_ALLOW_LOCAL_URLS = False
    response = admin_client.post(
        ENDPOINTS, {"url": "https://93.184.215.14/hooks", "events": ["party.held"]}, format="json"
    )
    assert response.status_code == 201, response.json()


def test_an_address_that_became_private_is_not_called(
    endpoint, receiver, settings, django_capture_on_commit_callbacks
):
    # given the endpoint was registered while local receivers were allowed, and no longer are
    settings.WEBHOOK_ALLOW_LOCAL_URLS = False

    with django_capture_on_commit_callbacks(execute=True):
        adjust_rewards(host=HostFactory(), amount=Decimal("3.00"), reason="x", by=None)

    assert receiver.received == []
    attempt = DeliveryAttempt.objects.get()
    assert (attempt.succeeded, attempt.error) == (False, "address refused: https_required")


def test_an_endpoint_is_changed_disabled_enabled_and_deleted(
    admin_client, endpoint, receiver, django_capture_on_commit_callbacks
):
    url = f"{ENDPOINTS}{endpoint.pk}/"
    changed = admin_client.patch(url, {"events": ["party.held"], "description": "CRM"}, format="json")
    assert changed.status_code == 200 and changed.json()["events"] == ["party.held"]

    # an endpoint not subscribed, or disabled, is not told
    host = HostFactory()
    with django_capture_on_commit_callbacks(execute=True):
        adjust_rewards(host=host, amount=Decimal("3.00"), reason="x", by=None)
    admin_client.patch(url, {"events": ["reward.approved"]}, format="json")
    disabled = admin_client.patch(url, {"is_active": False}, format="json").json()
    assert (disabled["is_active"], disabled["disabled_reason"]) == (False, "disabled by staff")
    with django_capture_on_commit_callbacks(execute=True):
        adjust_rewards(host=host, amount=Decimal("3.00"), reason="x", by=None)
    assert receiver.received == [] and not Delivery.objects.exists()

    enabled = admin_client.patch(url, {"is_active": True}, format="json").json()
    assert enabled["is_active"] and enabled["disabled_at"] is None
    with django_capture_on_commit_callbacks(execute=True):
        adjust_rewards(host=host, amount=Decimal("3.00"), reason="x", by=None)
    assert len(receiver.received) == 1

    assert admin_client.delete(url).status_code == 204
    assert not Endpoint.objects.exists() and not Delivery.objects.exists()
    assert admin_client.get(url).status_code == 404


def test_the_log_shows_each_attempt_and_a_resend_repeats_the_event_id(
    admin_client, endpoint, receiver, django_capture_on_commit_callbacks
):
    # given a delivery that failed once, then went through
    receiver.answer_next(500)
    with django_capture_on_commit_callbacks(execute=True):
        adjust_rewards(host=HostFactory(), amount=Decimal("3.00"), reason="x", by=None)
    delivery = Delivery.objects.get()
    from webhooks.sending import send_due_deliveries

    with django_capture_on_commit_callbacks(execute=True):
        send_due_deliveries(at=Delivery.objects.get().next_attempt_at)

    # when the log is read
    (row,) = admin_client.get(DELIVERIES, {"endpoint": endpoint.pk}).json()["results"]

    # then it shows the two attempts, newest first, with their codes and timings
    assert (row["status"], row["attempt_count"], row["event_type"]) == ("succeeded", 2, "reward.approved")
    assert [attempt["status_code"] for attempt in row["attempts"]] == [200, 500]
    assert all(attempt["duration_ms"] >= 0 for attempt in row["attempts"])
    assert row["attempts"][1]["error"] == "HTTP 500"
    assert admin_client.get(DELIVERIES, {"status": "failed"}).json()["results"] == []

    # when staff resend it
    with django_capture_on_commit_callbacks(execute=True):
        resent = admin_client.post(f"{DELIVERIES}{delivery.pk}/resend/")

    # then the receiver gets the same event again (it dedupes by the id), logged as a third attempt
    assert resent.status_code == 202
    assert receiver.event_ids == [row["event_id"]] * 3
    detail = admin_client.get(f"{DELIVERIES}{delivery.pk}/").json()
    assert (detail["status"], detail["attempt_count"]) == ("succeeded", 3)


def test_a_resend_to_a_disabled_endpoint_is_refused(
    admin_client, endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        adjust_rewards(host=HostFactory(), amount=Decimal("3.00"), reason="x", by=None)
    admin_client.patch(f"{ENDPOINTS}{endpoint.pk}/", {"is_active": False}, format="json")

    response = admin_client.post(f"{DELIVERIES}{Delivery.objects.get().pk}/resend/")

    assert response.status_code == 409 and errors_of(response) == {(None, "endpoint_disabled")}
    assert len(receiver.received) == 1 and Delivery.objects.get().status == DeliveryStatus.SUCCEEDED
