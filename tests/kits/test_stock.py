import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.errors import Conflict, Invalid
from kits.models import MovementKind, Shipment, ShipmentLine, ShipmentStatus, Stock, StockMovement
from kits.shipments import services
from kits.shipments.services import ReturnedLine
from kits.stock.services import adjust_stock, receive_stock, write_off_stock
from tests import factories
from tests.kits.conftest import assert_stock_matches_ledger

pytestmark = pytest.mark.django_db


def test_receipt_adds_units_on_hand_through_the_api(logistics_client, logistics_user):
    item = factories.ItemFactory(sku="AW26-1")
    response = logistics_client.post(
        "/api/v1/kits/items/AW26-1/receipts/", {"quantity": 30, "reason": "PO 1234"}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["kind"] == "receipt"
    assert Stock.objects.get(item=item).on_hand == 30
    movement = StockMovement.objects.get(item=item)
    assert (movement.by, movement.reason) == (logistics_user, "PO 1234")


def test_adjustment_needs_a_reason_and_never_goes_below_allocated(logistics_client, allocated_shipment):
    url = "/api/v1/kits/items/COAT-NAVY-M/adjustments/"
    assert logistics_client.post(url, {"delta": -1}).status_code == 400
    assert logistics_client.post(url, {"delta": -1, "reason": "  "}).status_code == 400
    assert logistics_client.post(url, {"delta": 0, "reason": "count"}).status_code == 400
    # two coats on hand, both allocated: nothing can be removed
    refused = logistics_client.post(url, {"delta": -1, "reason": "count"})
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["code"] == "insufficient_stock"
    accepted = logistics_client.post(url, {"delta": 5, "reason": "found in bin A-02"})
    assert accepted.status_code == 201
    assert accepted.json()["on_hand_delta"] == 5
    assert Stock.objects.get(item__sku="COAT-NAVY-M").on_hand == 7
    assert_stock_matches_ledger()


def test_write_off_removes_only_free_units(logistics_client, allocated_shipment):
    url = "/api/v1/kits/items/COAT-NAVY-M/write-offs/"
    receive_stock(item=allocated_shipment.lines.get(item__sku="COAT-NAVY-M").item, quantity=1, by=None)
    assert logistics_client.post(url, {"quantity": 2, "reason": "moth"}).status_code == 409
    assert logistics_client.post(url, {"quantity": 1}).status_code == 400
    response = logistics_client.post(url, {"quantity": 1, "reason": "moth"})
    assert response.status_code == 201
    assert response.json()["on_hand_delta"] == -1
    assert_stock_matches_ledger()


@pytest.mark.parametrize(
    "payload", [{}, {"quantity": 0}, {"quantity": -3}, {"quantity": "many"}, {"quantity": 10**7}]
)
def test_bad_receipts_answer_400_and_write_nothing(logistics_client, payload):
    factories.ItemFactory(sku="AW26-1")
    response = logistics_client.post("/api/v1/kits/items/AW26-1/receipts/", payload)
    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert not StockMovement.objects.exists()


def test_receipt_for_an_unknown_sku_answers_404(logistics_client, db):
    assert logistics_client.post("/api/v1/kits/items/NOPE/receipts/", {"quantity": 1}).status_code == 404


def test_stock_api_is_for_logistics(marketing_client, db):
    factories.ItemFactory(sku="AW26-1")
    assert marketing_client.post("/api/v1/kits/items/AW26-1/receipts/", {"quantity": 1}).status_code == 403


def test_movement_ledger_is_listed_newest_first_with_constant_queries(
    logistics_client, allocated_shipment, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        response = logistics_client.get(f"/api/v1/kits/movements/?shipment={allocated_shipment.number}")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {row["kind"] for row in rows} == {"allocation"}
    assert len(rows) == 3
    assert (
        logistics_client.get("/api/v1/kits/movements/?sku=COAT-NAVY-M&kind=receipt").json()["results"][0][
            "quantity"
        ]
        == 2
    )


def test_the_database_refuses_stock_below_allocations(allocated_shipment):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), transaction.atomic():
        Stock.objects.filter(item__sku="COAT-NAVY-M").update(on_hand=1)


# --- property: any sequence of operations keeps stock equal to the ledger, never negative ----

operations = st.lists(
    st.one_of(
        st.tuples(st.just("receive"), st.integers(0, 2), st.integers(1, 6)),
        st.tuples(st.just("adjust"), st.integers(0, 2), st.integers(-4, 4)),
        st.tuples(st.just("write_off"), st.integers(0, 2), st.integers(1, 3)),
        st.tuples(st.just("allocate"), st.integers(0, 3), st.just(0)),
        st.tuples(st.just("cancel"), st.integers(0, 3), st.just(0)),
        st.tuples(st.just("pack"), st.integers(0, 3), st.just(0)),
        st.tuples(st.just("ship"), st.integers(0, 3), st.just(0)),
        st.tuples(st.just("deliver"), st.integers(0, 3), st.just(0)),
        st.tuples(st.just("return"), st.integers(0, 3), st.integers(0, 2)),
        st.tuples(st.just("close"), st.integers(0, 3), st.just(0)),
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(initial_kits=st.integers(0, 3), steps=operations)
def test_any_sequence_of_operations_keeps_stock_equal_to_the_ledger(kit_campaign, initial_kits, steps):
    with transaction.atomic():
        lines = list(kit_campaign.kit_template.lines.select_related("item").order_by("item_id"))
        items = [line.item for line in lines]
        for line in lines:
            if initial_kits:
                receive_stock(item=line.item, quantity=line.quantity * initial_kits, by=None)
        hosts = [factories.HostFactory(application__campaign=kit_campaign) for _ in range(4)]
        for action, index, amount in steps:
            host = hosts[index % len(hosts)]
            shipment = Shipment.objects.live().filter(host=host).first()
            try:
                if action == "receive":
                    receive_stock(item=items[index], quantity=amount, by=None)
                elif action == "adjust" and amount:
                    adjust_stock(item=items[index], delta=amount, reason="count", by=None)
                elif action == "write_off":
                    write_off_stock(item=items[index], quantity=amount, reason="lost", by=None)
                elif action == "allocate":
                    services.allocate_kit(host=host, by=None)
                elif shipment is None:
                    continue
                elif action == "cancel":
                    services.cancel_shipment(shipment=shipment, by=None)
                elif action == "pack":
                    services.mark_packed(shipment=shipment, by=None)
                elif action == "ship":
                    services.mark_shipped(shipment=shipment, carrier="DHL", tracking_number="T1", by=None)
                elif action == "deliver":
                    services.confirm_delivery(shipment=shipment, by=None)
                elif action == "return":
                    services.receive_return(
                        shipment=shipment,
                        lines=[ReturnedLine("COAT-NAVY-M", good=amount, damaged=1 if amount < 2 else 0)],
                        by=None,
                    )
                elif action == "close":
                    services.close_shipment(shipment=shipment, by=None)
            except (Conflict, Invalid):
                pass  # a refused operation must leave everything as it was
            assert_stock_matches_ledger(*items)
            # and the reservations are exactly the lines of the kits not shipped yet
            for item in items:
                reserved = sum(
                    ShipmentLine.objects.filter(
                        item=item, shipment__status__in=[ShipmentStatus.ALLOCATED, ShipmentStatus.PACKED]
                    ).values_list("quantity", flat=True)
                )
                assert Stock.objects.get(item=item).allocated == reserved
        assert not StockMovement.objects.filter(quantity__lte=0).exists()
        assert set(StockMovement.objects.values_list("kind", flat=True)) <= set(MovementKind.values)
        transaction.set_rollback(True)
