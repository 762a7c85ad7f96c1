"""Properties of attribution: deterministic, independent of arrival order, and reconciliation converges."""

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ambassadors.models import PartyStatus
from orders.ingestion.rules import OrderData
from orders.ingestion.services import record_order
from orders.models import Order
from referrals.attribution.services import reconcile_unattributed
from referrals.codes.services import issue_host_code, issue_party_code
from referrals.models import Attribution, Click
from tests.factories import GuestFactory, HostFactory, PartyFactory

pytestmark = pytest.mark.django_db

_serial = itertools.count(1)
EMAILS = ["ana@example.com", "ben@example.com", "chloe@example.com", "dan@example.com"]


@pytest.fixture
def world():
    """Two hosts, a held party with guests, codes of every kind, and clicks of different ages."""
    now = timezone.now()
    hosts = [HostFactory(selected_at=now - timedelta(days=60)) for _ in range(2)]
    party = PartyFactory(
        host=hosts[1],
        starts_at=now - timedelta(days=4),
        status=PartyStatus.HELD,
        attribution_ends_at=now + timedelta(days=26),
    )
    GuestFactory(party=party, email=EMAILS[0])
    GuestFactory(party=party, email=EMAILS[1])
    codes = [issue_host_code(host=hosts[0]).code, issue_party_code(party=party).code, "NOPE-2345", ""]
    clicks = [
        Click.objects.create(
            code=issue_host_code(host=hosts[0]),
            at=now - timedelta(days=days),
            token=f"click-{days}",
            visitor_hash="h",
        ).token
        for days in (1, 45)
    ] + ["unknown-token", ""]
    return {"now": now, "codes": codes, "tokens": clicks, "party": party, "hosts": hosts}


order_specs = st.lists(
    st.tuples(
        st.integers(0, 3),  # code
        st.integers(0, 3),  # landing token
        st.integers(0, len(EMAILS) - 1),  # buyer
        st.integers(0, 72),  # hours before now
    ),
    min_size=1,
    max_size=8,
)


def _record(world, spec, external_id):
    code_i, token_i, email_i, hours = spec
    amount = Decimal("50.00")
    order, _ = record_order(
        source="api",
        data=OrderData(
            external_id=external_id,
            placed_at=world["now"] - timedelta(hours=hours),
            customer_email=EMAILS[email_i],
            currency="EUR",
            subtotal=amount,
            total=amount,
            code=world["codes"][code_i],
            landing_token=world["tokens"][token_i],
        ),
    )
    a = Attribution.objects.get(order=order)
    return (a.method, a.reason, a.host_id, a.party_id, a.earns, a.explanation)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=order_specs, data=st.data())
def test_attribution_does_not_depend_on_the_order_orders_arrive_in(world, specs, data):
    # given: the same orders in their order and in a shuffled one
    permutation = data.draw(st.permutations(range(len(specs))))
    # when
    first = {i: _record(world, spec, f"a-{next(_serial)}") for i, spec in enumerate(specs)}
    Order.objects.all().delete()
    second = {i: _record(world, specs[i], f"b-{next(_serial)}") for i in permutation}
    Order.objects.all().delete()
    # then
    assert first == second


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=order_specs)
def test_reconciliation_reaches_what_a_known_guest_list_would_have_given(world, specs):
    # given: orders recorded while "dan" was not yet on the guest list
    late = [(c, t, 3, h) for c, t, _, h in specs]
    orders = []
    for spec in late:
        external_id = f"late-{next(_serial)}"
        _record(world, spec, external_id)
        orders.append((spec, external_id))
    # when: dan is added to the party and reconciliation runs
    guest = GuestFactory(party=world["party"], email=EMAILS[3])
    reconcile_unattributed()
    reconciled = [
        (a.method, a.host_id, a.party_id, a.earns)
        for a in (Attribution.objects.get(order__external_id=external_id) for _, external_id in orders)
    ]
    # then: the same as recording them now that dan is known
    known = [
        (method, host_id, party_id, earns)
        for method, _, host_id, party_id, earns, _ in (
            _record(world, spec, f"known-{next(_serial)}") for spec, _ in orders
        )
    ]
    assert reconciled == known
    guest.delete()
    Order.objects.all().delete()
