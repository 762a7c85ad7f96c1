"""A batch of imported orders is attributed, rewarded and reported exactly as the same orders one by one."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ambassadors.models import Host, PartyStatus
from orders.ingestion.rules import OrderData, RefundData
from orders.ingestion.services import import_order, import_order_batch
from orders.models import Order
from referrals.codes.services import issue_host_code, issue_party_code
from referrals.models import AttributedSale, Attribution, Click, LedgerEntry
from referrals.reports.facts import refresh_attributed_sale
from referrals.rewards.services import recompute_rewards, set_reward_plan
from tests.factories import CampaignFactory, GuestFactory, HostFactory, PartyFactory

pytestmark = pytest.mark.django_db

GUESTS = ["ana@example.com", "ben@example.com", "chloe@example.com", "dan@example.com"]


@pytest.fixture
def world():
    """One campaign with a plan (brackets, qualification, host-code rate, cap); an active host with
    two held parties sharing a guest, another active host, a paused one; codes of every kind, clicks
    inside and outside the window, and a buyer who is a host."""
    now = timezone.now()
    campaign = CampaignFactory(status="running")
    clara, hugo, paul = (
        HostFactory(application__campaign=campaign, selected_at=now - timedelta(days=60), status=status)
        for status in ("active", "active", "paused")
    )
    set_reward_plan(
        campaign=campaign,
        by=None,
        party_brackets=[{"up_to": "100", "rate": "0.10"}, {"up_to": None, "rate": "0.20"}],
        min_party_buyers=2,
        min_party_sales=Decimal("60"),
        host_code_rate=Decimal("0.05"),
        cap_per_host=Decimal("40"),
        holding_days=30,
    )
    parties = [
        PartyFactory(
            host=host,
            starts_at=now - timedelta(days=days),
            status=PartyStatus.HELD,
            attribution_ends_at=now + timedelta(days=30 - days),
        )
        for host, days in ((clara, 4), (hugo, 2))
    ]
    for party, emails in zip(parties, (GUESTS[:2], GUESTS[1:3]), strict=True):
        for email in emails:
            GuestFactory(party=party, email=email)
    host_codes = [issue_host_code(host=host) for host in (clara, hugo, paul)]
    tokens = [
        Click.objects.create(
            code=host_codes[0], at=now - timedelta(days=days), token=f"t-{days}", visitor_hash="h"
        ).token
        for days in (1, 45)
    ]
    codes = [code.code for code in host_codes] + [issue_party_code(party=party).code for party in parties]
    return {
        "now": now,
        "codes": [*codes, codes[0].lower(), "NOPE-2345", ""],
        "tokens": [*tokens, "unknown-token", ""],
        "emails": [*GUESTS, clara.user.email, "eve@example.com"],
    }


order_specs = st.lists(
    st.tuples(
        st.integers(0, 7),  # code
        st.integers(0, 3),  # landing token
        st.integers(0, 5),  # buyer
        st.integers(0, 96),  # hours before now
        st.sampled_from(["20.00", "45.50", "80.00", "300.00"]),  # subtotal
        st.sampled_from([None, "10.00", "all"]),  # a refund sent with the order
    ),
    min_size=1,
    max_size=12,
)


def _items(world, specs):
    items = []
    for index, (code_i, token_i, email_i, hours, subtotal, refund) in enumerate(specs):
        placed_at = world["now"] - timedelta(hours=hours)
        data = OrderData(
            external_id=f"B-{index}",
            placed_at=placed_at,
            customer_email=world["emails"][email_i],
            currency="EUR",
            subtotal=Decimal(subtotal),
            total=Decimal(subtotal),
            code=world["codes"][code_i],
            landing_token=world["tokens"][token_i],
        )
        refunds = ()
        if refund is not None:
            amount = Decimal(subtotal) if refund == "all" else Decimal(refund)
            refunds = (RefundData(external_id=f"R-{index}", amount=amount, refunded_at=placed_at),)
        items.append((data, refunds))
    return items


def _state():
    """Attributions, ledger (per host and basis) and report rows, named by external ids, not keys."""
    external_id = dict(Order.objects.values_list("pk", "external_id"))
    attributions = {
        external_id[a.order_id]: (
            a.method,
            a.reason,
            a.host_id,
            a.party_id,
            a.campaign_id,
            a.referral_code_id,
            a.click_id,
            a.earns,
            a.explanation,
        )
        for a in Attribution.objects.all()
    }
    ledger: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for entry in LedgerEntry.objects.all():
        kind, _, key = entry.basis.partition(":")
        basis = f"order:{external_id[int(key)]}" if kind == "order" else entry.basis
        ledger[(entry.host_id, basis)] += entry.amount
    report = {}
    for row in AttributedSale.objects.values():
        del row["refreshed_at"]
        report[external_id[row.pop("order_id")]] = row
    # A basis that went up and back down (an order with its refund) holds nothing, like one never
    # touched: what counts is the amount each basis holds, not how many lines got it there.
    return attributions, {basis: amount for basis, amount in ledger.items() if amount}, report


def _state_after(import_orders):
    """The state the imports leave, then rolled back: each path starts from the same fresh world."""
    with transaction.atomic():
        import_orders()
        state = _state()
        # the ledger equals the plan applied to today's facts: a full recomputation posts nothing
        assert [entry for host in Host.objects.all() for entry in recompute_rewards(host=host)] == []
        # each report row is what the one-order writer gives
        for order in Order.objects.all():
            refresh_attributed_sale(order=order)
        assert _state() == state
        transaction.set_rollback(True)
    return state


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=order_specs)
def test_a_batch_gives_the_attributions_ledger_and_report_of_the_same_orders_one_by_one(world, specs):
    # given
    items = _items(world, specs)
    # when
    batch = _state_after(lambda: import_order_batch(source="api", items=items))
    one_by_one = _state_after(
        lambda: [import_order(source="api", data=data, refunds=refunds) for data, refunds in items]
    )
    # then
    assert batch == one_by_one
    assert len(batch[0]) == len(items)
