"""Catalogue items and stock receipts by the hundred, in one call, all or nothing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kits.models import Item, Stock, StockMovement
from kits.stock.services import BULK_MAX_RECEIPTS
from tests import factories

pytestmark = pytest.mark.django_db

ITEMS_URL = "/api/v1/kits/bulk/items/"
RECEIPTS_URL = "/api/v1/kits/bulk/receipts/"


def _item_row(number: int, **overrides):
    return {
        "sku": f"AW26-{number:03d}",
        "name": f"Coat {number}",
        "unit_cost": "10.00",
        "retail_price": "49.90",
        **overrides,
    }


def _many() -> int:
    """A batch size whose statements SQLite does not split (at 999 parameters); PostgreSQL sends one
    statement whatever the size, so there the batch is the largest allowed."""
    return 500 if connection.vendor == "postgresql" else 50


def _queries_of(client, url, body) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, body, format="json")
    assert response.status_code == 201, response.json()
    return len(queries)


def test_a_hundred_skus_are_created_in_one_call_each_with_an_empty_stock(logistics_client):
    response = logistics_client.post(ITEMS_URL, {"items": [_item_row(n) for n in range(101)]}, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()["items"]
    assert [row["sku"] for row in created] == [f"AW26-{n:03d}" for n in range(101)]
    assert {(row["on_hand"], row["available"]) for row in created} == {(0, 0)}
    assert Item.objects.count() == Stock.objects.count() == 101
    assert Item.objects.get(sku="AW26-007").name == "Coat 7"


def test_one_bad_row_refuses_the_whole_catalogue_batch_naming_each_row_and_field(logistics_client):
    factories.ItemFactory(sku="aw26-003")
    rows = [_item_row(n) for n in range(6)]
    rows[1]["unit_cost"] = "-1"  # refused by the field
    rows[3]["name"] = "Already there, whatever the case of its SKU"
    rows[5]["sku"] = "aw26-004"  # twice in the batch
    rows[2]["ean"] = rows[4]["ean"] = "4006381333931"
    response = logistics_client.post(ITEMS_URL, {"items": rows}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"code": "min_value", "detail": response.json()["errors"][0]["detail"], "attr": "items.1.unit_cost"}
    ]
    rows[1]["unit_cost"] = "1.00"
    response = logistics_client.post(ITEMS_URL, {"items": rows}, format="json")
    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert [(error["attr"], error["code"]) for error in response.json()["errors"]] == [
        ("items.3.sku", "duplicate_sku"),
        ("items.4.ean", "duplicate_ean"),
        ("items.5.sku", "duplicate_sku"),
    ]
    assert Item.objects.count() == 1  # nothing half-written


def test_the_catalogue_batch_has_a_documented_maximum(logistics_client):
    response = logistics_client.post(ITEMS_URL, {"items": [_item_row(n) for n in range(501)]}, format="json")
    assert response.status_code == 400
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [
        ("items.non_field_errors", "max_length")
    ]
    assert logistics_client.post(ITEMS_URL, {"items": []}, format="json").status_code == 400
    assert not Item.objects.exists()


def test_the_catalogue_batch_reads_and_writes_a_constant_number_of_queries(logistics_client):
    _queries_of(
        logistics_client, ITEMS_URL, {"items": [_item_row(999)]}
    )  # the staff member's roles, read once
    few = _queries_of(logistics_client, ITEMS_URL, {"items": [_item_row(n) for n in range(2)]})
    many = _queries_of(logistics_client, ITEMS_URL, {"items": [_item_row(n) for n in range(2, 2 + _many())]})
    assert many == few


def test_bulk_routes_are_for_logistics_staff_only(api_client, marketing_client):
    assert api_client.post(ITEMS_URL, {"items": [_item_row(1)]}, format="json").status_code in (401, 403)
    assert marketing_client.post(ITEMS_URL, {"items": [_item_row(1)]}, format="json").status_code == 403
    factories.ItemFactory(sku="AW26-001")
    body = {"receipts": [{"sku": "AW26-001", "quantity": 1}]}
    assert marketing_client.post(RECEIPTS_URL, body, format="json").status_code == 403
    assert not StockMovement.objects.exists()


def test_a_hundred_receipts_move_stock_in_one_call_with_one_ledger_line_each(
    logistics_client, logistics_user
):
    # given 101 SKUs, one of them with units already on hand
    items = [factories.ItemFactory(sku=f"AW26-{n:03d}") for n in range(101)]
    logistics_client.post("/api/v1/kits/items/AW26-000/receipts/", {"quantity": 5})
    receipts = [{"sku": item.sku, "quantity": 10 + n, "reason": "PO 77"} for n, item in enumerate(items)]
    receipts.append({"sku": "AW26-000", "quantity": 3})  # a second delivery of the same SKU
    # when
    response = logistics_client.post(RECEIPTS_URL, {"receipts": receipts}, format="json")
    # then
    assert response.status_code == 201, response.json()
    movements = response.json()["movements"]
    assert [(m["sku"], m["quantity"], m["kind"]) for m in movements[:2]] == [
        ("AW26-000", 10, "receipt"),
        ("AW26-001", 11, "receipt"),
    ]
    assert movements[-1]["by"] == logistics_user.email
    assert Stock.objects.get(item__sku="AW26-000").on_hand == 5 + 10 + 3
    assert Stock.objects.get(item__sku="AW26-100").on_hand == 110
    assert StockMovement.objects.count() == 1 + 102
    from tests.kits.conftest import assert_stock_matches_ledger

    assert_stock_matches_ledger()


def test_one_bad_receipt_refuses_the_whole_batch_and_no_stock_moves(logistics_client):
    factories.ItemFactory(sku="AW26-001")
    receipts = [
        {"sku": "AW26-001", "quantity": 4},
        {"sku": "NOPE-1", "quantity": 4},
        {"sku": "AW26-001", "quantity": 0},
        {"sku": "NOPE-2", "quantity": 4},
    ]
    response = logistics_client.post(RECEIPTS_URL, {"receipts": receipts}, format="json")
    assert response.status_code == 400
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [
        ("receipts.2.quantity", "min_value")
    ]
    receipts[2]["quantity"] = 1
    response = logistics_client.post(RECEIPTS_URL, {"receipts": receipts}, format="json")
    assert response.status_code == 400
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [
        ("receipts.1.sku", "unknown_sku"),
        ("receipts.3.sku", "unknown_sku"),
    ]
    assert Stock.objects.get(item__sku="AW26-001").on_hand == 0
    assert not StockMovement.objects.exists()
    too_many = {"receipts": [{"sku": "AW26-001", "quantity": 1}] * (BULK_MAX_RECEIPTS + 1)}
    response = logistics_client.post(RECEIPTS_URL, too_many, format="json")
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [
        ("receipts.non_field_errors", "max_length")
    ]


def test_the_receipt_batch_reads_and_writes_a_constant_number_of_queries(logistics_client):
    Item.objects.bulk_create(Item(sku=f"AW26-{n:03d}", unit_cost=1, retail_price=2) for n in range(_many()))
    Stock.objects.bulk_create(Stock(item=item) for item in Item.objects.all())

    def receipts(count: int) -> dict:
        return {"receipts": [{"sku": f"AW26-{n:03d}", "quantity": 1} for n in range(count)]}

    _queries_of(logistics_client, RECEIPTS_URL, receipts(1))  # the staff member's roles, read once
    assert _queries_of(logistics_client, RECEIPTS_URL, receipts(_many())) == _queries_of(
        logistics_client, RECEIPTS_URL, receipts(2)
    )
