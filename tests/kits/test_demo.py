import pytest

from kits.demo import seed_kits
from kits.models import Item, KitSettlement, Shipment, ShipmentProblem, ShipmentStatus
from tests import factories
from tests.kits.conftest import assert_stock_matches_ledger

pytestmark = pytest.mark.django_db


def test_demo_builds_the_collection_and_kits_in_every_state():
    # given
    campaign = factories.CampaignFactory(collection_name="Autumn-winter 2026")
    hosts = [factories.HostFactory(application__campaign=campaign) for _ in range(10)]
    # when
    summary = seed_kits(campaign=campaign, hosts=hosts)
    # then
    assert summary == {"catalogue": 105, "kit_lines": 105, "shipments": 10}
    assert Item.objects.filter(returnable=False).count() == 5
    assert Item.objects.filter(returnable=True).count() == 100
    assert set(Shipment.objects.values_list("status", flat=True)) == set(ShipmentStatus.values)
    assert KitSettlement.objects.count() == 1
    assert ShipmentProblem.objects.exists()
    assert_stock_matches_ledger()
    # and a second run adds nothing
    assert seed_kits(campaign=campaign, hosts=hosts)["shipments"] == 0
    assert Shipment.objects.count() == 10
