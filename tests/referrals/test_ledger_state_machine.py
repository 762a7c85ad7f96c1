"""The rewards ledger as a state machine (SPEC §7, §8): whatever happens, in whatever order — orders
through host and party codes, links and guest lists (some unattributed until a guest is listed and
reconciliation runs), refunds, cancellations, re-attributions, bookings, kit settlements, manual
adjustments, time passing, approvals, payout runs (some failing at Stripe, some dying between the
transfer and the commit) — the ledger equals the plan applied to today's facts, paid never exceeds
approved, and nothing is paid twice. Payouts go through the real Stripe client to the local fake.

"The plan applied to today's facts" is computed here, by the machine, from what it did: plain
arithmetic over its own record of orders, refunds, cancellations and credits, never through
`referrals.rewards`, so a wrong bracket, threshold, cap or reversal there cannot agree with itself."""

import contextlib
import itertools
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import parse_qs, urlsplit

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

from ambassadors.hosts.services import transition_host
from ambassadors.models import HostStatus, PartyStatus
from ambassadors.parties.services import add_guest, register_guest
from backend.errors import InvalidTransition
from kits.models import KitSettlement, Shipment
from kits.signals import kit_settled
from orders.ingestion.refunds import record_shop_refund
from orders.ingestion.rules import OrderData, RefundData
from orders.ingestion.services import cancel_order, record_order
from orders.models import Order
from referrals.attribution.services import reattribute_order, reconcile_unattributed
from referrals.codes.links import follow_link
from referrals.codes.services import issue_host_code, issue_party_code
from referrals.models import (
    EntryKind,
    EntryState,
    LedgerEntry,
    Payout,
    PayoutAccount,
    PayoutMethod,
    PayoutStatus,
)
from referrals.payouts.services import mark_payout_paid, run_payouts
from referrals.rewards.entitlement import entitlement
from referrals.rewards.services import (
    _COMPUTED_PREFIXES,
    adjust_rewards,
    approve_due_entries,
    recompute_rewards,
    set_reward_plan,
)
from tests.factories import CampaignFactory, HostFactory, PartyFactory, UserFactory
from tests.fakes.stripe_api import start_fake_stripe

pytestmark = pytest.mark.django_db

_serial = itertools.count(1)
BUYERS = ["ana@example.com", "ben@example.com", "chloe@example.com", "dan@example.com"]
PROSPECTS = ["gina", "hugo", "ines"]  # people who buy with no code nor link: guests, once listed
BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15"
CENT = Decimal("0.01")

# The plan, as marketing would write it down; the machine gives it to `set_reward_plan` and the
# oracle below applies it by hand.
FIRST_BRACKET_TOP, FIRST_RATE, ABOVE_RATE = Decimal("200"), Decimal("0.10"), Decimal("0.20")
MIN_PARTY_BUYERS, MIN_PARTY_SALES = 2, Decimal("100")
HOST_CODE_RATE = Decimal("0.10")
BOOKING_BONUS = Decimal("15")
CAP_PER_HOST = Decimal("150")


class CrashBeforeCommit(Exception):
    """Stands for the run dying after Stripe answered and before our commit, inside this test's
    transaction (where another process could not see the machine's data). The real crash, a run
    killed with SIGKILL, is in test_payouts.py (PostgreSQL)."""


class CrashOnceWhenRecordingPaid:
    """A database execute wrapper: the first UPDATE that marks a payout paid never reaches the DB."""

    def __init__(self):
        self.fired = False

    def __call__(self, execute, sql, params, many, context):
        if not self.fired and sql.startswith('UPDATE "referrals_payout" SET "status"'):
            self.fired = True
            raise CrashBeforeCommit()
        return execute(sql, params, many, context)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Sale:
    """The machine's own record of one order: what was paid and given back, and whom it credits."""

    buyer: str
    commissionable: Decimal
    total: Decimal
    refunded: Decimal = Decimal("0")
    cancelled: bool = False
    host_index: int | None = None  # the credited host, None while unattributed
    at_party: bool = False  # credited to that host's party rather than their own code
    by_hand: bool = False  # re-attributed by marketing: reconciliation leaves it alone
    prospect: str = ""  # bought with nothing but their e-mail: credited once they are a listed guest


class LedgerMachine(RuleBasedStateMachine):
    fake = None  # the fake Stripe API, set by the test

    orders = Bundle("orders")

    def __init__(self):
        super().__init__()
        self.now = timezone.now()
        self.staff = UserFactory()
        self.tag = next(_serial)  # e-mails of this example's guests, unknown to earlier examples
        self.sales: dict[int, Sale] = {}
        self.listed_at: dict[str, int] = {}  # prospect e-mail -> index of the party listing them
        self.bookings = [0, 0, 0]  # booked guests who became active hosts, per host
        self.kit_deductions = [Decimal("0")] * 3
        self.adjustments = [Decimal("0")] * 3
        campaign = CampaignFactory(status="running")
        CampaignFactory(status="recruiting")  # where booked guests apply
        self.hosts = [
            HostFactory(application__campaign=campaign, selected_at=self.now - timedelta(days=60))
            for _ in range(3)
        ]
        self.plan = set_reward_plan(
            campaign=campaign,
            by=None,
            party_brackets=[
                {"up_to": str(FIRST_BRACKET_TOP), "rate": str(FIRST_RATE)},
                {"up_to": None, "rate": str(ABOVE_RATE)},
            ],
            min_party_buyers=MIN_PARTY_BUYERS,
            min_party_sales=MIN_PARTY_SALES,
            host_code_rate=HOST_CODE_RATE,
            booking_bonus=BOOKING_BONUS,
            cap_per_host=CAP_PER_HOST,
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

    def _record(self, sale: Sale, *, code: str = "", landing_token: str = "", shipping: Decimal) -> int:
        order, _ = record_order(
            source="api",
            data=OrderData(
                external_id=f"sm-{next(_serial)}",
                placed_at=timezone.now(),
                customer_email=sale.buyer,
                currency="EUR",
                subtotal=sale.commissionable,
                shipping=shipping,
                total=sale.total,
                code=code,
                landing_token=landing_token,
            ),
        )
        self.sales[order.pk] = sale
        return order.pk

    def _buyer(self, buyer: int, host_index: int) -> str:
        """One of the shop's customers, or (the last index) the host themself."""
        return BUYERS[buyer] if buyer < len(BUYERS) else self.hosts[host_index].user.email

    @rule(
        target=orders,
        sales=st.lists(
            st.tuples(
                st.integers(0, 2),  # host
                st.booleans(),  # through their party's code, or their own code
                st.integers(5, 400),  # amount
                st.integers(0, len(BUYERS)),  # buyer; the last one is the host themself
                st.sampled_from(["0", "4.90"]),  # shipping: paid, refunded in proportion, never earning
            ),
            min_size=1,
            max_size=4,
        ),
    )
    def buy_with_a_code(self, sales):
        order_ids = []
        for host_index, through_party, amount, buyer, shipping in sales:
            code = (self.party_codes if through_party else self.host_codes)[host_index]
            sale = Sale(
                buyer=self._buyer(buyer, host_index),
                commissionable=Decimal(amount),
                total=Decimal(amount) + Decimal(shipping),
                host_index=host_index,
                at_party=through_party,
            )
            order_ids.append(self._record(sale, code=code, shipping=Decimal(shipping)))
        return multiple(*order_ids)

    @rule(
        target=orders,
        host_index=st.integers(0, 2),
        through_party=st.booleans(),
        amount=st.integers(5, 400),
        buyer=st.integers(0, len(BUYERS)),
    )
    def click_a_link_then_buy(self, host_index, through_party, amount, buyer):
        code = (self.party_codes if through_party else self.host_codes)[host_index]
        location = follow_link(raw_code=code, ip_address="203.0.113.7", user_agent=BROWSER, referrer="")
        [token] = parse_qs(urlsplit(location).query)["ref"]
        sale = Sale(
            buyer=self._buyer(buyer, host_index),
            commissionable=Decimal(amount),
            total=Decimal(amount),
            host_index=host_index,
            at_party=through_party,
        )
        return self._record(sale, landing_token=token, shipping=Decimal("0"))

    @rule(
        target=orders, amount=st.integers(5, 400), through=st.sampled_from(["unknown code", "unknown link"])
    )
    def buy_through_nothing_of_ours(self, amount, through):
        sale = Sale(buyer=BUYERS[0], commissionable=Decimal(amount), total=Decimal(amount))
        if through == "unknown code":
            return self._record(sale, code="NOBODY-2345", shipping=Decimal("0"))
        location = follow_link(
            raw_code="NOBODY-2345", ip_address="203.0.113.7", user_agent=BROWSER, referrer=""
        )
        [decoy] = parse_qs(urlsplit(location).query)["ref"]
        return self._record(sale, landing_token=decoy, shipping=Decimal("0"))

    def _prospect(self, index: int) -> str:
        return f"{PROSPECTS[index]}-{self.tag}@example.com"

    @rule(target=orders, prospect=st.integers(0, len(PROSPECTS) - 1), amount=st.integers(5, 400))
    def prospect_buys(self, prospect, amount):
        email = self._prospect(prospect)
        party_index = self.listed_at.get(email)
        sale = Sale(
            buyer=email,
            commissionable=Decimal(amount),
            total=Decimal(amount),
            host_index=party_index,
            at_party=party_index is not None,
            prospect=email,
        )
        return self._record(sale, shipping=Decimal("0"))

    @rule(prospect=st.integers(0, len(PROSPECTS) - 1), party_index=st.integers(0, 2))
    def host_lists_a_prospect_as_guest(self, prospect, party_index):
        email = self._prospect(prospect)
        if email in self.listed_at:
            return  # on one guest list only: which party is "the most recent" is the attribution tests' job
        host = self.hosts[party_index]
        add_guest(
            party=self.parties[party_index], by=host.user, first_name="Gina", email=email, guest_agreed=True
        )
        self.listed_at[email] = party_index

    @rule()
    def reconciliation_runs(self):
        reconcile_unattributed()
        for sale in self.sales.values():
            if sale.host_index is None and not sale.by_hand and sale.prospect in self.listed_at:
                sale.host_index, sale.at_party = self.listed_at[sale.prospect], True

    @rule(order_id=orders, share=st.sampled_from(["0.25", "0.5", "1"]))
    def refund(self, order_id, share):
        sale = self.sales[order_id]
        amount = ((sale.total - sale.refunded) * Decimal(share)).quantize(CENT)
        if sale.cancelled or amount <= 0:
            return
        record_shop_refund(
            order=Order.objects.get(pk=order_id),
            source="api",
            data=RefundData(external_id=f"sm-r{next(_serial)}", amount=amount, refunded_at=timezone.now()),
        )
        sale.refunded += amount

    @rule(order_id=orders)
    def cancel(self, order_id):
        with contextlib.suppress(InvalidTransition):  # already cancelled
            cancel_order(order=Order.objects.get(pk=order_id), by=self.staff, reason="cancelled by the shop")
            self.sales[order_id].cancelled = True

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
        sale = self.sales[order_id]
        sale.host_index = host_index if host is not None else None
        sale.at_party = party is not None
        sale.by_hand = True

    @rule(host_index=st.integers(0, 2))
    def a_guest_books_and_becomes_a_host(self, host_index):
        serial = next(_serial)
        guest = register_guest(
            party=self.parties[host_index],
            first_name="Nina",
            email=f"booked-{serial}@example.com",
            accept_terms=True,
            wants_to_host=True,
        )
        application = guest.booked_application
        assert application is not None
        booked = HostFactory(application=application, status=HostStatus.INVITED)
        transition_host(host=booked, to_status=HostStatus.ACTIVE, by=None, reason="signed in")
        # Nothing announces an activation to referrals: the nightly recomputation posts the bonus.
        recompute_rewards(host=self.hosts[host_index])
        self.bookings[host_index] += 1

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
        self.kit_deductions[host_index] += Decimal(amount)

    @rule(host_index=st.integers(0, 2), amount=st.integers(-20, 40).filter(bool))
    def adjust(self, host_index, amount):
        adjust_rewards(host=self.hosts[host_index], amount=Decimal(amount), reason="by hand", by=self.staff)
        self.adjustments[host_index] += Decimal(amount)

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

    def owed_by_the_plan(self, host_index: int) -> Decimal:
        """The oracle: what the plan gives the host on the machine's own facts, by hand.

        A sale counts at its commissionable amount less the refunded share of what was paid, and
        not at all once cancelled, or when its buyer is the credited host (self-referral). A party
        earns its marginal brackets once it has enough buyers who kept something and enough sales;
        a sale through the host's own code earns the host-code rate; each booked guest who became
        an active host earns the bonus; the cap bounds all of it; missing kit items come off after.
        """
        host_email = self.hosts[host_index].user.email
        own_code = Decimal("0")
        party_sales = Decimal("0")  # each host has one party in this machine
        party_buyers: set[str] = set()
        for sale in self.sales.values():
            if sale.host_index != host_index or sale.cancelled or sale.buyer == host_email:
                continue
            kept = cents(sale.commissionable * (sale.total - sale.refunded) / sale.total)
            if not sale.at_party:
                own_code += cents(kept * HOST_CODE_RATE)
                continue
            party_sales += kept
            if kept > 0:
                party_buyers.add(sale.buyer)
        party = Decimal("0")
        if len(party_buyers) >= MIN_PARTY_BUYERS and party_sales >= MIN_PARTY_SALES:
            first_slice = min(party_sales, FIRST_BRACKET_TOP)
            party = cents(first_slice * FIRST_RATE + (party_sales - first_slice) * ABOVE_RATE)
        earned = own_code + party + BOOKING_BONUS * self.bookings[host_index]
        return min(earned, CAP_PER_HOST) - self.kit_deductions[host_index]

    @invariant()
    def ledger_equals_the_plan_applied_to_todays_facts(self):
        for host_index, host in enumerate(self.hosts):
            lines = LedgerEntry.objects.filter(host=host).exclude(kind=EntryKind.PAYOUT)
            held = sum((entry.amount for entry in lines), Decimal("0"))
            assert held == self.owed_by_the_plan(host_index) + self.adjustments[host_index], host_index

    @invariant()
    def each_basis_holds_what_recomputation_would_post(self):
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
            lines = LedgerEntry.objects.filter(payout=payout, kind=EntryKind.PAYOUT)
            assert payout.amount > 0
            if payout.status in (PayoutStatus.FAILED, PayoutStatus.CANCELLED):
                # refused again and again: its entries are back in the balance, a line gives it back
                assert not included.exists()
                assert sum(line.amount for line in lines) == 0
                continue
            assert sum(entry.amount for entry in included) == payout.amount
            assert all(
                e.state == EntryState.PAID and e.approved_at is not None and e.approved_at <= e.paid_at
                for e in included
            )
            assert sum(line.amount for line in lines) == -payout.amount
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
