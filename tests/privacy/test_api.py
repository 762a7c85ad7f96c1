"""POST /api/v1/privacy/export/ and /erasure/: marketing with the personal-data permission only."""

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from ambassadors.models import Application
from backend.privacy import pseudonymous_email
from referrals.models import PrivacyRequest
from tests.privacy.conftest import EMAIL, LAST_NAME

pytestmark = pytest.mark.django_db
EXPORT = "/api/v1/privacy/export/"
ERASURE = "/api/v1/privacy/erasure/"


@pytest.fixture
def officer_client(marketing_user_with_personal_data) -> APIClient:
    client = APIClient()
    client.force_authenticate(marketing_user_with_personal_data)
    return client


def test_export_answers_the_persons_data_as_json(officer_client, person):
    response = officer_client.post(EXPORT, {"email": EMAIL.upper()})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["email"] == EMAIL
    assert body["applications"][0]["last_name"] == LAST_NAME
    assert {order["currency"] for order in body["orders"]} == {"EUR"}


def test_erasure_answers_a_summary_and_a_second_one_finds_nothing(officer_client, person):
    first = officer_client.post(ERASURE, {"email": EMAIL, "reason": "Asked by e-mail"})
    second = officer_client.post(ERASURE, {"email": EMAIL, "reason": "Asked again"})

    assert first.status_code == 200, first.json()
    assert first.json()["pseudonym"] == pseudonymous_email(EMAIL)
    assert (first.json()["applications"], first.json()["orders"]) == (1, 2)
    assert second.status_code == 200
    assert (second.json()["applications"], second.json()["orders"]) == (0, 0)
    assert not Application.objects.filter(email=EMAIL).exists()
    assert PrivacyRequest.objects.filter(kind="erasure").count() == 2


def test_erasure_while_rewards_are_owed_is_a_409_in_the_one_error_shape(officer_client, person):
    person.host.ledger_entries.create(
        campaign=person.campaign,
        kind="accrual",
        state="pending",
        basis="party:9",
        amount="10.00",
        currency="EUR",
        description="party rewards",
        approvable_at=person.host.selected_at,
    )

    response = officer_client.post(ERASURE, {"email": EMAIL, "reason": "request"})

    assert response.status_code == 409
    body = response.json()
    assert body["type"] == "client_error"
    assert body["errors"][0]["code"] == "money_owed"
    assert body["extra"]["unpaid_balance"] == {"EUR": "10.00"}


def test_erasure_needs_a_reason(officer_client, person):
    response = officer_client.post(ERASURE, {"email": EMAIL})
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "reason"


def test_marketing_without_the_personal_data_permission_is_refused(marketing_client, person):
    assert marketing_client.post(EXPORT, {"email": EMAIL}).status_code == 403
    assert marketing_client.post(ERASURE, {"email": EMAIL, "reason": "x"}).status_code == 403
    assert Application.objects.filter(email=EMAIL).exists()
    assert not PrivacyRequest.objects.exists()


def test_logistics_and_hosts_are_refused_and_anonymous_must_authenticate(logistics_client, person):
    host_client = APIClient()
    host_client.force_authenticate(person.host.user)

    assert logistics_client.post(EXPORT, {"email": EMAIL}).status_code == 403
    assert host_client.post(EXPORT, {"email": EMAIL}).status_code == 403
    assert host_client.post(ERASURE, {"email": EMAIL, "reason": "x"}).status_code == 403
    assert APIClient().post(EXPORT, {"email": EMAIL}).status_code == 401
    assert APIClient().post(ERASURE, {"email": EMAIL, "reason": "x"}).status_code == 401
    assert not PrivacyRequest.objects.exists()


def test_a_host_holding_the_permission_without_the_marketing_role_is_refused(person):
    user = person.host.user
    user.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
    client = APIClient()
    client.force_authenticate(user)

    assert client.post(EXPORT, {"email": EMAIL}).status_code == 403
