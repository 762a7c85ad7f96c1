"""Properties of the attribution report over random programmes: in every grouping the guests who
bought are counted among the same guests (conversion never passes 1), both equal what the raw guest
rows and orders say, and the rollup gives the numbers of the plain GROUP BY (PostgreSQL)."""

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ambassadors.models import Guest, Party, PartyStatus
from orders.ingestion.refunds import record_shop_refund
from orders.ingestion.rules import OrderData, RefundData
from orders.ingestion.services import cancel_order, record_order
from orders.models import Order, OrderStatus
from referrals.codes.services import issue_host_code, issue_party_code
from referrals.models import Attribution
from referrals.reports.csv import row_values
from referrals.reports.filters import GROUPINGS, ReportFilters
from referrals.reports.query import attribution_report
from tests import factories

pytestmark = pytest.mark.django_db

_serial = itertools.count(1)
EMAILS = [f"{name}@example.com" for name in ("ana", "ben", "cai", "dia", "eli", "fay")]

programmes = st.fixed_dictionaries(
    {
        # (host, days before now the party started, cancelled once the orders are in)
        "parties": st.lists(
            st.tuples(st.integers(0, 1), st.integers(1, 20), st.booleans()), min_size=1, max_size=3
        ),
        # (party, guest's e-mail) listed before the orders
        "guests": st.lists(st.tuples(st.integers(0, 2), st.integers(0, 5)), max_size=10),
        # (buyer, hours before now, code used, party of the code, what happens to the order)
        "orders": st.lists(
            st.tuples(
                st.integers(0, 5),
                st.integers(0, 24 * 20),
                st.sampled_from(["none", "host", "party"]),
                st.integers(0, 2),
                st.sampled_from(["paid", "refunded", "cancelled"]),
            ),
            max_size=10,
        ),
        # (listed or taken off, party, e-mail) after the orders
        "later": st.lists(st.tuples(st.booleans(), st.integers(0, 2), st.integers(0, 5)), max_size=4),
    }
)


@pytest.fixture
def hosts():
    campaign = factories.CampaignFactory(status="running")
    selected = timezone.now() - timedelta(days=90)
    return [
        factories.HostFactory(
            application__campaign=campaign, selected_at=selected, postal_code=postal_code, country="FR"
        )
        for postal_code in ("75011", "69003")
    ]


def _build(hosts, programme):
    now = timezone.now()
    parties = [
        factories.PartyFactory(
            host=hosts[host],
            status=PartyStatus.HELD,
            starts_at=now - timedelta(days=days, hours=12),
            attribution_ends_at=now + timedelta(days=10),
        )
        for host, days, _ in programme["parties"]
    ]
    for party_i, email_i in programme["guests"]:
        party = parties[party_i % len(parties)]
        if not Guest.objects.filter(party=party, email=EMAILS[email_i]).exists():
            factories.GuestFactory(party=party, email=EMAILS[email_i])
    for email_i, hours, code, party_i, fate in programme["orders"]:
        party = parties[party_i % len(parties)]
        placed_at = now - timedelta(hours=hours)
        used = {
            "none": "",
            "host": issue_host_code(host=party.host).code,
            # a party code is valid from the party day on; before it the order falls to other rules
            "party": issue_party_code(party=party).code,
        }[code]
        order, _ = record_order(
            source="api",
            data=OrderData(
                external_id=f"prop-{next(_serial)}",
                placed_at=placed_at,
                customer_email=EMAILS[email_i],
                currency="EUR",
                subtotal=Decimal("100.00"),
                total=Decimal("100.00"),
                code=used,
            ),
        )
        if fate == "refunded":
            record_shop_refund(
                order=order,
                source="api",
                data=RefundData(
                    external_id=f"prop-r-{next(_serial)}", amount=Decimal("40.00"), refunded_at=now
                ),
            )
        elif fate == "cancelled":
            cancel_order(order=order, by=None, reason="cancelled by the shop")
    for party, (_, _, cancelled) in zip(parties, programme["parties"], strict=True):
        if cancelled:
            party.status = PartyStatus.CANCELLED
            party.save(update_fields=["status"])
    for listed, party_i, email_i in programme["later"]:
        party = parties[party_i % len(parties)]
        found = Guest.objects.filter(party=party, email=EMAILS[email_i])
        if listed and not found.exists():
            factories.GuestFactory(party=party, email=EMAILS[email_i])
        elif not listed:
            found.delete()


def _guests_from_raw_rows(filters):
    """Guests of parties not cancelled, and those who bought through their party, in plain Python."""
    sold = {
        (party_id, email)
        for party_id, email in Attribution.objects.exclude(order__status=OrderStatus.CANCELLED)
        .filter(party__isnull=False)
        .values_list("party_id", "order__customer_email")
    }
    guests = bought = 0
    for guest in Guest.objects.select_related("party"):
        party: Party = guest.party
        if party.status == PartyStatus.CANCELLED:
            continue
        if filters.get("host_id") not in (None, party.host_id):
            continue
        if filters.get("date_from") and party.starts_at.date() < filters["date_from"]:
            continue
        guests += 1
        bought += (guest.party_id, guest.email) in sold
    return guests, bought


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(programme=programmes)
# Found in CI: a guest listed, then taken off, left the party's count row at 0 and the report a row
# of zeros that the plain GROUP BY (over guest rows) does not have.
@example(programme={"parties": [(0, 1, False)], "guests": [(0, 0)], "orders": [], "later": [(False, 0, 0)]})
def test_guest_conversion_never_passes_one_and_counts_the_guest_rows(hosts, programme):
    with transaction.atomic():
        _build(hosts, programme)
        since = (timezone.now() - timedelta(days=8)).date()
        for filters in ({}, {"host_id": hosts[0].pk}, {"date_from": since}):
            expected = _guests_from_raw_rows(filters)
            for group_by in (None, *GROUPINGS):
                report = attribution_report(filters=ReportFilters(**filters), group_by=group_by)
                for row in [*report.rows, report.totals]:
                    assert row.guests_who_bought <= row.guests, (group_by, filters, row.key)
                    assert row.guest_conversion is None or row.guest_conversion <= 1
                totals = report.totals
                assert (totals.guests, totals.guests_who_bought) == expected, (group_by, filters)
                if group_by is not None:  # a guest belongs to one party, so to one row
                    assert sum(row.guests_who_bought for row in report.rows) == totals.guests_who_bought
                if connection.vendor == "postgresql":
                    plain = attribution_report(
                        filters=ReportFilters(**filters), group_by=group_by, from_orders=True
                    )
                    assert [row_values(r) for r in report.rows] == [row_values(r) for r in plain.rows]
                    assert row_values(report.totals) == row_values(plain.totals)
            method = attribution_report(filters=ReportFilters(method="guest", **filters)).totals
            assert (method.guests, method.guests_who_bought) == (0, 0)  # guests have no method
        transaction.set_rollback(True)
    assert not Order.objects.exists()
