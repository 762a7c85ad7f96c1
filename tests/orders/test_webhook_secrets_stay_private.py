"""A webhook never tells an outsider whether a signing secret is configured (issue: "the webhook
does not tell anyone whether a signing secret is configured"): a delivery while no secret is set
gets exactly the answer of a delivery with a wrong signature, status and body, through the HTTP
endpoint; the operator learns it from the log and from `check --deploy`."""

import json
import logging

import pytest
from django.core.checks import run_checks
from django.test import Client

from orders.models import Order, ShopEvent, ShopPlatform, StripeEvent
from tests.orders import shop_payloads as sh
from tests.orders import stripe_payloads as sp

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    return Client()


def _answer(response) -> tuple[int, dict]:
    return response.status_code, response.json()


def _nothing_written() -> bool:
    return not (Order.objects.exists() or StripeEvent.objects.exists() or ShopEvent.objects.exists())


# Stripe ------------------------------------------------------------------------------------------


def test_stripe_answers_an_unconfigured_secret_exactly_like_a_wrong_signature(client, settings, caplog):
    event = sp.event("checkout.session.completed", sp.checkout_session())

    wrong_signature = _answer(sp.post_event(client, event, secret="whsec_someone_else"))
    settings.STRIPE_WEBHOOK_SECRET = ""
    settings.STRIPE_CONNECT_WEBHOOK_SECRET = ""
    with caplog.at_level(logging.WARNING, logger="orders.stripe.views"):
        unconfigured = _answer(sp.post_event(client, event))
        # an attacker who guesses the secret is empty and signs with it gets no further
        forged = _answer(sp.post_event(client, event, secret=""))

    assert wrong_signature[0] == 400 and wrong_signature[1]["errors"][0]["code"] == "bad_signature"
    assert unconfigured == wrong_signature
    assert forged == wrong_signature
    assert "whsec_" not in json.dumps(unconfigured[1])
    assert _nothing_written()
    # the operator is told, at error level
    told = [record for record in caplog.records if "STRIPE_WEBHOOK_SECRET is not set" in record.getMessage()]
    assert told and all(record.levelno == logging.ERROR for record in told)


@pytest.mark.parametrize(("api_key", "warned"), [("sk_test_123", True), ("", False)])
def test_check_deploy_warns_when_stripe_is_used_without_a_webhook_secret(settings, api_key, warned):
    settings.STRIPE_SECRET_KEY = api_key
    settings.STRIPE_WEBHOOK_SECRET = ""

    messages = run_checks(include_deployment_checks=True)

    assert ("orders.W001" in {message.id for message in messages}) is warned


def test_check_deploy_is_quiet_when_the_webhook_secret_is_set(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_123"
    settings.STRIPE_WEBHOOK_SECRET = sp.WEBHOOK_SECRET

    assert "orders.W001" not in {message.id for message in run_checks(include_deployment_checks=True)}


# Shopify and WooCommerce: each endpoint has its own secret -----------------------------------------


@pytest.mark.parametrize(
    ("platform", "post", "secret"),
    [
        (ShopPlatform.SHOPIFY, sh.post_shopify, sh.SHOPIFY_SECRET),
        (ShopPlatform.WOOCOMMERCE, sh.post_woocommerce, sh.WOOCOMMERCE_SECRET),
    ],
)
def test_a_shop_address_without_a_secret_answers_like_a_wrong_signature(
    client, settings, caplog, platform, post, secret
):
    sh.shop("known", platform=platform)
    sh.shop("rotated", platform=platform)
    order = sh.shopify_order() if platform == ShopPlatform.SHOPIFY else sh.woocommerce_order()

    wrong_signature = _answer(post(client, order, slug="known", secret="someone-elses-secret"))
    # no endpoint at all: no secret for that address
    unknown = _answer(post(client, order, slug="nobody", secret=secret))
    # a secret that no longer decrypts (SECRET_KEY replaced without keeping the old one)
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    settings.SECRET_KEY_FALLBACKS = []
    with caplog.at_level(logging.WARNING, logger="orders.shops.views"):
        undecryptable = _answer(post(client, order, slug="rotated", secret=secret))

    assert wrong_signature[0] == 401 and wrong_signature[1]["errors"][0]["code"] == "bad_signature"
    assert unknown == wrong_signature
    assert undecryptable == wrong_signature
    assert _nothing_written()
    # the operator reads which case it was: a warning for the unknown address, an error for ours
    told = {
        record.slug: (record.levelname, record.reason)
        for record in caplog.records
        if record.getMessage() == "shop webhook rejected"
    }
    assert told["nobody"][0] == "WARNING" and "no " in told["nobody"][1]
    assert told["rotated"][0] == "ERROR" and "SECRET_KEY_FALLBACKS" in told["rotated"][1]


def test_the_woocommerce_ping_does_not_tell_which_endpoints_exist(client, caplog):
    sh.shop("boutique", platform=ShopPlatform.WOOCOMMERCE)

    def ping(slug):
        return client.post(
            f"/webhooks/woocommerce/{slug}/",
            data="webhook_id=12",
            content_type="application/x-www-form-urlencoded",
        )

    with caplog.at_level(logging.WARNING, logger="orders.woocommerce.views"):
        known, unknown = _answer(ping("boutique")), _answer(ping("nobody"))

    assert known == unknown == (200, {"received": True, "ping": True})
    assert _nothing_written()
    assert [record.getMessage() for record in caplog.records] == ["woocommerce ping for an unknown endpoint"]
