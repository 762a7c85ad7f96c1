"""Stripe as it really sends events (issue 16, items 1–5): promotion codes by id, disputes, failed
refunds, Connect's own secret, sessions that needed no payment. Every scenario goes through the
signed HTTP endpoint with payloads built from Stripe's documented shapes (tests/fixtures/stripe)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from orders.models import (
    DisputeState,
    Order,
    OrderStatus,
    PromotionCodeProblem,
    Refund,
    StripeEvent,
    StripeEventStatus,
)
from referrals.codes.services import issue_host_code
from referrals.models import (
    Attribution,
    AttributionMethod,
    AttributionReason,
    LedgerEntry,
    PayoutAccount,
    ReferralCode,
)
from referrals.rewards.services import set_reward_plan
from tests.factories import HostFactory
from tests.fakes.stripe_api import start_fake_stripe
from tests.orders import stripe_payloads as sp

pytestmark = pytest.mark.django_db

PROMO_ID = "promo_1QdXyZ2eZvKYlo2CkLmNoPq"


@pytest.fixture
def client() -> Client:
    return Client()


@pytest.fixture
def fake_stripe(settings):
    fake, server = start_fake_stripe()
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_API_BASE = fake.url
    yield fake
    server.shutdown()


@pytest.fixture
def host():
    host = HostFactory(selected_at=timezone.now() - timedelta(days=60))
    set_reward_plan(
        campaign=host.campaign,
        by=None,
        party_brackets=[{"up_to": None, "rate": "0.10"}],
        host_code_rate=Decimal("0.05"),
        min_party_buyers=1,
    )
    return host


def _host_code(host, *, text: str, mirror_id: str = "") -> ReferralCode:
    code = issue_host_code(host=host)
    ReferralCode.objects.filter(pk=code.pk).update(code=text, stripe_promotion_code_id=mirror_id)
    code.refresh_from_db()
    return code


def _rewards(host) -> Decimal:
    return sum((entry.amount for entry in LedgerEntry.objects.filter(host=host)), Decimal("0"))


def _buy(client, **session):
    response = sp.post_event(client, sp.event("checkout.session.completed", sp.checkout_session(**session)))
    assert response.status_code == 200, response.content
    return Order.objects.get(external_id=sp.checkout_session(**session)["id"])


# 1. Promotion codes -----------------------------------------------------------------------------


def test_a_promotion_code_id_is_read_from_stripe_and_credits_its_code(client, fake_stripe, host):
    # given a code of ours that Stripe knows by an id our mirror never recorded (made in the dashboard)
    _host_code(host, text="CLARA-7K2F")
    fake_stripe.put(sp.fixture("promotion_code"))

    # when a session arrives with the promotion code's id only, as Stripe sends it
    order = _buy(client, promotion_code=PROMO_ID)

    # then the order keeps both, and the code credits the host
    assert (order.promotion_code_id, order.code, order.promotion_code_problem) == (PROMO_ID, "CLARA-7K2F", "")
    assert [call.path for call in fake_stripe.calls("GET", "/v1/promotion_codes")] == [
        f"/v1/promotion_codes/{PROMO_ID}"
    ]
    attribution = Attribution.objects.get(order=order)
    assert (attribution.method, attribution.host) == (AttributionMethod.CODE, host)
    assert _rewards(host) == Decimal("4.80")  # 5 % of 120 − 24


def test_the_mirror_credits_a_promotion_code_id_even_without_a_stripe_key(client, host):
    # given our code mirrored as the Stripe promotion code, and no Stripe key to ask Stripe
    code = _host_code(host, text="CLARA-7K2F", mirror_id=PROMO_ID)

    order = _buy(client, promotion_code=PROMO_ID)

    assert (order.code, order.promotion_code_problem) == ("", PromotionCodeProblem.NO_STRIPE_KEY)
    attribution = Attribution.objects.get(order=order)
    assert (attribution.method, attribution.referral_code) == (AttributionMethod.CODE, code)
    assert "CLARA-7K2F" in attribution.explanation


def test_an_id_stripe_does_not_know_is_unattributed_with_its_reason(client, fake_stripe, host):
    order = _buy(client, promotion_code="promo_1QdUnknown000000000000", ref=None)

    assert order.promotion_code_problem == PromotionCodeProblem.UNKNOWN_PROMOTION_CODE
    attribution = Attribution.objects.get(order=order)
    assert (attribution.method, attribution.reason) == (
        AttributionMethod.NONE,
        AttributionReason.UNRESOLVED_PROMOTION_CODE,
    )
    assert "promo_1QdUnknown000000000000" in attribution.explanation
    assert "unknown_promotion_code" in attribution.explanation


def test_stripe_unreachable_is_recorded_and_reconciliation_credits_later(client, fake_stripe, host):
    # given Stripe failing every try (the client retries twice) when the order arrives
    _host_code(host, text="CLARA-7K2F")
    fake_stripe.put(sp.fixture("promotion_code"))
    for _ in range(3):
        fake_stripe.fail_next("/v1/promotion_codes", 500)
    order = _buy(client, promotion_code=PROMO_ID, ref=None)
    assert order.promotion_code_problem == PromotionCodeProblem.STRIPE_UNREACHABLE
    assert Attribution.objects.get(order=order).reason == AttributionReason.UNRESOLVED_PROMOTION_CODE
    assert _rewards(host) == 0

    # when the reconciliation job runs with Stripe back
    call_command("reconcile_attributions")

    # then the order has its code and the host the reward
    order.refresh_from_db()
    assert (order.code, order.promotion_code_problem) == ("CLARA-7K2F", "")
    attribution = Attribution.objects.get(order=order)
    assert (attribution.method, attribution.host) == (AttributionMethod.CODE, host)
    assert _rewards(host) == Decimal("4.80")


def test_an_expanded_promotion_code_keeps_its_id_and_asks_stripe_nothing(client, fake_stripe):
    promotion = sp.fixture("promotion_code")

    order = _buy(client, promotion_code=promotion)

    assert (order.promotion_code_id, order.code) == (PROMO_ID, "CLARA-7K2F")
    assert fake_stripe.calls("GET", "/v1/promotion_codes") == []


# 2. Disputes ------------------------------------------------------------------------------------


def _dispute(client, event_type: str, **dispute):
    response = sp.post_event(client, sp.event(event_type, sp.dispute_object(**dispute)))
    assert response.status_code == 200, response.content
    return response


def test_a_lost_dispute_takes_the_reward_back_like_a_full_refund(client, host):
    _host_code(host, text="CLARA-7K2F", mirror_id=PROMO_ID)
    order = _buy(client, promotion_code=PROMO_ID)
    assert _rewards(host) == Decimal("4.80")

    # when the buyer's bank opens a dispute and takes the money
    _dispute(client, "charge.dispute.created", status="needs_response")
    _dispute(client, "charge.dispute.funds_withdrawn", status="needs_response")

    # then the order shows it and earns nothing while it is open
    order.refresh_from_db()
    assert (order.dispute_status, order.refunded_amount) == (DisputeState.OPEN, Decimal("118.00"))
    assert order.net_commissionable_amount == 0
    assert _rewards(host) == 0

    # when the dispute is lost, it stays taken back
    _dispute(client, "charge.dispute.closed", status="lost")
    order.refresh_from_db()
    assert (order.dispute_status, order.status) == (DisputeState.LOST, OrderStatus.REFUNDED)
    assert _rewards(host) == 0


def test_a_won_dispute_gives_the_reward_back(client, host):
    _host_code(host, text="CLARA-7K2F", mirror_id=PROMO_ID)
    order = _buy(client, promotion_code=PROMO_ID)
    _dispute(client, "charge.dispute.created", status="needs_response")
    assert _rewards(host) == 0

    _dispute(client, "charge.dispute.closed", status="won")
    _dispute(client, "charge.dispute.funds_reinstated", status="won")

    order.refresh_from_db()
    assert (order.dispute_status, order.status, order.refunded_amount) == (
        DisputeState.WON,
        OrderStatus.PAID,
        Decimal("0.00"),
    )
    assert _rewards(host) == Decimal("4.80")


def test_an_inquiry_takes_nothing(client, host):
    _host_code(host, text="CLARA-7K2F", mirror_id=PROMO_ID)
    order = _buy(client, promotion_code=PROMO_ID)

    _dispute(client, "charge.dispute.created", status="warning_needs_response")

    order.refresh_from_db()
    assert (order.dispute_status, order.refunded_amount) == (DisputeState.OPEN, Decimal("0.00"))
    assert _rewards(host) == Decimal("4.80")


def test_a_dispute_before_its_order_and_events_out_of_order_end_lost(client, host):
    _host_code(host, text="CLARA-7K2F", mirror_id=PROMO_ID)
    # the closing event overtakes the opening one, and both overtake the order
    _dispute(client, "charge.dispute.closed", status="lost")
    _dispute(client, "charge.dispute.created", status="needs_response")

    order = _buy(client, promotion_code=PROMO_ID)

    order.refresh_from_db()
    assert (order.dispute_status, order.refunded_amount) == (DisputeState.LOST, Decimal("118.00"))
    assert _rewards(host) == 0
    assert order.disputes.get().status == "lost"


def test_a_repeated_dispute_delivery_changes_nothing(client, host):
    _host_code(host, text="CLARA-7K2F", mirror_id=PROMO_ID)
    order = _buy(client, promotion_code=PROMO_ID)
    payload = sp.event("charge.dispute.closed", sp.dispute_object(status="lost"))
    sp.post_event(client, payload)
    entries = LedgerEntry.objects.count()

    second = sp.post_event(client, payload)

    assert second.json()["duplicate"] is True
    assert LedgerEntry.objects.count() == entries
    assert order.status_changes.count() == 1


def test_the_order_detail_shows_the_dispute(client, host, marketing_client):
    order = _buy(client)
    _dispute(client, "charge.dispute.closed", status="lost")

    body = marketing_client.get(f"/api/v1/orders/{order.pk}/").json()

    assert body["dispute_status"] == "lost"
    assert body["disputes"][0]["status"] == "lost"
    assert body["net_commissionable_amount"] == "0.00"


# 3. Failed refunds ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event_type", "status"),
    [("refund.failed", "failed"), ("refund.updated", "failed"), ("refund.updated", "canceled")],
)
def test_a_failed_or_canceled_refund_gives_back_what_it_took(client, host, event_type, status):
    _host_code(host, text="CLARA-7K2F", mirror_id=PROMO_ID)
    order = _buy(client, promotion_code=PROMO_ID)
    sp.post_event(client, sp.event("refund.created", sp.refund_object(amount=11800, status="pending")))
    assert _rewards(host) == 0

    response = sp.post_event(client, sp.event(event_type, sp.refund_object(amount=11800, status=status)))

    assert response.status_code == 200
    assert StripeEvent.objects.get(type=event_type).status == StripeEventStatus.PROCESSED
    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == (OrderStatus.PAID, Decimal("0.00"))
    assert Refund.objects.get().status == status
    assert _rewards(host) == Decimal("4.80")


# 4. Connect -------------------------------------------------------------------------------------


def test_account_updated_signed_with_the_connect_secret_is_applied(client, host):
    PayoutAccount.objects.create(user=host.user, stripe_account_id="acct_1QdReady")
    payload = sp.event("account.updated", sp.account_object(), account="acct_1QdReady")

    response = sp.post_event(client, payload, secret=sp.CONNECT_WEBHOOK_SECRET)

    assert response.status_code == 200, response.content
    stored = StripeEvent.objects.get()
    assert (stored.status, stored.connect) == (StripeEventStatus.PROCESSED, True)
    assert PayoutAccount.objects.get(user=host.user).payouts_enabled is True


def test_account_updated_on_the_platform_endpoint_is_not_a_connected_account(client, host):
    PayoutAccount.objects.create(user=host.user, stripe_account_id="acct_1QdReady")

    sp.post_event(client, sp.event("account.updated", sp.account_object()))

    assert StripeEvent.objects.get().status == StripeEventStatus.IGNORED
    assert PayoutAccount.objects.get(user=host.user).payouts_enabled is False


def test_a_connect_signed_checkout_session_creates_no_order(client):
    payload = sp.event("checkout.session.completed", sp.checkout_session(), account="acct_1QdReady")

    sp.post_event(client, payload, secret=sp.CONNECT_WEBHOOK_SECRET)

    assert StripeEvent.objects.get().status == StripeEventStatus.IGNORED
    assert not Order.objects.exists()


@pytest.mark.parametrize("connect_secret", [sp.CONNECT_WEBHOOK_SECRET, ""])
def test_a_delivery_signed_with_neither_secret_is_400_and_writes_nothing(
    client, host, settings, connect_secret
):
    settings.STRIPE_CONNECT_WEBHOOK_SECRET = connect_secret
    PayoutAccount.objects.create(user=host.user, stripe_account_id="acct_1QdReady")
    payload = sp.event("account.updated", sp.account_object(), account="acct_1QdReady")

    response = sp.post_event(client, payload, secret="whsec_someone_else")

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "bad_signature"
    assert not StripeEvent.objects.exists()
    assert PayoutAccount.objects.get(user=host.user).payouts_enabled is False


def test_without_a_connect_secret_connect_deliveries_are_refused(client, settings):
    settings.STRIPE_CONNECT_WEBHOOK_SECRET = ""

    response = sp.post_event(
        client, sp.event("account.updated", sp.account_object()), secret=sp.CONNECT_WEBHOOK_SECRET
    )

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


# 5. No payment required -------------------------------------------------------------------------


def test_a_session_that_required_no_payment_creates_no_order(client):
    session = sp.checkout_session(
        payment_status="no_payment_required",
        amount_subtotal=0,
        amount_discount=0,
        amount_shipping=0,
        amount_tax=0,
    )

    response = sp.post_event(client, sp.event("checkout.session.completed", session))

    assert response.status_code == 200
    assert StripeEvent.objects.get().status == StripeEventStatus.IGNORED
    assert not Order.objects.exists()
