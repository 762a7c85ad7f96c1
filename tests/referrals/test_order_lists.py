"""Marketing's order list and detail show each order's attribution and its sentence (SPEC §9), and
filter by campaign, host, party, method, source, external id and, with the personal-data
permission only, the buyer's e-mail."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from rest_framework.test import APIClient

from ambassadors.models import PartyStatus
from orders.ingestion.rules import OrderData
from orders.ingestion.services import record_order
from referrals.codes.services import issue_host_code
from tests.factories import GuestFactory, HostFactory, PartyFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/orders/"


def _order(external_id: str, *, code: str = "", email: str = "buyer@example.com", source: str = "api"):
    order, _ = record_order(
        source=source,
        data=OrderData(
            external_id=external_id,
            placed_at=timezone.now() - timedelta(minutes=5),
            customer_email=email,
            currency="EUR",
            subtotal=Decimal("100.00"),
            total=Decimal("100.00"),
            code=code,
        ),
    )
    return order


@pytest.fixture
def orders():
    clara = HostFactory(selected_at=timezone.now() - timedelta(days=30))
    other = HostFactory(selected_at=timezone.now() - timedelta(days=30))
    party = PartyFactory(host=clara, starts_at=timezone.now() - timedelta(days=1), status=PartyStatus.HELD)
    GuestFactory(party=party, email="guest@example.com")
    coded = _order("SHOP-1", code=issue_host_code(host=clara).code, email="camille@example.com")
    guest = _order("SHOP-2", email="guest@example.com", source="csv")
    elsewhere = _order("SHOP-3", code=issue_host_code(host=other).code)
    nobody = _order("SHOP-4", code="NOT-OURS")
    return {
        "clara": clara,
        "other": other,
        "party": party,
        "coded": coded,
        "guest": guest,
        "elsewhere": elsewhere,
        "nobody": nobody,
    }


def test_the_list_and_the_detail_show_the_method_and_its_sentence(marketing_client, orders):
    rows = {row["external_id"]: row for row in marketing_client.get(URL).json()["results"]}
    detail = marketing_client.get(f"{URL}{orders['nobody'].pk}/").json()

    coded = rows["SHOP-1"]
    assert coded["attribution_method"] == "code"
    assert coded["attribution_explanation"].endswith("entered at checkout")
    assert coded["attribution_reason"] is None  # credited: no reason, not "" outside the reasons' enum
    assert (coded["host"], coded["campaign"]) == (orders["clara"].pk, orders["clara"].campaign_id)
    assert rows["SHOP-2"]["attribution_method"] == "guest"
    assert rows["SHOP-2"]["party"] == orders["party"].pk
    assert (detail["attribution_method"], detail["attribution_reason"]) == ("none", "unknown_code")
    assert detail["attribution_explanation"] == "unattributed: code NOT-OURS is not one of ours"


def test_filters_by_campaign_host_party_method_source_and_external_id(marketing_client, orders):
    def ids(**params):
        response = marketing_client.get(URL, params)
        assert response.status_code == 200, response.content
        return {row["external_id"] for row in response.json()["results"]}

    assert ids(host=orders["clara"].pk) == {"SHOP-1", "SHOP-2"}
    assert ids(campaign=orders["other"].campaign_id) == {"SHOP-3"}
    assert ids(party=orders["party"].pk) == {"SHOP-2"}
    assert ids(method="none") == {"SHOP-4"}
    assert ids(method="code", host=orders["clara"].pk) == {"SHOP-1"}
    assert ids(source="csv") == {"SHOP-2"}
    assert ids(external_id="SHOP-3") == {"SHOP-3"}
    assert marketing_client.get(URL, {"method": "telepathy"}).status_code == 400


def test_the_email_filter_needs_the_personal_data_permission(marketing_client, orders):
    refused = marketing_client.get(URL, {"email": "camille@example.com"})

    assert refused.status_code == 403
    assert refused.json()["errors"][0]["code"] == "permission_denied"

    officer = UserFactory(email="dpo@staff.example.com")
    officer.groups.add(Group.objects.get(name="marketing"))
    officer.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
    allowed = APIClient()
    allowed.force_authenticate(officer)
    rows = allowed.get(URL, {"email": " Camille@Example.com "}).json()["results"]
    assert [row["external_id"] for row in rows] == ["SHOP-1"]
    assert rows[0]["customer_email"] == "camille@example.com"


def test_the_list_reads_attributions_in_the_same_query(
    marketing_client, orders, django_assert_max_num_queries
):
    for index in range(20):
        _order(f"MORE-{index}")

    with django_assert_max_num_queries(4):  # roles, permissions ×2, orders with their attributions
        response = marketing_client.get(URL)

    assert len(response.json()["results"]) == 24
