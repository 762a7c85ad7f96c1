"""The attribution report's facts (`SaleFact`, `ScopeBuyer`, `ScopeBuyers`) over random histories of
writes: orders recorded one by one and in import batches, refunds, disputes, cancellations, manual
re-attributions, guests listed and taken off, a party closed before later refunds. After every
history the facts kept by increments are exactly those recomputed from the rollup rows, and every
report number (each grouping, each filter) is the same from the facts as from the plain GROUP BY over
the rollup's row per order, and on PostgreSQL over orders ⋈ attributions."""

import itertools
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django import db
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ambassadors.models import Guest, PartyStatus
from ambassadors.parties.services import close_party
from backend.errors import DomainError
from orders.ingestion.refunds import record_shop_refund, record_stripe_dispute
from orders.ingestion.rules import OrderData, RefundData
from orders.ingestion.services import cancel_order, import_order_batch, record_order
from orders.models import Order
from referrals.attribution.services import reattribute_order
from referrals.codes.services import issue_host_code, issue_party_code
from referrals.models import HostSales, SaleFact, ScopeBuyer, ScopeBuyers
from referrals.reports.csv import row_values
from referrals.reports.facts import rebuild_report_facts
from referrals.reports.filters import GROUPINGS, ReportFilters
from referrals.reports.query import attribution_report
from tests import factories

pytestmark = pytest.mark.django_db

_serial = itertools.count(1)
EMAILS = [f"{name}@example.com" for name in ("ana", "ben", "cai", "dia")]

# (buyer, hours before now, code used, party of the code)
_order = st.tuples(
    st.integers(0, 3), st.integers(2, 24 * 6), st.sampled_from(["none", "host", "party"]), st.integers(0, 2)
)
_step = st.one_of(
    st.tuples(st.just("order"), _order),
    st.tuples(st.just("batch"), st.lists(_order, min_size=1, max_size=3)),
    st.tuples(st.just("refund"), st.integers(0, 9), st.sampled_from(["10.00", "40.00", "100.00"])),
    st.tuples(st.just("dispute"), st.integers(0, 9), st.sampled_from(["needs_response", "lost", "won"])),
    st.tuples(st.just("cancel"), st.integers(0, 9)),
    # to a host (its party or none), or to nobody
    st.tuples(st.just("reattribute"), st.integers(0, 9), st.integers(-1, 2), st.booleans()),
    st.tuples(st.just("guest"), st.integers(0, 2), st.integers(0, 3), st.booleans()),
    st.tuples(st.just("close"), st.just(0)),
)
histories = st.lists(_step, min_size=1, max_size=8)


@pytest.fixture
def parties():
    """Two hosts of one campaign and one of another, a party each; the first party's window has ended."""
    now = timezone.now()
    selected = now - timedelta(days=90)
    running = factories.CampaignFactory(status="running")
    other = factories.CampaignFactory(status="running")
    hosts = [
        factories.HostFactory(
            application__campaign=campaign, selected_at=selected, country="FR", postal_code=code
        )
        for campaign, code in ((running, "75011"), (running, "69003"), (other, "13001"))
    ]
    return [
        factories.PartyFactory(
            host=host,
            status=PartyStatus.HELD,
            starts_at=now - timedelta(days=5),
            attribution_ends_at=now - timedelta(hours=1) if i == 0 else now + timedelta(days=10),
        )
        for i, host in enumerate(hosts)
    ]


def _data(parties, order) -> OrderData:
    buyer, hours, code, party_i = order
    party = parties[party_i]
    serial = next(_serial)
    return OrderData(
        external_id=f"facts-{serial}",
        placed_at=timezone.now() - timedelta(hours=hours),
        customer_email=EMAILS[buyer],
        currency="EUR",
        subtotal=Decimal("100.00"),
        total=Decimal("100.00"),
        code={
            "none": "",
            "host": issue_host_code(host=party.host).code,
            "party": issue_party_code(party=party).code,
        }[code],
        payment_reference=f"pi_facts{serial:08d}",
    )


def _play(parties, history) -> None:
    orders: list[Order] = []
    for step in history:
        kind, *args = step
        try:
            with transaction.atomic():
                if kind == "order":
                    orders.append(record_order(source="api", data=_data(parties, args[0]))[0])
                elif kind == "batch":
                    results = import_order_batch(
                        source="api", items=[(_data(parties, o), ()) for o in args[0]]
                    )
                    orders += [result.order for result in results if not isinstance(result, DomainError)]
                elif not orders and kind in ("refund", "dispute", "cancel", "reattribute"):
                    continue
                elif kind == "refund":
                    record_shop_refund(
                        order=orders[args[0] % len(orders)],
                        source="api",
                        data=RefundData(
                            external_id=f"facts-r-{next(_serial)}",
                            amount=Decimal(args[1]),
                            refunded_at=timezone.now(),
                        ),
                    )
                elif kind == "dispute":
                    order = orders[args[0] % len(orders)]
                    record_stripe_dispute(
                        external_id=f"dp_facts{next(_serial)}",
                        payment_reference=order.payment_reference,
                        amount=Decimal("30.00"),
                        currency="EUR",
                        status=args[1],
                        disputed_at=timezone.now(),
                    )
                elif kind == "cancel":
                    cancel_order(order=orders[args[0] % len(orders)], by=None, reason="cancelled by the shop")
                elif kind == "reattribute":
                    order_i, host_i, with_party = args
                    party = parties[host_i] if host_i >= 0 else None
                    reattribute_order(
                        order=orders[order_i % len(orders)],
                        host=party.host if party else None,
                        party=party if party and with_party else None,
                        by=None,
                        reason="marketing checked the order",
                    )
                elif kind == "guest":
                    party, email = parties[args[0]], EMAILS[args[1]]
                    found = Guest.objects.filter(party=party, email=email)
                    if args[2] and not found.exists():
                        factories.GuestFactory(party=party, email=email)
                    elif not args[2]:
                        found.delete()
                elif kind == "close":
                    close_party(party=parties[0], by=None)
        except DomainError:
            pass  # a step the rules refuse (a second cancellation, a refund beyond the total) writes nothing


def _facts() -> tuple[list[tuple], list[tuple], list[tuple]]:
    return (
        sorted(
            SaleFact.objects.values_list(
                "slot", "campaign_id", "host_id", "party_id", "method", "day", "sales", "orders"
            )
        ),
        sorted(ScopeBuyer.objects.values_list("scope", "buyer", "sales")),
        sorted(
            ScopeBuyers.objects.filter(buyers__gt=0).values_list(
                "scope", "level", "campaign_id", "host_id", "party_id", "buyers"
            )
        ),
    )


def _money() -> list[tuple]:
    return [
        sorted(model.objects.values_list("slot", "sales", "orders", "gross", "net", "refunded_after_close"))
        for model in (SaleFact, HostSales)
    ]


def _same_reports(parties) -> None:
    campaign_id, host_id = parties[0].host.campaign_id, parties[0].host_id
    since = (timezone.now() - timedelta(days=2)).date()
    for filters in (
        {"campaign_id": campaign_id},
        {"campaign_id": campaign_id, "host_id": host_id},
        {"campaign_id": campaign_id, "party_id": parties[1].pk},
        {"campaign_id": campaign_id, "method": "code"},
        {"campaign_id": campaign_id, "date_from": since},
        {"host_id": host_id},
    ):
        for group_by in (None, *GROUPINGS):
            fast = attribution_report(filters=ReportFilters(**filters), group_by=group_by)
            plains = [attribution_report(filters=ReportFilters(**filters), group_by=group_by, from_rows=True)]
            if connection.vendor == "postgresql":
                plains.append(
                    attribution_report(filters=ReportFilters(**filters), group_by=group_by, from_orders=True)
                )
            for plain in plains:
                assert [row_values(r) for r in fast.rows] == [row_values(r) for r in plain.rows], (
                    filters,
                    group_by,
                )
                assert row_values(fast.totals) == row_values(plain.totals), (filters, group_by)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories)
# Always played: both hosts of the campaign credited, then refunded, one after her party closed.
@example(
    history=[
        ("order", (0, 3, "host", 0)),
        ("order", (1, 5, "party", 1)),
        ("order", (2, 4, "party", 0)),
        ("batch", [(3, 6, "host", 1), (0, 7, "none", 0)]),
        ("refund", 0, "40.00"),
        ("refund", 1, "10.00"),
        ("close", 0),
        ("refund", 2, "10.00"),
    ]
)
def test_facts_kept_by_increments_are_the_facts_of_the_rows(parties, history):
    with transaction.atomic():
        _play(parties, history)
        kept, kept_money = _facts(), _money()
        _same_reports(parties)
        rebuild_report_facts()
        assert _facts() == kept
        assert _money() == kept_money
        transaction.set_rollback(True)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_add_up_in_the_facts():
    """Four import batches of the same host's code at once, buyers shared between them (the same
    fact slot, the same buyer sets), then refunds and cancellations of those orders at once: every
    increment counts, and the facts are those of the rows."""
    host = factories.HostFactory(selected_at=timezone.now() - timedelta(days=30))
    code = issue_host_code(host=host).code
    placed_at = timezone.now() - timedelta(hours=1)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def run(work) -> None:
        try:
            barrier.wait(timeout=30)
            work()
        except BaseException as error:  # reported by the test below
            errors.append(error)
        finally:
            db.connections.close_all()

    def batch(thread: int) -> None:
        items = [
            (
                OrderData(
                    external_id=f"race-{thread}-{i}",
                    placed_at=placed_at,
                    customer_email=EMAILS[(thread + i) % len(EMAILS)],
                    currency="EUR",
                    subtotal=Decimal("50.00"),
                    total=Decimal("50.00"),
                    code=code,
                ),
                (),
            )
            for i in range(5)
        ]
        import_order_batch(source="api", items=items)

    threads = [threading.Thread(target=run, args=(lambda t=t: batch(t),)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    orders = list(Order.objects.order_by("pk"))
    assert len(orders) == 20
    barrier.reset()

    def change(thread: int) -> None:
        for order in orders[thread::4]:
            if order.pk % 3 == 0:
                cancel_order(order=order, by=None, reason="cancelled by the shop")
            else:
                record_shop_refund(
                    order=order,
                    source="api",
                    data=RefundData(
                        external_id=f"race-r-{order.pk}", amount=Decimal("20.00"), refunded_at=timezone.now()
                    ),
                )

    threads = [threading.Thread(target=run, args=(lambda t=t: change(t),)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    kept, kept_money = _facts(), _money()
    assert sum(sales for *_, sales, _orders in kept[0]) == 20
    assert kept[2]  # distinct buyers counted
    with transaction.atomic():
        rebuild_report_facts()
        assert (_facts(), _money()) == (kept, kept_money)
        transaction.set_rollback(True)
