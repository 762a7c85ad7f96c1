"""Stripe promises no order of delivery: every order of one order's events ends in the same state."""

import itertools
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orders.models import Order, OrderStatus, Refund
from orders.stripe.events import process_event
from tests.orders import stripe_payloads as sp

pytestmark = pytest.mark.django_db

REFUND_A = sp.refund_object(refund_id="re_A", amount=3000)
REFUND_B = sp.refund_object(refund_id="re_B", amount=8800)

EVENTS = [
    sp.event("checkout.session.completed", sp.checkout_session()),
    sp.event("checkout.session.async_payment_succeeded", sp.checkout_session()),
    sp.event("refund.created", {**REFUND_A, "status": "pending"}),
    sp.event("refund.updated", REFUND_A),
    sp.event("charge.refunded", sp.charge_object(refunds=[REFUND_A, REFUND_B])),
]
EXPECTED = (
    OrderStatus.REFUNDED,
    Decimal("118.00"),
    (("re_A", "succeeded", Decimal("30.00"), True), ("re_B", "succeeded", Decimal("88.00"), True)),
)


class Rollback(Exception):
    pass


def final_state_after(events: list[dict]) -> tuple:
    """Apply the events as the webhook would (after verification), read the state, undo it all."""
    try:
        with transaction.atomic():
            for event in events:
                process_event(event=event)
            order = Order.objects.get()
            refunds = tuple(
                (refund.external_id, refund.status, refund.amount, refund.order_id == order.pk)
                for refund in Refund.objects.order_by("external_id")
            )
            state = (order.status, order.refunded_amount, refunds)
            raise Rollback
    except Rollback:
        return state


def test_every_permutation_of_one_orders_events_reaches_the_same_state():
    states = {final_state_after(list(permutation)) for permutation in itertools.permutations(EVENTS)}

    assert states == {EXPECTED}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_any_order_with_repeated_deliveries_reaches_the_same_state(data):
    # every event at least once, some delivered again, all shuffled
    repeats = data.draw(st.lists(st.sampled_from(range(len(EVENTS))), max_size=6))
    picks = data.draw(st.permutations([*range(len(EVENTS)), *repeats]))

    assert final_state_after([EVENTS[i] for i in picks]) == EXPECTED
