"""Lists carry what marketing looks up next, in a query count that does not grow with the rows:
a host row its referral code and kit, an application row the explanation of its score."""

import itertools

import pytest

from ambassadors.models import HostStatus
from ambassadors.recruitment.scoring import compute_score
from kits.models import Shipment, ShipmentStatus
from referrals.codes.services import issue_host_code
from tests.factories import ApplicationFactory, CampaignFactory, HostFactory

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)


def _kit(host, status=ShipmentStatus.ALLOCATED):
    return Shipment.objects.create(
        number=f"KIT-2026-{next(_numbers):06d}",
        host=host,
        campaign=host.campaign,
        status=status,
        ship_to_name=host.full_name,
        ship_to_line1=host.address_line1,
        ship_to_postal_code=host.postal_code,
        ship_to_city=host.city,
        ship_to_country=host.country,
        ship_to_phone=str(host.phone),
    )


def _host_rows(client, campaign, django_assert_num_queries):
    # the campaign named by the filter, the page with each row's code and kit, the count: at 1 row as at 5
    with django_assert_num_queries(3):
        response = client.get(f"/api/v1/hosts/?campaign={campaign.pk}")
    assert response.status_code == 200, response.json()
    return {row["id"]: row for row in response.json()["results"]}


def test_a_host_row_carries_its_code_and_its_kit_in_constant_queries(
    marketing_client, django_assert_num_queries
):
    campaign = CampaignFactory()
    first = HostFactory(application__campaign=campaign)
    code = issue_host_code(host=first)
    _kit(first, ShipmentStatus.CANCELLED)
    kit = _kit(first, ShipmentStatus.SHIPPED)  # the replacement: the one the row shows
    marketing_client.get("/api/v1/hosts/")  # the user's permissions, read once per user
    rows = _host_rows(marketing_client, campaign, django_assert_num_queries)
    assert (
        rows[first.pk]["referral_code"],
        rows[first.pk]["kit_status"],
        rows[first.pk]["kit_shipment"],
    ) == (
        code.code,
        "shipped",
        kit.number,
    )

    others = HostFactory.create_batch(4, application__campaign=campaign, status=HostStatus.ACTIVE)
    for host in others[:2]:
        issue_host_code(host=host)
        _kit(host)
    rows = _host_rows(marketing_client, campaign, django_assert_num_queries)
    assert len(rows) == 5
    assert rows[others[0].pk]["kit_status"] == "allocated"
    assert rows[others[0].pk]["referral_code"]
    assert (rows[others[3].pk]["referral_code"], rows[others[3].pk]["kit_status"]) == (None, None)


def test_an_application_row_explains_its_score_in_constant_queries(
    marketing_client, django_assert_num_queries
):
    campaign = CampaignFactory()
    score, explanation = compute_score(
        follower_count=1000, social_verified=False, expected_guests=12, motivation="x" * 120
    )
    ApplicationFactory(campaign=campaign, follower_count=1000, score=score, score_explanation=explanation)
    marketing_client.get("/api/v1/applications/")  # the user's permissions, read once per user

    def rows():
        with django_assert_num_queries(
            3
        ):  # the campaign filter's look-up, the page, the count: at 1 row as at 5
            return marketing_client.get(f"/api/v1/applications/?campaign={campaign.pk}").json()["results"]

    [row] = rows()
    lines = {line["factor"]: line for line in row["score_explanation"]}
    assert sorted(lines) == ["expected_guests", "followers", "motivation"]
    assert lines["followers"]["points"] == "30.00"
    assert "1000 followers" in lines["followers"]["detail"]
    assert sum(float(line["points"]) for line in lines.values()) == float(row["score"])

    ApplicationFactory.create_batch(4, campaign=campaign, score_explanation=explanation)
    assert all(row["score_explanation"] for row in rows())
