"""WooCommerce order webhooks (SPEC §6, §15), from the REST API v3's documented orders, signed with
WooCommerce's scheme and posted to the endpoint as WooCommerce would."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from orders.models import Order, OrderSource, OrderStatus, Refund, ShopEvent, ShopEventStatus, ShopPlatform
from referrals.codes.services import issue_host_code
from referrals.models import Attribution, AttributionMethod, LedgerEntry
from referrals.rewards.services import set_reward_plan
from tests.factories import HostFactory
from tests.orders import shop_payloads as sh

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint():
    return sh.shop("boutique", platform=ShopPlatform.WOOCOMMERCE)


@pytest.fixture
def client() -> Client:
    return Client()


def _nothing_written() -> bool:
    return not Order.objects.exists() and not ShopEvent.objects.exists() and not Refund.objects.exists()


def test_a_processing_order_is_recorded_from_its_totals(endpoint, client):
    placed = sh.recent()

    response = sh.post_woocommerce(client, sh.woocommerce_order(when=placed))

    assert response.status_code == 200
    assert response.json() == {"received": True, "status": "processed", "duplicate": False}
    order = Order.objects.get()
    assert (order.source, order.external_id) == (OrderSource.WOOCOMMERCE, "boutique:727")
    assert order.placed_at == placed
    assert order.customer_email == "john.doe@example.com"
    # subtotal = the line items' subtotals (6.00 + 12.00)
    assert (order.subtotal, order.discount, order.shipping, order.tax, order.total) == (
        Decimal("18.00"),
        Decimal("0.00"),
        Decimal("10.00"),
        Decimal("1.35"),
        Decimal("29.35"),
    )
    assert order.commissionable_amount == Decimal("18.00")
    assert [(line.sku, line.quantity, line.unit_price) for line in order.lines.all()] == [
        ("93", 2, Decimal("3.00")),
        ("Bar3", 1, Decimal("12.00")),
    ]


def test_the_coupon_and_the_ref_credit_the_host_and_earn_once(endpoint, client):
    # given a host with a code, under a reward plan
    host = HostFactory(selected_at=timezone.now() - timedelta(days=60))
    set_reward_plan(campaign=host.campaign, by=None, host_code_rate=Decimal("0.05"))
    code = issue_host_code(host=host).code
    payload = sh.woocommerce_order(code=code.lower(), ref="k8Jd93hFq2LmZx0p", currency="EUR")

    # when WooCommerce sends the order created, then updated (completed)
    sh.post_woocommerce(client, payload, topic="order.created")
    sh.post_woocommerce(client, {**payload, "status": "completed"}, topic="order.updated")

    # then one order, credited to the host by its coupon, with one reward
    order = Order.objects.get()
    assert (order.code, order.landing_token) == (code.lower(), "k8Jd93hFq2LmZx0p")
    attribution = Attribution.objects.get(order=order)
    assert (attribution.host_id, attribution.method) == (host.pk, AttributionMethod.CODE)
    assert LedgerEntry.objects.get(host=host).amount == Decimal("0.90")


def test_an_unpaid_order_waits_until_it_is_paid(endpoint, client):
    pending = sh.post_woocommerce(client, sh.woocommerce_order(status="pending"), topic="order.created")
    assert pending.json()["status"] == "ignored"
    assert not Order.objects.exists()

    paid = sh.post_woocommerce(client, sh.woocommerce_order(status="processing"), topic="order.updated")

    assert paid.json()["status"] == "processed"
    assert Order.objects.count() == 1


def test_the_refunds_of_the_order_are_recorded_once_each(endpoint, client):
    payload = sh.woocommerce_order("woocommerce/order_refunded.json")

    sh.post_woocommerce(client, payload, topic="order.updated")
    # the order is saved again later (a note, a status): another delivery, another date
    again = sh.woocommerce_order("woocommerce/order_refunded.json", modified=timezone.now())
    response = sh.post_woocommerce(client, again, topic="order.updated")

    assert response.json()["status"] == "processed"
    assert sorted(Refund.objects.values_list("external_id", "amount")) == [
        ("boutique:724", Decimal("9.00")),
        ("boutique:726", Decimal("10.00")),
    ]
    order = Order.objects.get()
    assert (order.status, order.refunded_amount) == (OrderStatus.PARTIALLY_REFUNDED, Decimal("19.00"))


def test_a_full_refund_refunds_the_order(endpoint, client):
    sh.post_woocommerce(client, sh.woocommerce_order())

    refunded = sh.woocommerce_order(status="refunded", refunds=[{"id": 730, "reason": "", "total": "-29.35"}])
    sh.post_woocommerce(client, refunded, topic="order.updated")

    assert Order.objects.get().status == OrderStatus.REFUNDED


def test_a_cancelled_order_earns_nothing(endpoint, client):
    sh.post_woocommerce(client, sh.woocommerce_order())

    response = sh.post_woocommerce(client, sh.woocommerce_order(status="cancelled"), topic="order.updated")

    assert response.json()["status"] == "processed"
    assert Order.objects.get().status == OrderStatus.CANCELLED


def test_a_repeated_delivery_changes_nothing(endpoint, client):
    payload = sh.woocommerce_order()

    first = sh.post_woocommerce(client, payload, delivery_id="d7e3")
    second = sh.post_woocommerce(client, payload, delivery_id="d7e3")

    assert (first.json()["duplicate"], second.json()["duplicate"]) == (False, True)
    assert ShopEvent.objects.count() == 1
    assert Order.objects.count() == 1


def test_an_unknown_topic_is_acknowledged_and_stored(endpoint, client):
    response = sh.post_woocommerce(client, {"id": 794, "name": "Premium Quality"}, topic="product.updated")

    assert response.status_code == 200
    assert ShopEvent.objects.get().status == ShopEventStatus.IGNORED


def test_the_ping_of_a_new_webhook_is_answered_and_writes_nothing(endpoint, client):
    response = client.post(
        "/webhooks/woocommerce/boutique/",
        data="webhook_id=12",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert _nothing_written()


@pytest.mark.parametrize("attack", ["missing", "other secret", "tampered body", "unsigned ping-like order"])
def test_a_delivery_not_signed_with_the_webhooks_secret_is_refused_and_writes_nothing(
    endpoint, client, attack
):
    body = json.dumps(sh.woocommerce_order()).encode()
    headers = {"HTTP_X_WC_WEBHOOK_TOPIC": "order.created", "HTTP_X_WC_WEBHOOK_DELIVERY_ID": "attack"}
    if attack == "other secret":
        headers["HTTP_X_WC_WEBHOOK_SIGNATURE"] = sh.sign(body, "someone-else")
    if attack == "tampered body":
        headers["HTTP_X_WC_WEBHOOK_SIGNATURE"] = sh.sign(body, sh.WOOCOMMERCE_SECRET)
        body = body.replace(b'"29.35"', b'"2935.00"')
    if attack == "unsigned ping-like order":
        body = b"webhook_id=12&" + body

    response = client.post(
        "/webhooks/woocommerce/boutique/", data=body, content_type="application/json", **headers
    )

    assert response.status_code == 401
    assert _nothing_written()


def test_two_shops_with_the_same_order_number_keep_two_orders(endpoint, client):
    sh.shop("comptoir", platform=ShopPlatform.WOOCOMMERCE, secret="wc-comptoir-secret-01")

    sh.post_woocommerce(client, sh.woocommerce_order(), slug="boutique")
    sh.post_woocommerce(client, sh.woocommerce_order(), slug="comptoir", secret="wc-comptoir-secret-01")

    assert sorted(Order.objects.values_list("external_id", flat=True)) == ["boutique:727", "comptoir:727"]
