"""Round trips per ingested order (issue 16, the ingestion benchmark's figures): one Stripe checkout
webhook, one Shopify `orders/paid` delivery and one import-API batch, each crediting a host and
rewarding her, cost a pinned number of queries; the batch costs the same whatever its size.

The numbers are exact: a query added back fails here, and a query saved lowers the pin. Every id
is the test's own: a delivery id another test left behind would be a repeat (read back, one more).
PostgreSQL takes an advisory lock per order reference that SQLite does not need, hence two counts.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from orders.models import ShopApiKey
from referrals.codes.services import issue_host_code
from referrals.models import Attribution, LedgerEntry
from referrals.rewards.services import set_reward_plan
from tests.factories import HostFactory
from tests.orders import shop_payloads as sh
from tests.orders import stripe_payloads as sp

pytestmark = pytest.mark.django_db

# (PostgreSQL, SQLite), with BEGIN/SAVEPOINT/RELEASE/COMMIT as the test client's connection sends them.
# One asks which webhook endpoints want `order.attributed` (none here: nothing more is written); with a
# cache the processes share (Redis) it is not asked once known (tests/webhooks/test_subscriptions.py). The
# report's row per order and its facts (issue 22) are one statement on PostgreSQL (data-modifying CTEs over
# arrays) and five on SQLite (the rows, the sums per slot and per host, the buyer sets and their counts),
# whatever the batch's size. A webhook's order and its lines are one statement on PostgreSQL.
STRIPE_CHECKOUT = {"postgresql": 12, "sqlite": 15}
SHOPIFY_ORDER_PAID = {"postgresql": 13, "sqlite": 17}
IMPORT_BATCH = {"postgresql": 15, "sqlite": 18}


def pinned(counts: dict[str, int]) -> int:
    return counts[connection.vendor]


@pytest.fixture
def code() -> str:
    """A host selected weeks ago under a reward plan: her code credits and earns."""
    host = HostFactory(selected_at=timezone.now() - timedelta(days=30))
    set_reward_plan(
        campaign=host.campaign,
        by=None,
        party_brackets=[{"up_to": None, "rate": "0.10"}],
        host_code_rate=Decimal("0.05"),
    )
    return issue_host_code(host=host).code


def _credited_and_rewarded(orders: int) -> None:
    assert Attribution.objects.filter(host__isnull=False, earns=True).count() == orders
    assert LedgerEntry.objects.filter(basis__startswith="order:").count() == orders


def test_one_stripe_checkout_webhook(code, django_assert_num_queries):
    session = sp.checkout_session(
        session_id="cs_test_queryCount0001",
        payment_intent="pi_3QueryCount0001",
        promotion_code={"id": "promo_1QdXyZ2eZvKYlo2CkLmNoPq", "code": code},
    )
    payload = sp.event("checkout.session.completed", session, event_id="evt_1QueryCount00000001")

    with django_assert_num_queries(pinned(STRIPE_CHECKOUT)):
        response = sp.post_event(Client(), payload)

    assert response.json() == {"received": True, "status": "processed", "duplicate": False}
    _credited_and_rewarded(1)


def test_one_shopify_order_paid_webhook(code, django_assert_num_queries):
    sh.shop("maison")
    payload = sh.shopify_order(
        code=code, email="lea.martin@example.com", currency="EUR", id=7_000_000_000_001
    )

    with django_assert_num_queries(pinned(SHOPIFY_ORDER_PAID)):
        response = sh.post_shopify(Client(), payload, webhook_id="b54557e4-query-count-0001")

    assert response.json() == {"received": True, "status": "processed", "duplicate": False}
    _credited_and_rewarded(1)


def _order(index: int, code: str) -> dict:
    return {
        "external_id": f"SHOP-{index:05d}",
        "placed_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "customer_email": f"buyer{index}@example.com",
        "currency": "EUR",
        "subtotal": "120.00",
        "discount": "24.00",
        "shipping": "5.00",
        "tax": "17.00",
        "total": "118.00",
        "code": code,
        "lines": [{"sku": "JKT-42", "quantity": 1, "unit_price": "90.00"}],
    }


@pytest.mark.parametrize("size", [1, 30, 300])
def test_one_import_batch_costs_the_same_whatever_its_size(code, size, django_assert_num_queries):
    if connection.vendor == "sqlite" and size > 30:
        pytest.skip("SQLite takes at most 999 parameters a statement: Django splits larger INSERTs")
    _, key = ShopApiKey.objects.create_key(name="shop")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    batch = {"orders": [_order(index, code) for index in range(size)]}

    with django_assert_num_queries(pinned(IMPORT_BATCH)):
        response = client.post("/api/v1/orders/", batch, format="json")

    assert response.json()["created"] == size
    _credited_and_rewarded(size)


@pytest.mark.postgres
def test_a_webhook_on_a_kept_connection_plans_none_of_its_statements_again(code):
    # from the third delivery on one connection, every statement that writes or reads the order,
    # the code, the host and the ledger runs through its prepared plan (backend.planned): what is
    # left to plan is the transaction's own bookkeeping and the subscriptions asked of the database
    client = Client()
    for n in range(3):
        session = sp.checkout_session(
            session_id=f"cs_test_planned{n:04d}",
            payment_intent=f"pi_3Planned{n:04d}",
            promotion_code={"id": f"promo_1Planned{n:04d}", "code": code},
        )
        payload = sp.event("checkout.session.completed", session, event_id=f"evt_1Planned{n:010d}")
        with CaptureQueriesContext(connection) as captured:
            assert sp.post_event(client, payload).json()["status"] == "processed"

    planned_again = [
        query["sql"]
        for query in captured.captured_queries
        if not query["sql"].startswith(("EXECUTE ", "SAVEPOINT ", "RELEASE SAVEPOINT ", "BEGIN", "COMMIT"))
    ]
    assert [sql.split(" FROM ")[1].split()[0] for sql in planned_again] == ['"webhooks_endpoint"']
    _credited_and_rewarded(3)
