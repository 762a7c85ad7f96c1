"""Concurrent Shopify and WooCommerce deliveries on PostgreSQL (SQLite serialises writers)."""

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from backend.money import round_money
from orders.models import Order, Refund, ShopEvent, ShopPlatform
from referrals.codes.services import issue_host_code
from referrals.models import LedgerEntry
from referrals.rewards.services import set_reward_plan
from tests.factories import HostFactory
from tests.orders import shop_payloads as sh
from tests.orders.test_concurrency import announcements, run_together  # noqa: F401 - a fixture

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def host_code():
    host = HostFactory(selected_at=timezone.now() - timedelta(days=60))
    set_reward_plan(campaign=host.campaign, by=None, host_code_rate=Decimal("0.05"))
    return host, issue_host_code(host=host).code


def test_twenty_concurrent_shopify_deliveries_of_one_webhook_give_one_order_and_one_reward(
    announcements,  # noqa: F811
    host_code,
):
    host, code = host_code
    sh.shop("maison")
    payload = sh.shopify_order(code=code, currency="EUR")

    statuses = run_together(20, lambda _: sh.post_shopify(Client(), payload, webhook_id="same").status_code)

    assert statuses == [200] * 20
    assert Order.objects.count() == 1
    assert ShopEvent.objects.count() == 1
    assert announcements == [Order.objects.get().pk]
    assert LedgerEntry.objects.filter(host=host).count() == 1


def test_twenty_concurrent_shopify_topics_of_one_order_give_one_order(announcements):  # noqa: F811
    sh.shop("maison")
    payload = sh.shopify_order()

    statuses = run_together(
        20,
        lambda i: sh.post_shopify(
            Client(), payload, topic="orders/paid" if i % 2 else "orders/create", webhook_id=f"w{i}"
        ).status_code,
    )

    assert Counter(statuses) == {200: 20}
    assert Order.objects.count() == 1
    assert ShopEvent.objects.count() == 20
    assert announcements == [Order.objects.get().pk]


def test_concurrent_woocommerce_updates_with_refunds_give_one_order_and_each_refund_once(
    announcements,  # noqa: F811
    host_code,
):
    host, code = host_code
    sh.shop("boutique", platform=ShopPlatform.WOOCOMMERCE)

    def deliver(i: int) -> int:
        payload = sh.woocommerce_order(
            "woocommerce/order_refunded.json",
            code=code,
            currency="EUR",
            modified=timezone.now() - timedelta(seconds=i),
        )
        return sh.post_woocommerce(Client(), payload, topic="order.updated", delivery_id=f"d{i}").status_code

    statuses = run_together(12, deliver)

    assert statuses == [200] * 12
    assert Order.objects.count() == 1
    assert sorted(Refund.objects.values_list("external_id", flat=True)) == ["boutique:724", "boutique:726"]
    assert Order.objects.get().refunded_amount == Decimal("19.00")
    # one reward for the sale and one reversal per refund, never twice: the host keeps 5 % of what
    # the buyer kept
    entries = LedgerEntry.objects.filter(host=host)
    assert entries.count() == 3
    kept = Order.objects.get().net_commissionable_amount
    assert sum(entry.amount for entry in entries) == round_money(kept * Decimal("0.05"))
