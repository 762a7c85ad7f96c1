"""The body the import API answers for an order created now (`bodies_without_refunds`, read field by
field without DRF's generic loop) is the one `ShopOrderSerializer` gives, whatever the currency."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from orders.ingestion.serializers import ShopOrderSerializer
from orders.models import Order, OrderSource

pytestmark = pytest.mark.django_db


def _order(external_id: str, currency: str, total: str) -> Order:
    return Order.objects.create(
        source=OrderSource.API,
        external_id=external_id,
        placed_at=datetime(2026, 7, 3, 22, 4, 5, 120000, tzinfo=UTC),  # another day in Paris
        customer_email="lea.martin@example.com",
        currency=currency,
        subtotal=Decimal(total),
        discount=Decimal("0"),
        total=Decimal(total),
        commissionable_amount=Decimal(total),
        fingerprint="f" * 64,
    )


def test_bodies_are_the_serializers():
    orders = [_order("B-1", "EUR", "118.5"), _order("B-2", "KWD", "5.125"), _order("B-3", "JPY", "10000")]
    fast = ShopOrderSerializer().bodies_without_refunds(orders)
    assert fast == ShopOrderSerializer(orders, many=True).data
    assert [body["total"] for body in fast] == ["118.50", "5.125", "10000.00"]
    assert fast[0]["placed_at"] == "2026-07-04T00:04:05.120000+02:00"
    assert [list(body) for body in fast] == [list(ShopOrderSerializer.Meta.fields)] * 3
