"""One money rounding rule for orders, rewards and the report (`backend.money.round_money`).

Half a cent rounds up, as a person checking an amount by hand rounds it (and as the EU's rules for
euro amounts require). Each case below is a true half cent, where rounding half to even (Python's
default, which orders used before) gives the cent below: a test that would fail if either side went
back to it.
"""

from datetime import timedelta
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from django.utils import timezone

from backend.money import CENT
from orders.ingestion.refunds import record_shop_refund
from orders.ingestion.rules import OrderData, RefundData
from orders.ingestion.services import record_order
from orders.models import Order, OrderStatus
from referrals.codes.services import issue_host_code
from referrals.models import AttributedSale, LedgerEntry
from referrals.rewards.services import set_reward_plan
from tests.factories import HostFactory


def _half_even(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_EVEN)


def test_net_commissionable_amount_rounds_half_a_cent_up():
    # given 40.25 commissionable, and half of the 50.00 total refunded: 20.125 kept
    order = Order(
        status=OrderStatus.PARTIALLY_REFUNDED,
        commissionable_amount=Decimal("40.25"),
        total=Decimal("50.00"),
        refunded_amount=Decimal("25.00"),
    )
    exact = order.commissionable_amount * (order.total - order.refunded_amount) / order.total
    assert exact == Decimal("20.125") and _half_even(exact) == Decimal("20.12")
    # then the half cent goes up
    assert order.net_commissionable_amount == Decimal("20.13")


@pytest.fixture
def host():
    host = HostFactory(selected_at=timezone.now() - timedelta(days=60))
    set_reward_plan(
        campaign=host.campaign,
        by=None,
        party_brackets=[{"up_to": None, "rate": "0.10"}],
        host_code_rate=Decimal("0.05"),
    )
    return host


def _buy(host, external_id, *, subtotal, total):
    order, _ = record_order(
        source="api",
        data=OrderData(
            external_id=external_id,
            placed_at=timezone.now(),
            customer_email=f"{external_id}@example.com",
            currency="EUR",
            subtotal=Decimal(subtotal),
            shipping=Decimal(total) - Decimal(subtotal),
            total=Decimal(total),
            code=issue_host_code(host=host).code,
        ),
    )
    return order


@pytest.mark.django_db
def test_a_reward_rounds_half_a_cent_up(host):
    # given a plan paying 5 % on sales through the host's code
    exact = Decimal("12.50") * Decimal("0.05")
    assert exact == Decimal("0.625") and _half_even(exact) == Decimal("0.62")

    # when a 12.50 order comes through the code
    order = _buy(host, "half-cent-reward", subtotal="12.50", total="12.50")

    # then the host earns 0.63
    (entry,) = LedgerEntry.objects.filter(host=host, basis=f"order:{order.pk}")
    assert entry.amount == Decimal("0.63")


@pytest.mark.django_db
def test_the_report_row_keeps_the_orders_half_cent(host):
    # given an order of 40.25 commissionable (9.75 of shipping), half of its 50.00 refunded
    order = _buy(host, "half-cent-net", subtotal="40.25", total="50.00")
    record_shop_refund(
        order=order,
        source="api",
        data=RefundData(external_id="half-cent-refund", amount=Decimal("25.00"), refunded_at=timezone.now()),
    )

    # then the order, and the report's row of it, keep 20.13 (20.125 exactly)
    order.refresh_from_db()
    assert order.net_commissionable_amount == Decimal("20.13")
    assert AttributedSale.objects.get(order=order).net == Decimal("20.13")
