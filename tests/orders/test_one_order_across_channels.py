"""One shop order is one order whichever channel brings it: the import API and the CSV command
share the shop's order and refund ids (SPEC §15)."""

from decimal import Decimal

import pytest
from django.utils import timezone

from orders.models import Order, OrderSource, Refund
from tests.orders.test_import_api import order_payload
from tests.orders.test_import_csv import PLACED, row, run, write_csv

pytestmark = pytest.mark.django_db


def _api_order(**overrides):
    # the same sale as the CSV row of the same id
    payload = order_payload(
        placed_at=PLACED,
        customer_email="Lea@Example.com",
        landing_token="",
        lines=[
            {"sku": "JKT-42", "quantity": 1, "unit_price": "90.00"},
            {"sku": "SCF-7", "quantity": 2, "unit_price": "15.00"},
        ],
    )
    payload.update(overrides)
    return payload


def test_an_order_sent_through_the_api_then_in_a_csv_file_is_one_order(shop_client, tmp_path):
    assert (
        shop_client.post("/api/v1/orders/", _api_order(external_id="SHOP-1"), format="json").status_code
        == 201
    )

    out, _, ok = run(write_csv(tmp_path, [row("SHOP-1")]))

    assert ok
    assert "0 created, 0 updated (new refunds), 1 unchanged, 0 rejected." in out
    assert Order.objects.get().source == OrderSource.API


def test_a_csv_order_sent_again_through_the_api_is_one_order(shop_client, tmp_path):
    run(write_csv(tmp_path, [row("SHOP-1")]))

    response = shop_client.post("/api/v1/orders/", _api_order(external_id="SHOP-1"), format="json")
    batch = shop_client.post("/api/v1/orders/", {"orders": [_api_order(external_id="SHOP-1")]}, format="json")

    assert response.status_code == 200
    assert batch.json()["created"] == 0
    assert Order.objects.count() == 1


def test_other_content_under_the_same_shop_id_is_a_visible_conflict(shop_client, tmp_path):
    shop_client.post("/api/v1/orders/", _api_order(external_id="SHOP-1"), format="json")

    out, err, ok = run(write_csv(tmp_path, [row("SHOP-1", total="119.00", shipping="6.00")]))

    assert not ok
    assert "1 rejected" in out
    assert "order_conflict" in out + err
    assert Order.objects.count() == 1


def test_a_refund_sent_through_both_channels_is_refunded_once(shop_client, tmp_path):
    now = timezone.now().replace(microsecond=0).isoformat()
    refund = {"refund_id": "RF-1", "amount": "18.00", "refunded_at": now}
    shop_client.post("/api/v1/orders/", _api_order(external_id="SHOP-1", refunds=[refund]), format="json")

    out, _, ok = run(
        write_csv(tmp_path, [row("SHOP-1", refund_id="RF-1", refund_amount="18.00", refunded_at=now)])
    )

    assert ok
    assert Refund.objects.count() == 1
    assert Order.objects.get().refunded_amount == Decimal("18.00")
