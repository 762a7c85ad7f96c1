"""The rewards ledger as a state machine (SPEC §8): whatever happens, in whatever order — orders
through host and party codes, refunds, cancellations, re-attributions, kit settlements, manual
adjustments, time passing, approvals, payout runs (some failing at Stripe, some dying between the
transfer and the commit) — the ledger equals the plan applied to today's facts, paid never exceeds
approved, and nothing is paid twice. Payouts go through the real Stripe client to the local fake."""

import contextlib
import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from ambassadors.models import PartyStatus
from backend.errors import InvalidTransition
from kits.models import KitSettlement, Shipment
from kits.signals import kit_settled
from orders.models import Order, OrderStatus
from orders.services import OrderData, RefundData, cancel_order, record_order, record_shop_refund
from referrals.attribution import reattribute_order
from referrals.codes import issue_host_code, issue_party_code
from referrals.models import (
    EntryKind,
    EntryState,
    LedgerEntry,
    Payout,
    PayoutAccount,
    PayoutMethod,
    PayoutStatus,
)
from referrals.payouts import mark_payout_paid, run_payouts
from referrals.rewards import (
    _COMPUTED_PREFIXES,
    adjust_rewards,
    approve_due_entries,
    entitlement,
    set_reward_plan,
)
from tests.factories import CampaignFactory, HostFactory, PartyFactory, UserFactory
from tests.fakes.stripe_api import start_fake_stripe
from tests.referrals.test_payouts import CrashBeforeCommit, CrashOnceWhenRecordingPaid

pytestmark = pytest.mark.django_db

_serial = itertools.count(1)
BUYERS = ["ana@example.com", "ben@example.com", "chloe@example.com", "dan@example.com"]
CENT = Decimal("0.01")


class LedgerMachine(RuleBasedStateMachine):
    fake = None  # the fake Stripe API, set by the test

    orders = Bundle("orders")

    def __init__(self):
        super().__init__()
        self.now = timezone.now()
        self.staff = UserFactory()
        campaign = CampaignFactory(status="running")
        self.hosts = [
            HostFactory(application__campaign=campaign, selected_at=self.now - timedelta(days=60))
            for _ in range(3)
        ]
        self.plan = set_reward_plan(
            campaign=campaign,
            by=None,
            party_brackets=[{"up_to": "200", "rate": "0.10"}, {"up_to": None, "rate": "0.20"}],
            min_party_buyers=2,
            min_party_sales=Decimal("100"),
            host_code_rate=Decimal("0.10"),
            cap_per_host=Decimal("150"),
            holding_days=30,
            payout_minimum=Decimal("10"),
        )
        self.parties = [
            PartyFactory(
                host=host,
                starts_at=self.now - timedelta(days=1),
                status=PartyStatus.HELD,
                attribution_ends_at=self.now + timedelta(days=365),
            )
            for host in self.hosts
        ]
        self.host_codes = [issue_host_code(host=host).code for host in self.hosts]
        self.party_codes = [issue_party_code(party=party).code for party in self.parties]
        # How each host is paid: a connected Stripe account, store credit, bank transfer.
        for host, method in zip(
            self.hosts,
            [PayoutMethod.STRIPE_TRANSFER, PayoutMethod.STORE_CREDIT, PayoutMethod.BANK_TRANSFER],
            strict=True,
        ):
            PayoutAccount.objects.create(
                user=host.user,
                preferred_method=method,
                stripe_account_id=f"acct_m{host.pk}" if method == PayoutMethod.STRIPE_TRANSFER else "",
                payouts_enabled=method == PayoutMethod.STRIPE_TRANSFER,
            )

    # --- facts -------------------------------------------------------------------------------

    @rule(
        target=orders,
        sales=st.lists(
            st.tuples(
                st.integers(0, 2),  # host
                st.booleans(),  # through their party's code, or their own code
                st.integers(5, 400),  # amount
                st.integers(0, len(BUYERS)),  # buyer; the last one is the host themself
            ),
            min_size=1,
            max_size=4,
        ),
    )
    def buy(self, sales):
        order_ids = []
        for host_index, through_party, amount, buyer in sales:
            host = self.hosts[host_index]
            code = (self.party_codes if through_party else self.host_codes)[host_index]
            order, _ = record_order(
                source="api",
                data=OrderData(
                    external_id=f"sm-{next(_serial)}",
                    placed_at=timezone.now(),
                    customer_email=BUYERS[buyer] if buyer < len(BUYERS) else host.user.email,
                    currency="EUR",
                    subtotal=Decimal(amount),
                    total=Decimal(amount),
                    code=code,
                ),
            )
            order_ids.append(order.pk)
        return multiple(*order_ids)

    @rule(order_id=orders, share=st.sampled_from(["0.25", "0.5", "1"]))
    def refund(self, order_id, share):
        order = Order.objects.get(pk=order_id)
        left = order.total - order.refunded_amount
        amount = (left * Decimal(share)).quantize(CENT)
        if order.status == OrderStatus.CANCELLED or amount <= 0:
            return
        record_shop_refund(
            order=order,
            source="api",
            data=RefundData(external_id=f"sm-r{next(_serial)}", amount=amount, refunded_at=timezone.now()),
        )

    @rule(order_id=orders)
    def cancel(self, order_id):
        with contextlib.suppress(InvalidTransition):  # already cancelled, or fully refunded
            cancel_order(order=Order.objects.get(pk=order_id), by=self.staff, reason="cancelled by the shop")

    @rule(order_id=orders, host_index=st.integers(0, 3), to_party=st.booleans())
    def reattribute(self, order_id, host_index, to_party):
        host = self.hosts[host_index] if host_index < 3 else None
        party = self.parties[host_index] if host is not None and to_party else None
        reattribute_order(
            order=Order.objects.get(pk=order_id),
            host=host,
            party=party,
            by=self.staff,
            reason="fixed by hand",
        )

    @rule(host_index=st.integers(0, 2), amount=st.integers(1, 60))
    def settle_kit(self, host_index, amount):
        host = self.hosts[host_index]
        if Shipment.objects.filter(host=host).exists():
            return  # one kit per host, settled once
        shipment = Shipment.objects.create(
            number=f"KIT-2026-{next(_serial):06d}",
            host=host,
            campaign=host.campaign,
            ship_to_name=host.full_name,
            ship_to_line1=host.address_line1,
            ship_to_postal_code=host.postal_code,
            ship_to_city=host.city,
            ship_to_country=host.country,
            ship_to_phone=str(host.phone),
        )
        settlement = KitSettlement.objects.create(
            shipment=shipment,
            host=host,
            campaign=host.campaign,
            policy="deduct_cost",
            currency="EUR",
            missing_units=1,
            missing_cost_value=Decimal(amount),
            missing_retail_value=Decimal(amount) * 3,
            amount_to_deduct=Decimal(amount),
        )
        kit_settled.send(sender=KitSettlement, settlement=settlement, by=None)

    @rule(host_index=st.integers(0, 2), amount=st.integers(-20, 40).filter(bool))
    def adjust(self, host_index, amount):
        adjust_rewards(host=self.hosts[host_index], amount=Decimal(amount), reason="by hand", by=self.staff)

    # --- time, approval and payouts ------------------------------------------------------------

    @rule(days=st.integers(0, 40))
    def time_passes_and_approval_runs(self, days):
        self.now += timedelta(days=days)
        at = self.clock()
        approve_due_entries(at=at)
        assert approve_due_entries(at=at) == 0  # idempotent

    def clock(self):
        """The machine's time: real time, moved forward by the days that passed (never behind it)."""
        self.now = max(self.now, timezone.now())
        return self.now

    @rule(mode=st.sampled_from(["normal", "stripe refuses once", "dies before recording"]))
    def payout_run(self, mode):
        if mode == "stripe refuses once":
            self.fake.fail_next("/v1/transfers", 400)
            self.fake.fail_next("/v1/coupons", 402)
        crash = CrashOnceWhenRecordingPaid() if mode == "dies before recording" else None
        with contextlib.ExitStack() as stack:
            if crash is not None:
                stack.enter_context(connection.execute_wrapper(crash))
                stack.enter_context(contextlib.suppress(CrashBeforeCommit))  # the next run repairs it
            run_payouts(at=self.clock())
        self.fake.clear_failures()

    @rule()
    def mark_bank_transfers_paid(self):
        for payout in Payout.objects.filter(
            host__in=self.hosts, status=PayoutStatus.PENDING, method=PayoutMethod.BANK_TRANSFER
        ):
            mark_payout_paid(payout=payout, by=self.staff)

    # --- invariants --------------------------------------------------------------------------

    @invariant()
    def ledger_equals_the_plan_applied_to_todays_facts(self):
        for host in self.hosts:
            expected = {
                basis: owed.amount for basis, owed in entitlement(host, self.plan).items() if owed.amount
            }
            posted: dict[str, Decimal] = {}
            for entry in LedgerEntry.objects.filter(host=host):
                if entry.basis.startswith(_COMPUTED_PREFIXES):
                    posted[entry.basis] = posted.get(entry.basis, Decimal("0")) + entry.amount
            assert {basis: amount for basis, amount in posted.items() if amount} == expected

    @invariant()
    def paid_never_exceeds_approved(self):
        for payout in Payout.objects.filter(host__in=self.hosts):
            included = LedgerEntry.objects.filter(payout=payout).exclude(kind=EntryKind.PAYOUT)
            assert payout.amount > 0
            assert sum(entry.amount for entry in included) == payout.amount
            assert all(
                e.state == EntryState.PAID and e.approved_at is not None and e.approved_at <= e.paid_at
                for e in included
            )
            [line] = LedgerEntry.objects.filter(payout=payout, kind=EntryKind.PAYOUT)
            assert line.amount == -payout.amount
        assert not LedgerEntry.objects.filter(
            host__in=self.hosts, state=EntryState.PAID, payout__isnull=True
        ).exists()

    @invariant()
    def nothing_is_paid_twice(self):
        transfers = [obj for obj in self.fake.objects.values() if obj["object"] == "transfer"]
        promotions = [obj for obj in self.fake.objects.values() if obj["object"] == "promotion_code"]
        for payout in Payout.objects.filter(host__in=self.hosts):
            sent = [t for t in transfers if t.get("transfer_group") == f"soiree-payout-{payout.pk}"]
            credits = [
                p
                for p in promotions
                if payout.store_credit_code and p.get("code") == payout.store_credit_code
            ]
            assert len(sent) + len(credits) <= 1
            if payout.status == PayoutStatus.PAID and payout.method == PayoutMethod.STRIPE_TRANSFER:
                assert [t["id"] for t in sent] == [payout.stripe_transfer_id]
            if payout.status == PayoutStatus.PAID and payout.method == PayoutMethod.STORE_CREDIT:
                assert [p["id"] for p in credits] == [payout.stripe_promotion_code_id]


def test_the_ledger_state_machine(settings_fixture_for_stripe):
    LedgerMachine.fake = settings_fixture_for_stripe
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )


@pytest.fixture
def settings_fixture_for_stripe(settings):
    fake, server = start_fake_stripe()
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_API_BASE = fake.url
    yield fake
    server.shutdown()
