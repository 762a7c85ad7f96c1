import pytest

from kits.models import KitTemplate
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(db):
    return factories.CampaignFactory(slug="aw26")


def test_logistics_sets_and_reads_the_kit_of_a_campaign(logistics_client, campaign):
    factories.ItemFactory(sku="PROMO", returnable=False)
    factories.ItemFactory(sku="COAT")
    response = logistics_client.put(
        "/api/v1/kits/templates/aw26/",
        {
            "name": "Promotion pack + coat",
            "lines": [{"sku": "PROMO", "quantity": 1}, {"sku": "COAT", "quantity": 2}],
        },
    )
    assert response.status_code == 200, response.json()
    body = logistics_client.get("/api/v1/kits/templates/aw26/").json()
    assert body["campaign"] == "aw26"
    assert body["total_units"] == 3
    assert [(line["sku"], line["quantity"], line["returnable"]) for line in body["lines"]] == [
        ("COAT", 2, True),
        ("PROMO", 1, False),
    ]
    # replacing the lines replaces them all
    logistics_client.put("/api/v1/kits/templates/aw26/", {"lines": [{"sku": "COAT", "quantity": 1}]})
    assert [line["sku"] for line in logistics_client.get("/api/v1/kits/templates/aw26/").json()["lines"]] == [
        "COAT"
    ]
    assert KitTemplate.objects.get(campaign=campaign).name == "Promotion pack + coat"


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], None),
        ([{"sku": "NOPE", "quantity": 1}], "Unknown SKU"),
        ([{"sku": "COAT", "quantity": 0}], None),
        ([{"sku": "COAT", "quantity": 1}, {"sku": "COAT", "quantity": 2}], "twice"),
        ([{"sku": "OLD", "quantity": 1}], "inactive"),
        ([{"sku": "USD-ITEM", "quantity": 1}], "priced in USD"),
        (["COAT"], None),
    ],
)
def test_a_bad_kit_template_answers_400_and_changes_nothing(logistics_client, campaign, lines, message):
    factories.ItemFactory(sku="COAT")
    factories.ItemFactory(sku="OLD", active=False)
    factories.ItemFactory(sku="USD-ITEM", currency="USD")
    response = logistics_client.put("/api/v1/kits/templates/aw26/", {"lines": lines})
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert body["errors"][0]["attr"].startswith("lines")
    if message:
        assert message in body["errors"][0]["detail"]
    assert not KitTemplate.objects.exists()


def test_a_campaign_without_kit_answers_404(logistics_client, campaign):
    assert logistics_client.get("/api/v1/kits/templates/aw26/").status_code == 404
    assert logistics_client.get("/api/v1/kits/templates/no-such-campaign/").status_code == 404


def test_kit_templates_are_for_logistics(marketing_client, campaign):
    response = marketing_client.put("/api/v1/kits/templates/aw26/", {"lines": [{"sku": "X", "quantity": 1}]})
    assert response.status_code == 403
