import json
import time
from decimal import Decimal

import pytest
import stripe
from django.test import Client

from orders.models import (
    Order,
    OrderSource,
    OrderStatus,
    Refund,
    RefundStatus,
    StripeEvent,
    StripeEventStatus,
)
from orders.signals import order_recorded, refund_recorded
from orders.stripe.events import verify_event
from tests.orders import stripe_payloads as sp

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    return Client()


def _nothing_written() -> bool:
    return not StripeEvent.objects.exists() and not Order.objects.exists() and not Refund.objects.exists()


def test_paid_checkout_session_creates_the_order_from_session_totals(client):
    # given a paid Checkout Session whose promotion code is expanded
    session = sp.checkout_session(
        promotion_code={"id": "promo_1Qd", "object": "promotion_code", "code": "CLARA-7K2F"}
    )

    # when Stripe delivers checkout.session.completed
    response = sp.post_event(client, sp.event("checkout.session.completed", session))

    # then one order holds the session's figures, normalised
    assert response.status_code == 200, response.content
    order = Order.objects.get()
    assert order.source == OrderSource.STRIPE
    assert order.external_id == session["id"]
    assert order.payment_reference == session["payment_intent"]
    assert order.customer_email == "camille.bernard@example.com"
    assert order.currency == "EUR"
    assert (order.subtotal, order.discount, order.shipping, order.tax, order.total) == (
        Decimal("120.00"),
        Decimal("24.00"),
        Decimal("5.00"),
        Decimal("17.00"),
        Decimal("118.00"),
    )
    assert order.commissionable_amount == Decimal("96.00")  # 120 − 24: no tax, no shipping
    assert (order.code, order.promotion_code_id) == ("CLARA-7K2F", "promo_1Qd")
    assert order.landing_token == session["metadata"]["ref"]
    assert order.status == OrderStatus.PAID
    assert StripeEvent.objects.get().status == StripeEventStatus.PROCESSED


def test_promotion_code_given_only_by_id_keeps_the_id_beside_an_empty_code(client):
    sp.post_event(
        client, sp.event("checkout.session.completed", sp.checkout_session(promotion_code="promo_1QdAbC"))
    )

    order = Order.objects.get()
    assert (order.promotion_code_id, order.code) == ("promo_1QdAbC", "")  # never the id as a code


def test_tax_inclusive_session_leaves_tax_out_of_the_commissionable_amount(client):
    # given prices that include VAT: Stripe's total is subtotal − discount + shipping
    session = sp.checkout_session(
        amount_subtotal=12000, amount_discount=0, amount_shipping=0, amount_tax=2000
    )
    session["amount_total"] = 12000

    sp.post_event(client, sp.event("checkout.session.completed", session))

    assert Order.objects.get().commissionable_amount == Decimal("100.00")


def test_zero_decimal_currency_amounts_are_converted_at_the_boundary(client):
    session = sp.checkout_session(
        currency="jpy", amount_subtotal=12000, amount_discount=0, amount_shipping=0, amount_tax=0
    )
    sp.post_event(client, sp.event("checkout.session.completed", session))

    order = Order.objects.get()
    assert (order.currency, order.total) == ("JPY", Decimal("12000.00"))


def test_unpaid_completed_session_waits_for_async_payment_succeeded(client):
    # given a bank debit still pending when the session completes
    unpaid = sp.checkout_session(payment_status="unpaid")
    first = sp.post_event(client, sp.event("checkout.session.completed", unpaid))
    assert first.status_code == 200
    assert not Order.objects.exists()
    assert StripeEvent.objects.get().status == StripeEventStatus.IGNORED

    # when the payment succeeds
    sp.post_event(client, sp.event("checkout.session.async_payment_succeeded", sp.checkout_session()))

    # then the order exists once
    assert Order.objects.count() == 1


def test_repeated_delivery_answers_200_and_changes_nothing(client):
    received = []
    order_recorded.connect(
        lambda **kwargs: received.append(kwargs["order"].pk), weak=False, dispatch_uid="t1"
    )
    try:
        payload = sp.event("checkout.session.completed", sp.checkout_session())
        first = sp.post_event(client, payload)
        second = sp.post_event(client, payload)
    finally:
        order_recorded.disconnect(dispatch_uid="t1")

    assert first.status_code == second.status_code == 200
    assert second.json()["duplicate"] is True
    assert Order.objects.count() == 1
    assert StripeEvent.objects.count() == 1
    assert received == [Order.objects.get().pk]  # announced once


def test_completed_and_async_succeeded_for_one_session_give_one_order(client):
    sp.post_event(client, sp.event("checkout.session.completed", sp.checkout_session()))
    sp.post_event(client, sp.event("checkout.session.async_payment_succeeded", sp.checkout_session()))

    assert Order.objects.count() == 1
    assert StripeEvent.objects.count() == 2


def test_unknown_event_types_are_acknowledged_and_ignored(client):
    response = sp.post_event(client, sp.event("customer.created", {"id": "cus_1", "object": "customer"}))

    assert response.status_code == 200
    assert StripeEvent.objects.get().status == StripeEventStatus.IGNORED
    assert not Order.objects.exists()


def _bad_signature_cases():
    body = json.dumps(sp.event("checkout.session.completed", sp.checkout_session()))
    good = sp.sign(body)
    now = int(time.time())
    thin = json.dumps({"id": "evt_1", "object": "v2.core.event", "type": "x", "data": {"object": {}}})
    return {
        "missing": (body, None),
        "malformed": (body, "this-is-not-a-signature"),
        "no v1 scheme": (body, f"t={now},v0=abcdef"),
        "wrong secret": (body, sp.sign(body, secret="whsec_someone_else")),
        "tampered body": (body.replace("12000", "1"), good),
        "stale": (body, sp.sign(body, timestamp=now - 360)),
        "future": (body, sp.sign(body, timestamp=now + 360)),
        "not json": ("{not json", sp.sign("{not json")),
        "not an event": ("[1, 2]", sp.sign("[1, 2]")),
        "a thin notification": (thin, sp.sign(thin)),
        "no data object": (json.dumps({"id": "evt_1", "object": "event", "type": "x"}), None),
    }


def test_a_verified_body_reads_as_the_library_would_build_it(client):
    # The signature is checked by the library, the body then read as plain JSON: the same dict as
    # the library's event object turned back into one, for each documented object.
    for name in ("checkout_session", "charge", "refund", "dispute", "account"):
        body = json.dumps(sp.event("x.y", json.loads((sp.FIXTURES / f"{name}.json").read_text())))
        header = sp.sign(body)
        built = stripe.Webhook.construct_event(body, header, sp.WEBHOOK_SECRET, tolerance=300).to_dict()

        assert verify_event(payload=body.encode(), signature=header, secret=sp.WEBHOOK_SECRET) == built


@pytest.mark.parametrize("case", list(_bad_signature_cases()))
def test_bad_signatures_and_bodies_answer_400_and_write_nothing(client, case):
    body, header = _bad_signature_cases()[case]
    if case == "no data object":
        header = sp.sign(body)
    extra = {"HTTP_STRIPE_SIGNATURE": header} if header is not None else {}

    response = client.post("/webhooks/stripe/", data=body, content_type="application/json", **extra)

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] in {"bad_signature", "bad_payload"}
    assert _nothing_written()


def test_timestamps_inside_the_tolerance_are_accepted(client):
    now = int(time.time())
    early = sp.post_event(client, sp.event("customer.created", {"id": "c1"}), timestamp=now - 240)
    late = sp.post_event(client, sp.event("customer.created", {"id": "c2"}), timestamp=now + 240)

    assert early.status_code == late.status_code == 200


def test_unconfigured_secret_rejects_every_event(client, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""

    response = sp.post_event(client, sp.event("checkout.session.completed", sp.checkout_session()))

    assert response.status_code == 400
    assert _nothing_written()


def test_get_is_not_allowed(client):
    assert client.get("/webhooks/stripe/").status_code == 405


def test_refund_before_its_order_is_kept_and_applied_when_the_order_arrives(client):
    # given a refund event that overtakes its order
    sp.post_event(client, sp.event("refund.created", sp.refund_object(amount=3000)))
    waiting = Refund.objects.get()
    assert waiting.order is None

    # when the order arrives
    sp.post_event(client, sp.event("checkout.session.completed", sp.checkout_session()))

    # then the refund is applied
    order = Order.objects.get()
    waiting.refresh_from_db()
    assert waiting.order == order
    assert order.refunded_amount == Decimal("30.00")
    assert order.status == OrderStatus.PARTIALLY_REFUNDED
    assert order.status_changes.get().to_status == OrderStatus.PARTIALLY_REFUNDED


def test_refund_events_move_forward_only(client):
    sp.post_event(client, sp.event("checkout.session.completed", sp.checkout_session()))
    sp.post_event(client, sp.event("refund.updated", sp.refund_object(status="succeeded")))
    sp.post_event(client, sp.event("refund.created", sp.refund_object(status="pending")))

    assert Refund.objects.get().status == RefundStatus.SUCCEEDED


def test_failed_refund_gives_the_money_back_to_the_order(client):
    sp.post_event(client, sp.event("checkout.session.completed", sp.checkout_session()))
    sp.post_event(client, sp.event("refund.created", sp.refund_object(amount=11800, status="pending")))
    assert Order.objects.get().status == OrderStatus.REFUNDED

    sp.post_event(client, sp.event("refund.updated", sp.refund_object(amount=11800, status="failed")))

    order = Order.objects.get()
    assert (order.status, order.refunded_amount) == (OrderStatus.PAID, Decimal("0.00"))


def test_charge_refunded_records_each_listed_refund_once(client):
    refunds = [
        sp.refund_object(refund_id="re_A", amount=1000),
        sp.refund_object(refund_id="re_B", amount=10800),
    ]
    received = []
    refund_recorded.connect(
        lambda **kw: received.append(kw["refund"].external_id), weak=False, dispatch_uid="t2"
    )
    try:
        sp.post_event(client, sp.event("checkout.session.completed", sp.checkout_session()))
        sp.post_event(client, sp.event("charge.refunded", sp.charge_object(refunds=refunds)))
        # the same refunds again, through their own events
        sp.post_event(client, sp.event("refund.created", refunds[0]))
        sp.post_event(client, sp.event("refund.updated", refunds[1]))
    finally:
        refund_recorded.disconnect(dispatch_uid="t2")

    order = Order.objects.get()
    assert order.refunds.count() == 2
    assert (order.status, order.refunded_amount) == (OrderStatus.REFUNDED, Decimal("118.00"))
    assert sorted(received) == ["re_A", "re_B"]


def test_each_failed_attempt_is_counted_and_the_event_keeps_its_first_content(client):
    # given a receiver that fails twice, then recovers
    calls = []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) <= 2:
            raise RuntimeError(f"listener down {len(calls)}")

    order_recorded.connect(flaky, weak=False, dispatch_uid="flaky-twice")
    try:
        payload = sp.event("checkout.session.completed", sp.checkout_session())
        answers = [sp.post_event(client, payload).status_code for _ in range(2)]
        stored = StripeEvent.objects.get()
        # then both failures are on the event, the last one's reason kept, and nothing else written
        assert answers == [500, 500]
        assert (stored.status, stored.attempts, stored.processed_at) == (StripeEventStatus.FAILED, 2, None)
        assert "listener down 2" in stored.error
        assert stored.payload == payload and stored.type == "checkout.session.completed"
        assert not Order.objects.exists()
        third = sp.post_event(client, payload)
    finally:
        order_recorded.disconnect(dispatch_uid="flaky-twice")

    assert third.status_code == 200
    stored.refresh_from_db()
    assert (stored.status, stored.attempts, stored.error) == (StripeEventStatus.PROCESSED, 3, "")
    assert stored.processed_at is not None
    # and a further delivery is a repeat that changes nothing
    assert sp.post_event(client, payload).json() == {
        "received": True,
        "status": "processed",
        "duplicate": True,
    }
    stored.refresh_from_db()
    assert stored.attempts == 3 and Order.objects.count() == 1


def test_processing_failure_is_recorded_answered_500_and_retried(client):
    # given a receiver that fails once (e.g. the database of a listener is briefly down)
    calls = []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("listener down")

    order_recorded.connect(flaky, weak=False, dispatch_uid="flaky")
    try:
        payload = sp.event("checkout.session.completed", sp.checkout_session())
        # when the first delivery fails
        first = sp.post_event(client, payload)
        # then the failure is recorded, nothing else is written, and Stripe is told to retry
        assert first.status_code == 500
        assert first.json()["type"] == "server_error"
        stored = StripeEvent.objects.get()
        assert (stored.status, stored.attempts) == (StripeEventStatus.FAILED, 1)
        assert "listener down" in stored.error
        assert not Order.objects.exists()

        # when Stripe retries
        second = sp.post_event(client, payload)
    finally:
        order_recorded.disconnect(dispatch_uid="flaky")

    # then it is processed this time
    assert second.status_code == 200
    stored.refresh_from_db()
    assert (stored.status, stored.attempts, stored.error) == (StripeEventStatus.PROCESSED, 2, "")
    assert Order.objects.count() == 1
