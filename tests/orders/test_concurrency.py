"""Concurrent deliveries on PostgreSQL (SQLite serialises writers and would hide the races)."""

import threading
from collections import Counter
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from orders.models import Order, OrderStatus, Refund, StripeEvent
from orders.signals import order_recorded
from tests.orders import stripe_payloads as sp
from tests.orders.test_import_api import order_payload

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(count: int, work: Callable[[int], int]) -> list[int]:
    """Start `count` threads at once; each returns a status code."""
    barrier = threading.Barrier(count)
    results: list[int] = []
    lock = threading.Lock()

    def target(index: int) -> None:
        try:
            barrier.wait()
            status = work(index)
        finally:
            connection.close()
        with lock:
            results.append(status)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def announcements():
    seen: list[int] = []
    lock = threading.Lock()

    def receiver(**kwargs):
        with lock:
            seen.append(kwargs["order"].pk)

    order_recorded.connect(receiver, weak=False, dispatch_uid="concurrency")
    yield seen
    order_recorded.disconnect(dispatch_uid="concurrency")


def test_twenty_concurrent_deliveries_of_one_event_give_one_order(announcements):
    payload = sp.event("checkout.session.completed", sp.checkout_session())

    statuses = run_together(20, lambda _: sp.post_event(Client(), payload).status_code)

    assert statuses == [200] * 20
    assert Order.objects.count() == 1
    assert StripeEvent.objects.count() == 1
    assert announcements == [Order.objects.get().pk]


def test_twenty_concurrent_imports_of_one_order_give_one_order(shop_key, announcements):
    payload = order_payload("SHOP-RACE")

    def post(_: int) -> int:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {shop_key}")
        return client.post("/api/v1/orders/", payload, format="json").status_code

    statuses = run_together(20, post)

    assert Counter(statuses) == {201: 1, 200: 19}
    assert Order.objects.count() == 1
    assert len(announcements) == 1


def test_an_order_and_its_refund_arriving_together_always_meet():
    # given the session and a refund of it, delivered at the same moment, many times over
    for attempt in range(5):
        session = sp.checkout_session(session_id=f"cs_race_{attempt}", payment_intent=f"pi_race_{attempt}")
        refund = sp.refund_object(refund_id=f"re_race_{attempt}", payment_intent=f"pi_race_{attempt}")
        events = [sp.event("checkout.session.completed", session), sp.event("refund.created", refund)]

        statuses = run_together(
            2, lambda index, events=events: sp.post_event(Client(), events[index]).status_code
        )

        # then the refund is always applied to the order
        assert statuses == [200, 200]
        order = Order.objects.get(external_id=f"cs_race_{attempt}")
        assert Refund.objects.get(external_id=f"re_race_{attempt}").order_id == order.pk
        assert (order.status, order.refunded_amount) == (OrderStatus.PARTIALLY_REFUNDED, Decimal("30.00"))


def test_concurrent_batches_sharing_orders_do_not_deadlock(shop_key):
    ids = [f"SHOP-{i}" for i in range(30)]

    def post(index: int) -> int:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {shop_key}")
        batch = ids if index % 2 else list(reversed(ids))
        return client.post(
            "/api/v1/orders/", {"orders": [order_payload(i) for i in batch]}, format="json"
        ).status_code

    statuses = run_together(4, post)

    assert statuses == [200] * 4
    assert Order.objects.count() == 30
