import re

import pytest
from django.db import transaction

from ambassadors.recruitment.selection import select_application
from ambassadors.signals import host_selected
from backend.errors import Conflict
from kits.models import MovementKind, Shipment, ShipmentStatus, Stock, StockMovement
from kits.shipments import services
from kits.stock.services import adjust_stock, write_off_stock
from tests import factories
from tests.kits.conftest import assert_stock_matches_ledger

pytestmark = pytest.mark.django_db


def test_allocation_reserves_every_line_and_copies_lines_and_ship_to(kit_campaign, stock_for_kits):
    # given
    stock_for_kits(2)
    host = factories.HostFactory(
        application__campaign=kit_campaign,
        application__first_name="Zoë",
        application__last_name="Łukasiewicz-Nuñez",
        application__address_line1="12 rue des Lilas",
        application__phone="+33612345678",
    )
    # when
    shipment = services.allocate_kit(host=host, by=None)
    # then
    assert re.fullmatch(rf"KIT-{shipment.allocated_at.year}-\d{{6}}", shipment.number)
    assert shipment.status == ShipmentStatus.ALLOCATED
    assert shipment.ship_to_name == "Zoë Łukasiewicz-Nuñez"
    assert shipment.ship_to_line1 == "12 rue des Lilas"
    assert str(shipment.ship_to_phone) == "+33612345678"
    assert str(shipment.return_due_on) == "2027-03-31"
    lines = {line.item.sku: line for line in shipment.lines.select_related("item")}
    assert {sku: line.quantity for sku, line in lines.items()} == {
        "PROMO-PACK": 1,
        "COAT-NAVY-M": 2,
        "DRESS-RED-S": 1,
    }
    assert lines["COAT-NAVY-M"].retail_price == lines["COAT-NAVY-M"].item.retail_price
    assert lines["PROMO-PACK"].returnable is False
    coat = Stock.objects.get(item__sku="COAT-NAVY-M")
    assert (coat.on_hand, coat.allocated) == (4, 2)
    assert list(shipment.history.values_list("from_status", "to_status")) == [("", "allocated")]
    assert_stock_matches_ledger()


def test_ship_to_is_a_snapshot_that_later_address_changes_do_not_touch(allocated_shipment):
    host = allocated_shipment.host
    host.address_line1 = "1 new street"
    host.save()
    allocated_shipment.refresh_from_db()
    assert allocated_shipment.ship_to_line1 != "1 new street"


def test_allocation_refuses_when_any_line_is_short_and_lists_every_short_sku(kit_campaign, stock_for_kits):
    # given: stock for one kit, then one coat and the dress taken away
    stock_for_kits(1)
    adjust_stock(
        item=kit_campaign.kit_template.lines.get(item__sku="COAT-NAVY-M").item,
        delta=-1,
        reason="count",
        by=None,
    )
    write_off_stock(
        item=kit_campaign.kit_template.lines.get(item__sku="DRESS-RED-S").item,
        quantity=1,
        reason="torn",
        by=None,
    )
    host = factories.HostFactory(application__campaign=kit_campaign)
    before = StockMovement.objects.count()
    # when
    with pytest.raises(Conflict) as refused:
        services.allocate_kit(host=host, by=None)
    # then: all short SKUs are listed, nothing was reserved, no shipment exists
    assert refused.value.code == "short_stock"
    assert refused.value.extra == {
        "short": [
            {"sku": "COAT-NAVY-M", "needed": 2, "available": 1},
            {"sku": "DRESS-RED-S", "needed": 1, "available": 0},
        ]
    }
    assert StockMovement.objects.count() == before
    assert not Shipment.objects.exists()
    assert Stock.objects.get(item__sku="PROMO-PACK").allocated == 0


def test_a_host_gets_one_kit_per_campaign(allocated_shipment, stock_for_kits):
    stock_for_kits(1)
    with pytest.raises(Conflict) as refused:
        services.allocate_kit(host=allocated_shipment.host, by=None)
    assert refused.value.code == "already_allocated"


def test_a_cancelled_kit_can_be_allocated_again(allocated_shipment):
    services.cancel_shipment(shipment=allocated_shipment, by=None, reason="address wrong")
    again = services.allocate_kit(host=allocated_shipment.host, by=None)
    assert again.number != allocated_shipment.number
    assert_stock_matches_ledger()


def test_allocation_without_kit_template_is_refused(db):
    host = factories.HostFactory()
    with pytest.raises(Conflict) as refused:
        services.allocate_kit(host=host, by=None)
    assert refused.value.code == "no_kit_template"


def test_selecting_a_host_allocates_the_kit(kit_campaign, stock_for_kits, marketing_user):
    stock_for_kits(1)
    application = factories.ApplicationFactory(campaign=kit_campaign)
    host = select_application(application=application, by=marketing_user)
    shipment = Shipment.objects.get(host=host)
    assert shipment.status == ShipmentStatus.ALLOCATED
    assert shipment.history.get().by == marketing_user


def test_selection_succeeds_without_allocation_when_stock_is_short(kit_campaign, stock_for_kits):
    # given: stock for one kit only
    stock_for_kits(1)
    first = select_application(application=factories.ApplicationFactory(campaign=kit_campaign), by=None)
    # when: a second host is selected
    second = select_application(application=factories.ApplicationFactory(campaign=kit_campaign), by=None)
    # then: the selection stands, the second host simply has no kit yet
    assert second.application.status == "selected"
    assert Shipment.objects.filter(host=first).exists()
    assert not Shipment.objects.filter(host=second).exists()
    assert_stock_matches_ledger()


def test_selection_in_a_campaign_without_kit_template_gives_no_kit(db):
    host = factories.HostFactory()
    with transaction.atomic():
        host_selected.send(sender=type(host), host=host, by=None)
    assert not Shipment.objects.exists()


def test_on_demand_allocation_api(logistics_client, kit_campaign, stock_for_kits):
    stock_for_kits(1)
    host = factories.HostFactory(application__campaign=kit_campaign)
    response = logistics_client.post("/api/v1/kits/shipments/", {"host": host.pk})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "allocated"
    assert body["ship_to"]["phone"] == str(host.phone)
    assert body["total_units"] == 4
    assert [line["sku"] for line in body["lines"]]


def test_on_demand_allocation_api_answers_409_with_the_short_skus(logistics_client, kit_campaign):
    host = factories.HostFactory(application__campaign=kit_campaign)
    response = logistics_client.post("/api/v1/kits/shipments/", {"host": host.pk})
    assert response.status_code == 409
    body = response.json()
    assert body["type"] == "client_error"
    assert body["errors"][0]["code"] == "short_stock"
    assert {entry["sku"] for entry in body["extra"]["short"]} == {"PROMO-PACK", "COAT-NAVY-M", "DRESS-RED-S"}
    assert not Shipment.objects.exists()


@pytest.mark.parametrize("payload", [{}, {"host": 999999}, {"host": "abc"}, {"host": None}, {"host": [1]}])
def test_on_demand_allocation_api_rejects_bad_input(logistics_client, kit_campaign, payload):
    response = logistics_client.post("/api/v1/kits/shipments/", payload)
    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert not Shipment.objects.exists()


@pytest.mark.parametrize(
    "sent",
    [lambda pk: pk + 0.7, lambda pk: float(pk), lambda pk: f"{pk}.0", lambda pk: True],
    ids=["fraction", "float", "decimal text", "boolean"],
)
def test_a_host_id_is_a_whole_number_never_rounded_to_another_host(
    logistics_client, kit_campaign, stock_for_kits, sent
):
    # given a host that a rounded number would name
    stock_for_kits(1)
    host = factories.HostFactory(application__campaign=kit_campaign)
    # when
    response = logistics_client.post("/api/v1/kits/shipments/", {"host": sent(host.pk)}, format="json")
    # then nobody gets a kit
    assert response.status_code == 400, response.json()
    error = response.json()["errors"][0]
    assert (error["code"], error["attr"]) == ("incorrect_type", "host")
    assert not Shipment.objects.exists()


def test_a_fractional_host_id_in_a_filter_is_refused(logistics_client, allocated_shipment):
    host = allocated_shipment.host.pk

    assert logistics_client.get("/api/v1/kits/shipments/", {"host": f"{host}.7"}).status_code == 400
    assert logistics_client.get("/api/v1/kits/settlements/", {"host": f"{host}.0"}).status_code == 400
    assert logistics_client.get("/api/v1/kits/shipments/", {"host": host}).json()["total"] == 1


def test_a_host_id_in_a_form_is_its_digits(logistics_client, kit_campaign, stock_for_kits):
    stock_for_kits(1)
    host = factories.HostFactory(application__campaign=kit_campaign)

    response = logistics_client.post("/api/v1/kits/shipments/", {"host": str(host.pk)}, format="multipart")

    assert response.status_code == 201
    assert Shipment.objects.get().host == host


def test_allocation_movements_are_in_the_ledger(allocated_shipment):
    kinds = set(StockMovement.objects.filter(shipment=allocated_shipment).values_list("kind", flat=True))
    assert kinds == {MovementKind.ALLOCATION}


def test_a_banned_host_gets_no_kit(kit_campaign, stock_for_kits):
    stock_for_kits(1)
    host = factories.HostFactory(application__campaign=kit_campaign, status="banned")
    with pytest.raises(Conflict) as refused:
        services.allocate_kit(host=host, by=None)
    assert refused.value.code == "host_banned"
    assert Stock.objects.get(item__sku="COAT-NAVY-M").allocated == 0
