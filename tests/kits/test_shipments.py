from decimal import Decimal

import pytest

from ambassadors.models import KitReturnPolicy
from backend.errors import Conflict, Invalid, InvalidTransition
from kits.models import (
    SHIPMENT_TRANSITIONS,
    KitSettlement,
    MovementKind,
    Shipment,
    ShipmentStatus,
    Stock,
    StockMovement,
)
from kits.shipments import services
from kits.shipments.services import ReturnedLine
from kits.signals import kit_settled
from tests.kits.conftest import assert_stock_matches_ledger

pytestmark = pytest.mark.django_db

SHIP = {
    "carrier": "Colissimo",
    "tracking_number": "6A12345678901",
    "tracking_url": "https://track.example.com/6A1",
}


def _delivered(shipment):
    services.mark_packed(shipment=shipment, by=None)
    services.mark_shipped(shipment=shipment, by=None, **SHIP)
    return services.confirm_delivery(shipment=shipment, by=None)


def _stock(sku: str) -> tuple[int, int]:
    stock = Stock.objects.get(item__sku=sku)
    return stock.on_hand, stock.allocated


def test_full_life_of_a_kit_writes_one_history_row_per_transition(allocated_shipment, logistics_user):
    # when
    services.mark_packed(shipment=allocated_shipment, by=logistics_user)
    shipped = services.mark_shipped(shipment=allocated_shipment, by=logistics_user, **SHIP)
    services.confirm_delivery(shipment=allocated_shipment, by=allocated_shipment.host.user)
    services.receive_return(
        shipment=allocated_shipment, lines=[ReturnedLine("COAT-NAVY-M", good=2, damaged=0)], by=logistics_user
    )
    closed = services.close_shipment(shipment=allocated_shipment, by=logistics_user)
    # then
    assert (shipped.carrier, shipped.tracking_number, shipped.tracking_url) == (
        "Colissimo",
        "6A12345678901",
        "https://track.example.com/6A1",
    )
    assert closed.status == ShipmentStatus.CLOSED
    assert list(closed.history.values_list("from_status", "to_status")) == [
        ("", "allocated"),
        ("allocated", "packed"),
        ("packed", "shipped"),
        ("shipped", "delivered"),
        ("delivered", "returned"),
        ("returned", "closed"),
    ]
    assert closed.history.get(to_status="delivered").by == allocated_shipment.host.user
    assert all(
        [closed.packed_at, closed.shipped_at, closed.delivered_at, closed.returned_at, closed.closed_at]
    )
    assert_stock_matches_ledger()


ALL_MOVES = [
    (current, requested)
    for current in ShipmentStatus.values
    for requested in ShipmentStatus.values
    if requested not in SHIPMENT_TRANSITIONS[current] and requested != ShipmentStatus.ALLOCATED
]


@pytest.mark.parametrize(("current", "requested"), ALL_MOVES)
def test_every_illegal_transition_is_refused_with_current_and_allowed(allocated_shipment, current, requested):
    # given: the shipment forced into `current` (bypassing the services on purpose)
    type(allocated_shipment).objects.filter(pk=allocated_shipment.pk).update(status=current)
    allocated_shipment.refresh_from_db()
    history_before = allocated_shipment.history.count()
    # when
    with pytest.raises(InvalidTransition) as refused:
        services._transition(shipment=allocated_shipment, to=requested, by=None)
    # then
    assert refused.value.extra == {
        "current": current,
        "requested": requested,
        "allowed": sorted(SHIPMENT_TRANSITIONS[current]),
    }
    allocated_shipment.refresh_from_db()
    assert allocated_shipment.status == current
    assert allocated_shipment.history.count() == history_before


def test_shipping_an_allocated_kit_answers_409_with_current_and_allowed(logistics_client, allocated_shipment):
    response = logistics_client.post(f"/api/v1/kits/shipments/{allocated_shipment.number}/ship/", SHIP)
    assert response.status_code == 409
    body = response.json()
    assert body["errors"][0]["code"] == "invalid_transition"
    assert body["extra"] == {
        "current": "allocated",
        "requested": "shipped",
        "allowed": ["cancelled", "packed"],
    }
    assert _stock("COAT-NAVY-M") == (2, 2)


def test_delivery_cannot_be_confirmed_twice(allocated_shipment):
    _delivered(allocated_shipment)
    with pytest.raises(InvalidTransition):
        services.confirm_delivery(shipment=allocated_shipment, by=None)


def test_shipping_takes_the_units_out_of_stock(allocated_shipment):
    assert _stock("COAT-NAVY-M") == (2, 2)
    services.mark_packed(shipment=allocated_shipment, by=None)
    services.mark_shipped(shipment=allocated_shipment, by=None, **SHIP)
    assert _stock("COAT-NAVY-M") == (0, 0)
    assert StockMovement.objects.filter(shipment=allocated_shipment, kind=MovementKind.SHIPMENT).count() == 3
    assert_stock_matches_ledger()


@pytest.mark.parametrize("via_packed", [False, True])
def test_cancelling_releases_the_stock(allocated_shipment, via_packed):
    if via_packed:
        services.mark_packed(shipment=allocated_shipment, by=None)
    services.cancel_shipment(shipment=allocated_shipment, by=None, reason="host withdrew")
    cancelled = Shipment.objects.get(pk=allocated_shipment.pk)  # what was stored, not what was returned
    assert cancelled.status == ShipmentStatus.CANCELLED
    assert _stock("COAT-NAVY-M") == (2, 0)
    assert cancelled.history.last().reason == "host withdrew"
    assert_stock_matches_ledger()


def test_a_shipped_kit_cannot_be_cancelled(allocated_shipment):
    services.mark_packed(shipment=allocated_shipment, by=None)
    services.mark_shipped(shipment=allocated_shipment, by=None, **SHIP)
    with pytest.raises(InvalidTransition):
        services.cancel_shipment(shipment=allocated_shipment, by=None)
    assert _stock("COAT-NAVY-M") == (0, 0)


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"carrier": "", "tracking_number": "X1"},
        {"carrier": "DHL", "tracking_number": ""},
        {"carrier": "DHL", "tracking_number": "X1", "tracking_url": "not a url"},
        {"carrier": "D" * 51, "tracking_number": "X1"},
    ],
)
def test_ship_api_rejects_bad_input_and_writes_nothing(logistics_client, allocated_shipment, payload):
    services.mark_packed(shipment=allocated_shipment, by=None)
    response = logistics_client.post(f"/api/v1/kits/shipments/{allocated_shipment.number}/ship/", payload)
    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    allocated_shipment.refresh_from_db()
    assert allocated_shipment.status == ShipmentStatus.PACKED


def test_shipment_api_walks_the_states(logistics_client, allocated_shipment):
    base = f"/api/v1/kits/shipments/{allocated_shipment.number}"
    assert logistics_client.post(f"{base}/pack/").json()["status"] == "packed"
    assert logistics_client.post(f"{base}/ship/", SHIP).json()["tracking_number"] == SHIP["tracking_number"]
    assert logistics_client.post(f"{base}/deliver/").json()["status"] == "delivered"
    returned = logistics_client.post(
        f"{base}/returns/", {"lines": [{"sku": "COAT-NAVY-M", "good": 1, "damaged": 1}]}
    )
    assert returned.status_code == 200, returned.json()
    coat = next(line for line in returned.json()["lines"] if line["sku"] == "COAT-NAVY-M")
    assert (coat["returned_good"], coat["returned_damaged"], coat["missing"]) == (1, 1, 0)
    closed = logistics_client.post(f"{base}/close/", {"reason": "season over"}).json()
    assert closed["status"] == "closed"
    assert closed["settlement"]["missing_units"] == 1  # the dress
    assert [entry["to_status"] for entry in closed["history"]][-1] == "closed"


def test_shipment_api_is_for_logistics_only(marketing_client, api_client, allocated_shipment):
    assert marketing_client.get("/api/v1/kits/shipments/").status_code == 403
    assert api_client.get("/api/v1/kits/shipments/").status_code in (401, 403)
    assert (
        marketing_client.post(f"/api/v1/kits/shipments/{allocated_shipment.number}/pack/").status_code == 403
    )


def test_unknown_shipment_answers_404(logistics_client, db):
    response = logistics_client.post("/api/v1/kits/shipments/KIT-2026-999999/pack/")
    assert response.status_code == 404
    assert response.json()["type"] == "client_error"


def test_shipment_list_is_filtered_and_its_query_count_is_constant(
    logistics_client, kit_campaign, stock_for_kits, django_assert_max_num_queries
):
    from tests import factories

    stock_for_kits(6)
    for _ in range(6):
        services.allocate_kit(host=factories.HostFactory(application__campaign=kit_campaign), by=None)
    with django_assert_max_num_queries(8):
        response = logistics_client.get(
            f"/api/v1/kits/shipments/?campaign={kit_campaign.slug}&status=allocated"
        )
    assert response.status_code == 200
    assert response.json()["total"] == 6
    assert logistics_client.get("/api/v1/kits/shipments/?status=shipped").json()["total"] == 0


# --- returns ---------------------------------------------------------------------------------


def test_return_puts_good_units_back_and_records_damaged_ones(allocated_shipment):
    # given
    _delivered(allocated_shipment)
    # when
    returned = services.receive_return(
        shipment=allocated_shipment, lines=[ReturnedLine("COAT-NAVY-M", good=1, damaged=1)], by=None
    )
    # then
    assert returned.status == ShipmentStatus.RETURNED
    assert _stock("COAT-NAVY-M") == (1, 0)
    kinds = StockMovement.objects.filter(shipment=allocated_shipment, item__sku="COAT-NAVY-M")
    assert set(kinds.values_list("kind", "quantity")) >= {
        (MovementKind.RETURN_GOOD, 1),
        (MovementKind.RETURN_DAMAGED, 1),
    }
    assert_stock_matches_ledger()


def test_returns_may_come_in_several_parcels(allocated_shipment):
    _delivered(allocated_shipment)
    services.receive_return(shipment=allocated_shipment, lines=[ReturnedLine("COAT-NAVY-M", 1, 0)], by=None)
    services.receive_return(
        shipment=allocated_shipment,
        lines=[ReturnedLine("COAT-NAVY-M", 1, 0), ReturnedLine("DRESS-RED-S", 0, 1)],
        by=None,
    )
    assert _stock("COAT-NAVY-M") == (2, 0)
    assert allocated_shipment.history.filter(to_status="returned").count() == 1
    assert_stock_matches_ledger()


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ([ReturnedLine("COAT-NAVY-M", 2, 1)], "too_many_returned"),
        ([ReturnedLine("NOT-IN-KIT", 1, 0)], "unknown_sku"),
        ([ReturnedLine("PROMO-PACK", 1, 0)], "not_returnable"),
        ([ReturnedLine("COAT-NAVY-M", 0, 0)], "invalid"),
        ([ReturnedLine("COAT-NAVY-M", -1, 2)], "invalid"),
        ([ReturnedLine("COAT-NAVY-M", 1, 0), ReturnedLine("COAT-NAVY-M", 1, 0)], "duplicate_sku"),
        ([], "invalid"),
    ],
)
def test_bad_returns_are_refused_and_write_nothing(allocated_shipment, lines, code):
    _delivered(allocated_shipment)
    before = StockMovement.objects.count()
    with pytest.raises(Invalid) as refused:
        services.receive_return(shipment=allocated_shipment, lines=lines, by=None)
    assert refused.value.code == code
    assert StockMovement.objects.count() == before
    allocated_shipment.refresh_from_db()
    assert allocated_shipment.status == ShipmentStatus.DELIVERED


def test_a_return_before_delivery_is_refused(allocated_shipment):
    with pytest.raises(InvalidTransition) as refused:
        services.receive_return(
            shipment=allocated_shipment, lines=[ReturnedLine("COAT-NAVY-M", 1, 0)], by=None
        )
    assert refused.value.extra["current"] == "allocated"


def test_return_api_rejects_malformed_lines(logistics_client, allocated_shipment):
    _delivered(allocated_shipment)
    url = f"/api/v1/kits/shipments/{allocated_shipment.number}/returns/"
    for payload in (
        {},
        {"lines": []},
        {"lines": [{"good": 1}]},
        {"lines": [{"sku": "COAT-NAVY-M", "good": -1}]},
    ):
        response = logistics_client.post(url, payload)
        assert response.status_code == 400, payload
        assert response.json()["type"] == "validation_error"
    assert (
        logistics_client.post(url, {"lines": [{"sku": "X", "good": 1}]}).json()["errors"][0]["attr"]
        == "lines"
    )


# --- settlement of missing items -------------------------------------------------------------

# Kit: 2 coats (cost 40.00, retail 129.00), 1 dress (cost 15.50, retail 59.90), 1 promo pack (not returnable).
# One coat comes back good, the dress comes back damaged: one coat is missing.


@pytest.mark.parametrize(
    ("policy", "amount"),
    [
        (KitReturnPolicy.DEDUCT_RETAIL, Decimal("129.00")),
        (KitReturnPolicy.DEDUCT_COST, Decimal("40.00")),
        (KitReturnPolicy.GIFT, Decimal("0.00")),
        (KitReturnPolicy.WRITE_OFF, Decimal("0.00")),
    ],
)
def test_missing_items_are_settled_by_the_campaign_policy(allocated_shipment, policy, amount):
    # given
    campaign = allocated_shipment.campaign
    campaign.kit_return_policy = policy
    campaign.save()
    _delivered(allocated_shipment)
    services.receive_return(
        shipment=allocated_shipment,
        lines=[ReturnedLine("COAT-NAVY-M", 1, 0), ReturnedLine("DRESS-RED-S", 0, 1)],
        by=None,
    )
    received = []

    def listener(sender, settlement, **kwargs):
        received.append(settlement)

    kit_settled.connect(listener, dispatch_uid="test-listener")
    try:
        # when
        services.close_shipment(shipment=allocated_shipment, by=None)
    finally:
        kit_settled.disconnect(dispatch_uid="test-listener")
    # then
    settlement = KitSettlement.objects.get(shipment=allocated_shipment)
    assert settlement.policy == policy
    assert settlement.missing_units == 1
    assert settlement.missing_cost_value == Decimal("40.00")
    assert settlement.missing_retail_value == Decimal("129.00")
    assert settlement.amount_to_deduct == amount
    assert settlement.currency == "EUR"
    assert settlement.host == allocated_shipment.host
    assert settlement.missing_lines == [
        {"sku": "COAT-NAVY-M", "missing": 1, "unit_cost": "40.00", "retail_price": "129.00"}
    ]
    assert received == [settlement]
    assert (settlement in KitSettlement.objects.to_deduct()) == (amount > 0)


def test_closing_a_delivered_kit_with_nothing_back_settles_every_returnable_unit(allocated_shipment):
    _delivered(allocated_shipment)
    services.close_shipment(shipment=allocated_shipment, by=None)
    settlement = allocated_shipment.settlement
    assert settlement.missing_units == 3
    assert settlement.missing_cost_value == Decimal("95.50")
    assert settlement.amount_to_deduct == Decimal("95.50")  # the default policy deducts at cost


def test_settlement_happens_once_per_shipment(allocated_shipment):
    _delivered(allocated_shipment)
    closed = services.close_shipment(shipment=allocated_shipment, by=None)
    again = services.settle_missing_kit_items(shipment=closed, by=None)
    assert again == closed.settlement
    assert KitSettlement.objects.count() == 1
    with pytest.raises(InvalidTransition):
        services.close_shipment(shipment=closed, by=None)


def test_settlements_are_listed_for_staff(
    marketing_client, allocated_shipment, django_assert_max_num_queries
):
    _delivered(allocated_shipment)
    services.close_shipment(shipment=allocated_shipment, by=None)
    with django_assert_max_num_queries(6):
        response = marketing_client.get(
            f"/api/v1/kits/settlements/?campaign={allocated_shipment.campaign.slug}"
        )
    assert response.status_code == 200
    row = response.json()["results"][0]
    assert (row["shipment"], row["amount_to_deduct"], row["currency"]) == (
        allocated_shipment.number,
        "95.50",
        "EUR",
    )


def test_problems_can_be_reported_only_once_the_kit_has_left(allocated_shipment):
    with pytest.raises(Conflict):
        services.report_kit_problem(shipment=allocated_shipment, by=None, kind="missing", description="x")
