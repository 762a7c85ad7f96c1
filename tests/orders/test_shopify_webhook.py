"""Shopify order webhooks (SPEC §6, §15), from Shopify's documented payloads, signed with Shopify's
scheme and posted to the endpoint as Shopify would."""

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

ORDER_ID = 820982911946154508


@pytest.fixture
def endpoint():
    return sh.shop("maison")


@pytest.fixture
def client() -> Client:
    return Client()


def _nothing_written() -> bool:
    return not Order.objects.exists() and not ShopEvent.objects.exists() and not Refund.objects.exists()


def test_a_paid_order_is_recorded_from_its_current_totals(endpoint, client):
    response = sh.post_shopify(client, sh.shopify_order())

    assert response.status_code == 200
    assert response.json() == {"received": True, "status": "processed", "duplicate": False}
    order = Order.objects.get()
    assert (order.source, order.external_id) == (OrderSource.SHOPIFY, f"maison:{ORDER_ID}")
    assert order.customer_email == "jon@example.com"
    assert order.currency == "USD"
    # current_subtotal_price (393.00) is after discounts: the subtotal before them is 398.00
    assert (order.subtotal, order.discount, order.shipping, order.tax, order.total) == (
        Decimal("398.00"),
        Decimal("5.00"),
        Decimal("10.00"),
        Decimal("0.00"),
        Decimal("403.00"),
    )
    assert order.commissionable_amount == Decimal("393.00")
    assert order.code == "CAMILLE-AW24"
    assert order.landing_token == "k8Jd93hFq2LmZx0p"
    assert [(line.sku, line.quantity, line.unit_price) for line in order.lines.all()] == [
        ("IPOD2008PINK", 1, Decimal("199.00")),
        ("IPOD2008PINK", 1, Decimal("199.00")),
    ]
    assert ShopEvent.objects.get().status == ShopEventStatus.PROCESSED


def test_the_current_totals_win_over_the_original_ones(endpoint, client):
    # an order edited before payment: Shopify keeps the original totals beside the current ones
    order = sh.shopify_order(
        current_subtotal_price="194.00", current_total_price="204.00", total_price="403.00"
    )

    sh.post_shopify(client, order)

    assert Order.objects.get().total == Decimal("204.00")


def test_tax_included_prices_leave_tax_out_of_the_commissionable_amount(endpoint, client):
    # European shops show prices tax included: the subtotal and total already contain the tax
    order = sh.shopify_order(taxes_included=True, current_total_tax="65.50")

    sh.post_shopify(client, order)

    assert Order.objects.get().commissionable_amount == Decimal("327.50")


def test_the_ref_can_come_from_a_note_attribute(endpoint, client):
    order = sh.shopify_order(ref="", note_attributes=[{"name": "ref", "value": "Zx81Pq0LmN"}])

    sh.post_shopify(client, order)

    assert Order.objects.get().landing_token == "Zx81Pq0LmN"


def test_a_code_from_shopify_credits_the_host_and_earns_once(endpoint, client):
    # given a host with a code, under a reward plan
    host = HostFactory(selected_at=timezone.now() - timedelta(days=60))
    set_reward_plan(campaign=host.campaign, by=None, host_code_rate=Decimal("0.05"))
    code = issue_host_code(host=host).code
    payload = sh.shopify_order(code=code, ref="", currency="EUR")

    # when Shopify delivers the order twice (a retry with the same webhook id)
    first = sh.post_shopify(client, payload, webhook_id="retry-1")
    second = sh.post_shopify(client, payload, webhook_id="retry-1")

    # then one order, credited to the host by its code, with one reward
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json()["duplicate"] is True
    attribution = Attribution.objects.get(order=Order.objects.get())
    assert (attribution.host_id, attribution.method) == (host.pk, AttributionMethod.CODE)
    assert LedgerEntry.objects.filter(host=host).count() == 1
    assert LedgerEntry.objects.get(host=host).amount == Decimal("19.65")


def test_the_same_order_through_two_topics_is_one_order(endpoint, client):
    payload = sh.shopify_order()

    sh.post_shopify(client, payload, topic="orders/create")
    response = sh.post_shopify(
        client, {**payload, "updated_at": timezone.now().isoformat()}, topic="orders/paid"
    )

    assert response.json()["status"] == "processed"
    assert Order.objects.count() == 1
    assert ShopEvent.objects.count() == 2


def test_an_order_created_unpaid_waits_for_its_payment(endpoint, client):
    response = sh.post_shopify(client, sh.shopify_order(financial_status="pending"), topic="orders/create")

    assert response.json()["status"] == "ignored"
    assert not Order.objects.exists()


def test_a_refund_gives_back_the_money_of_its_successful_refund_transactions(endpoint, client):
    sh.post_shopify(client, sh.shopify_order())

    response = sh.post_shopify(client, sh.shopify_refund(amount="100.00"), topic="refunds/create")

    assert response.json()["status"] == "processed"
    refund = Refund.objects.get()
    assert (refund.source, refund.external_id, refund.amount) == (
        OrderSource.SHOPIFY,
        "maison:890088186047892319",
        Decimal("100.00"),
    )
    assert refund.reason == "Things were damaged"
    order = Order.objects.get()
    assert (order.status, order.refunded_amount) == (OrderStatus.PARTIALLY_REFUNDED, Decimal("100.00"))


def test_a_refund_with_no_successful_transaction_gives_nothing_back(endpoint, client):
    sh.post_shopify(client, sh.shopify_order())
    refund = sh.shopify_refund()
    refund["transactions"][0]["status"] = "failure"

    response = sh.post_shopify(client, refund, topic="refunds/create")

    assert response.json()["status"] == "ignored"
    assert not Refund.objects.exists()


def test_a_refund_before_its_order_fails_so_shopify_retries_it(endpoint, client):
    refund = sh.shopify_refund()

    early = sh.post_shopify(client, refund, topic="refunds/create", webhook_id="refund-1")
    sh.post_shopify(client, sh.shopify_order())
    retried = sh.post_shopify(client, refund, topic="refunds/create", webhook_id="refund-1")

    assert early.status_code == 500
    assert retried.status_code == 200
    assert ShopEvent.objects.get(delivery_id="refund-1").attempts == 2
    assert Order.objects.get().status == OrderStatus.PARTIALLY_REFUNDED


def test_a_refund_above_what_was_paid_is_refused_and_kept_visible(endpoint, client):
    sh.post_shopify(client, sh.shopify_order())

    response = sh.post_shopify(client, sh.shopify_refund(amount="500.00"), topic="refunds/create")

    assert response.status_code == 200  # retrying cannot help: Shopify must not retry forever
    event = ShopEvent.objects.get(topic="refunds/create")
    assert event.status == ShopEventStatus.REFUSED
    assert "refund_exceeds_paid" in event.error
    assert not Refund.objects.exists()


def test_a_cancelled_order_earns_nothing(endpoint, client):
    payload = sh.shopify_order()
    sh.post_shopify(client, payload)

    response = sh.post_shopify(
        client,
        {**payload, "cancelled_at": timezone.now().isoformat(), "cancel_reason": "customer"},
        topic="orders/cancelled",
    )

    assert response.json()["status"] == "processed"
    order = Order.objects.get()
    assert order.status == OrderStatus.CANCELLED
    assert order.status_changes.get().reason == "cancelled in Shopify customer"


def test_cancelling_an_order_never_paid_changes_nothing(endpoint, client):
    response = sh.post_shopify(client, sh.shopify_order(financial_status="voided"), topic="orders/cancelled")

    assert response.json()["status"] == "ignored"
    assert not Order.objects.exists()


def test_an_unknown_topic_is_acknowledged_and_stored(endpoint, client):
    response = sh.post_shopify(client, {"id": 706405506930370084, "title": "Bulk"}, topic="products/update")

    assert response.status_code == 200
    assert ShopEvent.objects.get().status == ShopEventStatus.IGNORED
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    "attack",
    [
        "missing",
        "empty",
        "other secret",
        "tampered body",
        "signature of another body",
        "hex instead of base64",
    ],
)
def test_a_delivery_not_signed_with_the_shops_secret_is_refused_and_writes_nothing(endpoint, client, attack):
    payload = sh.shopify_order()
    body = json.dumps(payload).encode()
    signature = {
        "missing": None,
        "empty": "",
        "other secret": sh.sign(body, "shpss_someone_else"),
        "tampered body": sh.sign(body, sh.SHOPIFY_SECRET),
        "signature of another body": sh.sign(b"{}", sh.SHOPIFY_SECRET),
        "hex instead of base64": __import__("hmac")
        .new(sh.SHOPIFY_SECRET.encode(), body, "sha256")
        .hexdigest(),
    }[attack]
    if attack == "tampered body":
        body = body.replace(b'"403.00"', b'"4030.00"')
    headers = {"HTTP_X_SHOPIFY_TOPIC": "orders/paid", "HTTP_X_SHOPIFY_WEBHOOK_ID": "attack"}
    if signature is not None:
        headers["HTTP_X_SHOPIFY_HMAC_SHA256"] = signature

    response = client.post("/webhooks/shopify/maison/", data=body, content_type="application/json", **headers)

    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "bad_signature"
    assert _nothing_written()


def test_another_shops_secret_does_not_open_this_shop(endpoint, client):
    sh.shop("atelier", secret="shpss_atelier_secret_0001")

    response = sh.post_shopify(client, sh.shopify_order(), slug="maison", secret="shpss_atelier_secret_0001")

    assert response.status_code == 401
    assert _nothing_written()


def test_an_unknown_endpoint_or_a_woocommerce_one_is_refused_like_a_bad_signature(endpoint, client):
    sh.shop("boutique", platform=ShopPlatform.WOOCOMMERCE)

    unknown = sh.post_shopify(client, sh.shopify_order(), slug="nobody")
    wrong_platform = sh.post_shopify(
        client, sh.shopify_order(), slug="boutique", secret=sh.WOOCOMMERCE_SECRET
    )

    assert (unknown.status_code, wrong_platform.status_code) == (401, 401)
    assert unknown.json() == wrong_platform.json()
    assert unknown.json()["errors"][0]["code"] == "bad_signature"
    assert _nothing_written()


def test_a_signed_body_that_is_not_json_is_refused(endpoint, client):
    response = sh.post_shopify(client, b"not json")

    assert response.status_code == 400
    assert _nothing_written()


def test_a_delivery_without_its_webhook_id_is_refused(endpoint, client):
    body = json.dumps(sh.shopify_order()).encode()

    response = client.post(
        "/webhooks/shopify/maison/",
        data=body,
        content_type="application/json",
        HTTP_X_SHOPIFY_TOPIC="orders/paid",
        HTTP_X_SHOPIFY_HMAC_SHA256=sh.sign(body, sh.SHOPIFY_SECRET),
    )

    assert response.status_code == 400
    assert _nothing_written()


def test_two_shops_keep_their_own_orders(endpoint, client):
    sh.shop("atelier", secret="shpss_atelier_secret_0001")
    payload = sh.shopify_order()

    sh.post_shopify(client, payload, slug="maison")
    sh.post_shopify(client, payload, slug="atelier", secret="shpss_atelier_secret_0001")

    assert sorted(Order.objects.values_list("external_id", flat=True)) == [
        f"atelier:{ORDER_ID}",
        f"maison:{ORDER_ID}",
    ]
