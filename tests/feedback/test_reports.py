"""Marketing reads the feedback by SKU, colour and size, campaign, region and host profile, as JSON and
CSV, beside the units sold on orders credited to hosts."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.ingestion.rules import LineData, OrderData
from orders.ingestion.services import record_order
from referrals.codes.services import issue_host_code
from tests.feedback.conftest import guest_client, host_client, posted

pytestmark = pytest.mark.django_db


def sell(code, external_id, *lines):
    total = sum((Decimal("79.90") * quantity for _sku, quantity in lines), Decimal("0"))
    record_order(
        source="api",
        data=OrderData(
            external_id=external_id,
            placed_at=timezone.now() - timedelta(seconds=5),
            customer_email="buyer@example.com",
            currency="EUR",
            subtotal=total,
            total=total,
            code=code,
            lines=tuple(
                LineData(sku=sku, quantity=quantity, unit_price=Decimal("79.90")) for sku, quantity in lines
            ),
        ),
    )


@pytest.fixture
def said(programme, django_capture_on_commit_callbacks):
    line, other_line, guest = programme["line"], programme["other_line"], programme["guest"]
    programme["other"].application.follower_count = 25000
    programme["other"].application.save(update_fields=["follower_count"])
    host_client(programme["host"]).post(
        f"/portal/feedback/{line.pk}/", posted(line, fit="too_small", quality="3")
    )
    host_client(programme["other"]).post(
        f"/portal/feedback/{other_line.pk}/", posted(other_line, would_buy=None, quality="5", comment="")
    )
    guest_client(guest).post(
        f"/p/{guest.party.public_token}/pieces/{line.pk}/", posted(line, colour="dislike", comment="Too warm")
    )
    # Sold through Clara's code: 2 coats; a coat in lower case through Zoé's; a coat with no code.
    with django_capture_on_commit_callbacks(execute=True):
        sell(issue_host_code(host=programme["host"]).code, "o1", ("AW26-COAT-CAMEL-M", 2), ("OTHER", 1))
        sell(issue_host_code(host=programme["other"]).code, "o2", ("aw26-coat-camel-m", 1))
        sell("", "o3", ("AW26-COAT-CAMEL-M", 5))
    return programme


def test_by_sku_counts_distributions_rate_comments_and_sales_through_hosts(said, marketing_client):
    response = marketing_client.get("/api/v1/feedback/report/", {"group_by": "sku"})

    assert response.status_code == 200
    [row] = response.json()["rows"]
    assert row["key"] == "AW26-COAT-CAMEL-M" and row["label"] == "Wool coat"
    assert (row["ratings"], row["by_hosts"], row["by_guests"]) == (3, 2, 1)
    assert row["fit"] == {"too_small": 1, "right": 2, "too_big": 0}
    assert row["colour"] == {"love": 2, "fine": 0, "dislike": 1}
    assert row["quality"] == {"1": 0, "2": 0, "3": 1, "4": 1, "5": 1}
    assert row["quality_average"] == "4.00"
    assert (row["would_buy"], row["would_buy_rate"]) == (2, "0.6667")
    assert sorted(row["comments"]) == ["Too warm", "Warm and light."]
    assert row["units_sold_through_hosts"] == 3


def test_by_region_and_host_profile(said, marketing_client):
    region = marketing_client.get("/api/v1/feedback/report/", {"group_by": "region"}).json()["rows"]
    profile = marketing_client.get("/api/v1/feedback/report/", {"group_by": "host_profile"}).json()["rows"]

    assert {row["key"]: (row["ratings"], row["units_sold_through_hosts"]) for row in region} == {
        "FR-69": (2, 2),
        "FR-75": (1, 1),
    }
    assert {row["key"]: row["ratings"] for row in profile} == {"no_audience": 2, "10k_plus": 1}


def test_by_colour_and_size_and_by_campaign(said, marketing_client):
    variant = marketing_client.get("/api/v1/feedback/report/", {"group_by": "variant"}).json()["rows"]
    campaign = marketing_client.get("/api/v1/feedback/report/", {"group_by": "campaign"}).json()["rows"]

    assert [(row["key"], row["ratings"]) for row in variant] == [("Camel / M", 3)]
    assert [(row["label"], row["ratings"], row["units_sold_through_hosts"]) for row in campaign] == [
        ("Autumn-winter 2026", 3, 3)
    ]


def test_the_same_rows_as_csv(said, marketing_client):
    response = marketing_client.get("/api/v1/feedback/report/", {"group_by": "sku", "format": "csv"})

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [
        (row["key"], row["ratings"], row["would_buy_rate"], row["units_sold_through_hosts"]) for row in rows
    ] == [("AW26-COAT-CAMEL-M", "3", "0.6667", "3")]


def test_each_opinion_is_listed_without_its_authors_name(said, marketing_client):
    response = marketing_client.get("/api/v1/feedback/")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert sorted(row["by"] for row in rows) == ["guest", "host", "host"]
    assert "Inès" not in response.content.decode() and "ines@example.com" not in response.content.decode()


def test_only_marketing_reads_the_feedback(said, api_client):
    assert api_client.get("/api/v1/feedback/report/").status_code in (401, 403)
    api_client.force_authenticate(said["host"].user)
    assert api_client.get("/api/v1/feedback/report/").status_code == 403
    assert api_client.get("/api/v1/feedback/").status_code == 403


def test_an_unknown_grouping_is_a_clear_error(marketing_client):
    response = marketing_client.get("/api/v1/feedback/report/", {"group_by": "mood", "format": "csv"})

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "group_by"


def test_a_blank_filter_is_refused_not_ignored(marketing_client):
    for path in ("/api/v1/feedback/", "/api/v1/feedback/report/", "/api/v1/feedback/answers/"):
        response = marketing_client.get(path, {"campaign": ""})
        assert response.status_code == 400, path
        assert response.json()["errors"][0]["attr"] == "campaign"
