"""Helpers of the kits tests: a campaign with a kit template and stock."""

from collections.abc import Callable

import pytest
from django.db.models import Sum

from kits.catalogue.services import set_kit_template
from kits.models import Item, Shipment, Stock, StockMovement
from kits.shipments import services
from kits.stock.services import receive_stock
from tests import factories


def assert_stock_matches_ledger(*items: Item) -> None:
    """On-hand and allocated equal the sums of the ledger, and never go negative."""
    for item in items or Item.objects.all():
        stock = Stock.objects.get(item=item)
        sums = StockMovement.objects.filter(item=item).aggregate(
            on_hand=Sum("on_hand_delta", default=0), allocated=Sum("allocated_delta", default=0)
        )
        assert (stock.on_hand, stock.allocated) == (sums["on_hand"], sums["allocated"]), item.sku
        assert 0 <= stock.allocated <= stock.on_hand, item.sku


@pytest.fixture
def kit_campaign(db):
    """A campaign whose kit is 1 promotion pack (not returnable) + 2 coats + 1 dress (returnable)."""
    campaign = factories.CampaignFactory(kit_return_due_on="2027-03-31")
    promo = factories.ItemFactory(
        sku="PROMO-PACK", name="Promotion pack", returnable=False, unit_cost="5.00", retail_price="0.00"
    )
    coat = factories.ItemFactory(
        sku="COAT-NAVY-M", name="Wool coat", unit_cost="40.00", retail_price="129.00"
    )
    dress = factories.ItemFactory(
        sku="DRESS-RED-S", name="Knit dress", colour="Red", size="S", unit_cost="15.50", retail_price="59.90"
    )
    set_kit_template(campaign=campaign, lines=[(promo, 1), (coat, 2), (dress, 1)], by=None)
    return campaign


@pytest.fixture
def stock_for_kits(kit_campaign) -> Callable[[int], None]:
    """Receive exactly enough stock for `n` kits of the campaign."""

    def receive(n: int) -> None:
        for line in kit_campaign.kit_template.lines.select_related("item"):
            receive_stock(item=line.item, quantity=line.quantity * n, by=None, reason="initial")

    return receive


@pytest.fixture
def allocated_shipment(kit_campaign, stock_for_kits) -> Shipment:
    stock_for_kits(1)
    host = factories.HostFactory(application__campaign=kit_campaign)
    return services.allocate_kit(host=host, by=None)
