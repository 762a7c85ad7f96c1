"""One sale reported by Stripe and by the shop is one order (SPEC §15): the payment reference (a
Checkout Session's PaymentIntent, the `transaction_id` WooCommerce's Stripe gateway writes) is its
identity across the two; the second arrival enriches the order, never duplicates it, and what it
tells otherwise is a conflict marketing sees. Every delivery goes through the signed endpoints,
in both orders of arrival."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from orders.models import Order, OrderArrival, OrderSource, PromotionCodeProblem, ShopPlatform
from referrals.codes.services import issue_host_code
from referrals.models import LedgerEntry, ReferralCode
from referrals.rewards.services import set_reward_plan
from tests.factories import HostFactory, UserFactory
from tests.orders import shop_payloads as sh
from tests.orders import stripe_payloads as sp
from tests.orders.test_concurrency import announcements, run_together  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

PAYMENT = "pi_3QdXyZ2eZvKYlo2C1aBcDeFg"
PROMOTION = "promo_1QdXyZ2eZvKYlo2CkLmNoPq"


@pytest.fixture
def host_code():
    """A host earning 5 % through a code Stripe mirrors as PROMOTION."""
    host = HostFactory(selected_at=timezone.now() - timedelta(days=60))
    set_reward_plan(campaign=host.campaign, by=None, host_code_rate=Decimal("0.05"))
    code = issue_host_code(host=host).code
    ReferralCode.objects.filter(code=code).update(stripe_promotion_code_id=PROMOTION)
    return host, code


@pytest.fixture
def boutique():
    return sh.shop("boutique", platform=ShopPlatform.WOOCOMMERCE)


def stripe_sale(*, event_id: str | None = None, **changes):
    """The Checkout Session of the sale WooCommerce's order 727 describes: 18.00 of goods, 10.00
    shipping, 1.35 tax, paid with PAYMENT, the promotion code known by its id only."""
    session = {
        "payment_intent": PAYMENT,
        "promotion_code": PROMOTION,
        "ref": None,
        "email": "John.Doe@Example.com",
        "currency": "eur",
        "amount_subtotal": 1800,
        "amount_discount": 0,
        "amount_shipping": 1000,
        "amount_tax": 135,
        **changes,
    }
    return sp.event("checkout.session.completed", sp.checkout_session(**session), event_id=event_id)


def shop_sale(code: str, **fields):
    """WooCommerce's documented order 727, paid through the Stripe gateway with PAYMENT."""
    return sh.woocommerce_order(
        code=code,
        currency="EUR",
        **{
            "payment_method": "stripe",
            "payment_method_title": "Credit Card (Stripe)",
            "transaction_id": PAYMENT,
            **fields,
        },
    )


def deliver(client, payload) -> None:
    if "data" in payload:
        response = sp.post_event(client, payload)
    else:
        response = sh.post_woocommerce(client, payload, topic="order.updated")
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("stripe_first", [True, False], ids=["stripe-then-shop", "shop-then-stripe"])
def test_one_sale_through_stripe_and_the_shop_is_one_order_and_one_reward(
    client, boutique, host_code, stripe_first
):
    host, code = host_code
    arrivals = [stripe_sale(), shop_sale(code)]
    for payload in arrivals if stripe_first else arrivals[::-1]:
        deliver(client, payload)

    order = Order.objects.get()
    first, second = (
        (OrderSource.STRIPE, OrderSource.WOOCOMMERCE)
        if stripe_first
        else (OrderSource.WOOCOMMERCE, OrderSource.STRIPE)
    )
    assert order.source == first
    assert list(OrderArrival.objects.values_list("source", "conflicts")) == [(second, [])]
    assert order.payment_reference == PAYMENT
    # enriched: the shop's basket and code text, Stripe's promotion code id, whichever came first
    assert order.lines.count() == 2
    assert order.code == code
    assert order.promotion_code_id == PROMOTION
    assert order.promotion_code_problem == ""
    assert not order.channel_conflict
    assert order.commissionable_amount == Decimal("18.00")
    assert [entry.amount for entry in LedgerEntry.objects.filter(host=host)] == [Decimal("0.90")]


@pytest.mark.parametrize("stripe_first", [True, False], ids=["stripe-then-shop", "shop-then-stripe"])
def test_repeated_deliveries_of_both_channels_stay_one_order(client, boutique, host_code, stripe_first):
    host, code = host_code
    arrivals = [stripe_sale(), shop_sale(code)]
    for payload in (arrivals if stripe_first else arrivals[::-1]) * 2:
        deliver(client, payload)
    # Stripe's other event for the same session, and the shop's next update of its order
    deliver(client, sp.event("checkout.session.async_payment_succeeded", stripe_sale()["data"]["object"]))
    deliver(client, shop_sale(code, status="completed"))

    assert Order.objects.count() == 1
    assert OrderArrival.objects.count() == 1
    assert LedgerEntry.objects.filter(host=host).count() == 1


def test_stripe_first_leaves_the_code_text_to_the_shop(client, boutique, host_code):
    _, code = host_code
    deliver(client, stripe_sale())
    order = Order.objects.get()
    assert (order.code, order.promotion_code_problem) == ("", PromotionCodeProblem.NO_STRIPE_KEY)

    deliver(client, shop_sale(code))

    order.refresh_from_db()
    assert (order.code, order.promotion_code_problem) == (code, "")


@pytest.mark.parametrize("stripe_first", [True, False], ids=["stripe-then-shop", "shop-then-stripe"])
def test_other_figures_for_one_payment_are_a_conflict_marketing_sees(
    client, marketing_client, boutique, host_code, stripe_first
):
    host, code = host_code
    # Stripe took 5.00 more shipping and knows another e-mail
    arrivals = [stripe_sale(amount_shipping=1500, email="someone.else@example.com"), shop_sale(code)]
    for payload in arrivals if stripe_first else arrivals[::-1]:
        deliver(client, payload)

    order = Order.objects.get()
    assert order.channel_conflict
    kept_total, received_total = ("34.35", "29.35") if stripe_first else ("29.35", "34.35")
    assert order.total == Decimal(kept_total)  # never overwritten
    conflicts = {c["field"]: c for c in OrderArrival.objects.get().conflicts}
    assert set(conflicts) == {"total", "customer_email"}
    assert (conflicts["total"]["kept"], conflicts["total"]["received"]) == (kept_total, received_total)
    assert LedgerEntry.objects.filter(host=host).count() == 1

    listed = marketing_client.get("/api/v1/orders/", {"channel_conflict": "true"}).json()
    assert [row["id"] for row in listed["results"]] == [order.pk]
    assert listed["results"][0]["channel_conflict"] is True
    assert marketing_client.get("/api/v1/orders/", {"channel_conflict": "false"}).json()["results"] == []

    detail = marketing_client.get(f"/api/v1/orders/{order.pk}/").json()
    [arrival] = detail["arrivals"]
    shown = {c["field"]: c for c in arrival["conflicts"]}
    assert shown["total"] == {"field": "total", "kept": kept_total, "received": received_total}
    # the e-mails are personal data: masked without the permission, in full with it
    assert "someone.else@example.com" not in str(detail) and "john.doe@example.com" not in str(detail)
    privacy_officer = UserFactory(email="dpo@staff.example.com")
    privacy_officer.groups.add(Group.objects.get(name="marketing"))
    privacy_officer.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
    privacy_client = APIClient()
    privacy_client.force_authenticate(privacy_officer)
    full = privacy_client.get(f"/api/v1/orders/{order.pk}/").json()
    emails = {c["field"]: c for c in full["arrivals"][0]["conflicts"]}["customer_email"]
    assert {emails["kept"], emails["received"]} == {"someone.else@example.com", "john.doe@example.com"}


def test_a_sale_without_a_common_payment_reference_stays_two_orders(client, boutique, host_code):
    _, code = host_code
    deliver(client, stripe_sale())
    deliver(client, shop_sale(code, payment_method="bacs", transaction_id=""))

    assert Order.objects.count() == 2
    assert not OrderArrival.objects.exists()


@pytest.mark.parametrize("stripe_first", [True, False], ids=["stripe-then-shop", "shop-then-stripe"])
def test_a_refund_both_channels_report_is_counted_once(client, boutique, host_code, stripe_first):
    _, code = host_code
    arrivals = [stripe_sale(), shop_sale(code)]
    for payload in arrivals if stripe_first else arrivals[::-1]:
        deliver(client, payload)

    # the same 10.00 going back, told by Stripe (its refund id) and by WooCommerce (its own)
    deliver(client, sp.event("refund.created", sp.refund_object(amount=1000, payment_intent=PAYMENT)))
    refund = {"id": 730, "reason": "", "total": "-10.00"}
    deliver(client, shop_sale(code, refunds=[refund], modified=timezone.now()))

    order = Order.objects.get()
    assert order.refunds.count() == 2
    assert order.refunded_amount == Decimal("10.00")
    assert order.status == "partially_refunded"


def test_a_stripe_refund_before_the_shop_order_waits_for_it(client, boutique, host_code):
    _, code = host_code
    deliver(client, sp.event("refund.created", sp.refund_object(amount=1000, payment_intent=PAYMENT)))

    deliver(client, shop_sale(code))

    order = Order.objects.get()
    assert order.source == OrderSource.WOOCOMMERCE
    assert order.refunded_amount == Decimal("10.00")


def test_a_stripe_dispute_reaches_the_shop_order_of_its_payment(client, boutique, host_code):
    _, code = host_code
    deliver(client, shop_sale(code))

    deliver(
        client, sp.event("charge.dispute.created", sp.dispute_object(amount=2935, payment_intent=PAYMENT))
    )

    order = Order.objects.get()
    assert order.dispute_status == "open"
    assert order.refunded_amount == Decimal("29.35")


def test_a_cancellation_from_the_shop_reaches_the_order_stripe_recorded_first(client, boutique, host_code):
    host, code = host_code
    deliver(client, stripe_sale())
    deliver(client, shop_sale(code))

    deliver(client, shop_sale(code, status="cancelled"))

    assert Order.objects.get().status == "cancelled"
    assert sum(entry.amount for entry in LedgerEntry.objects.filter(host=host)) == Decimal("0.00")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_from_stripe_and_the_shop_give_one_order_and_one_reward(
    boutique,
    host_code,
    announcements,  # noqa: F811
):
    host, code = host_code
    stripe_event, shop_order = stripe_sale(), shop_sale(code)

    def work(i: int) -> int:
        if i % 2:
            return sp.post_event(Client(), stripe_event).status_code
        return sh.post_woocommerce(
            Client(), shop_order, topic="order.updated", delivery_id=f"d{i}"
        ).status_code

    statuses = run_together(16, work)

    assert statuses == [200] * 16
    assert Order.objects.count() == 1
    assert OrderArrival.objects.count() == 1
    assert announcements == [Order.objects.get().pk]
    assert LedgerEntry.objects.filter(host=host).count() == 1
