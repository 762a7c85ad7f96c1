"""The attribution report (SPEC §9): every grouping adds up to the same totals, every filter, the
rollup kept current by refunds, cancellations and re-attribution, CSV, permissions, no e-mails."""

import csv
import io
import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ambassadors.models import Guest
from ambassadors.parties.services import add_guest, close_party, remove_guest, withdraw_guest
from kits.models import Shipment, ShipmentLine
from orders.ingestion.refunds import record_shop_refund
from orders.ingestion.rules import OrderData, RefundData
from orders.ingestion.services import cancel_order, record_order
from orders.models import Order
from referrals.attribution.services import reattribute_order
from referrals.codes.services import issue_host_code, issue_party_code
from referrals.models import (
    AttributedSale,
    Click,
    EntryKind,
    EntryState,
    LedgerEntry,
    PartyGuestCount,
    Payout,
    PayoutMethod,
    PayoutStatus,
)
from referrals.reports.csv import row_values
from referrals.reports.filters import GROUPINGS, ReportFilters
from referrals.reports.query import ADDITIVE, attribution_report
from tests import factories

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/attribution/"
_ids = itertools.count(1)
ALL_COLUMNS = (*ADDITIVE, "buyers", "guests_who_bought")


def _order(*, email, days_ago, subtotal, code="", token=""):
    amount = Decimal(subtotal)
    order, _ = record_order(
        source="api",
        data=OrderData(
            external_id=f"rep-{next(_ids)}",
            placed_at=timezone.now() - timedelta(days=days_ago),
            customer_email=email,
            currency="EUR",
            subtotal=amount,
            total=amount,
            code=code,
            landing_token=token,
        ),
    )
    return order


def _payout(host, amount, *, status):
    return Payout.objects.create(
        host=host,
        campaign=host.campaign,
        amount=Decimal(amount),
        currency="EUR",
        method=PayoutMethod.BANK_TRANSFER,
        status=status,
        idempotency_key=f"soiree-payout-test-{next(_ids)}",
    )


def _ledger(host, amount, *, basis, state=EntryState.PENDING, kind=EntryKind.ACCRUAL, payout=None):
    now = timezone.now()
    return LedgerEntry.objects.create(
        host=host,
        campaign=host.campaign,
        kind=kind,
        state=state,
        basis=basis,
        amount=Decimal(amount),
        currency="EUR",
        description="test",
        approvable_at=now,
        payout=payout,
    )


def _shipped_kit(host, *, quantity, returned_good, unit_cost="20.00"):
    shipment = Shipment.objects.create(
        host=host,
        campaign=host.campaign,
        status="shipped",
        ship_to_name=host.full_name,
        ship_to_line1="1 rue de la Paix",
        ship_to_postal_code=host.postal_code,
        ship_to_city="Paris",
        ship_to_country="FR",
        ship_to_phone="+33612345678",
        shipped_at=timezone.now() - timedelta(days=10),
    )
    ShipmentLine.objects.create(
        shipment=shipment,
        item=factories.ItemFactory(),
        quantity=quantity,
        unit_cost=Decimal(unit_cost),
        retail_price=Decimal("79.90"),
        returnable=True,
        returned_good=returned_good,
    )
    return shipment


@pytest.fixture
def programme():
    """Two hosts of one campaign, a held party with two guests, seven orders by every rule, clicks,
    a kit, ledger lines; then a refund and a cancellation arrive after the orders."""
    campaign = factories.CampaignFactory(status="running")
    selected = timezone.now() - timedelta(days=90)
    clara = factories.HostFactory(
        application__campaign=campaign, selected_at=selected, postal_code="75011", country="FR"
    )
    hugo = factories.HostFactory(
        application__campaign=campaign, selected_at=selected, postal_code="69003", country="FR"
    )
    clara_code, hugo_code = issue_host_code(host=clara), issue_host_code(host=hugo)
    party = factories.PartyFactory(
        host=clara,
        status="held",
        starts_at=timezone.now() - timedelta(days=5),
        attribution_ends_at=timezone.now() + timedelta(days=25),
    )
    factories.GuestFactory(party=party, email="ann@example.com")
    factories.GuestFactory(party=party, email="bob@example.com")
    link = Click.objects.create(
        code=hugo_code, at=timezone.now() - timedelta(days=3), token="tok-hugo", visitor_hash="h"
    )
    Click.objects.create(
        code=clara_code, at=timezone.now() - timedelta(days=3), token="tok-clara", visitor_hash="h"
    )
    orders = {
        "code1": _order(email="x@example.com", days_ago=2, subtotal="100.00", code=clara_code.code),
        "code2": _order(email="x@example.com", days_ago=0.5, subtotal="50.00", code=clara_code.code.lower()),
        "guest": _order(email="ann@example.com", days_ago=0.5, subtotal="100.00"),
        "link": _order(email="y@example.com", days_ago=2, subtotal="200.00", token=link.token),
        "none": _order(email="z@example.com", days_ago=0.5, subtotal="80.00"),
        "refunded": _order(email="w@example.com", days_ago=0.5, subtotal="100.00", code=hugo_code.code),
        "cancelled": _order(email="v@example.com", days_ago=0.5, subtotal="30.00", code=hugo_code.code),
    }
    record_shop_refund(
        order=orders["refunded"],
        source="api",
        data=RefundData(external_id="refund-1", amount=Decimal("50.00"), refunded_at=timezone.now()),
    )
    cancel_order(order=orders["cancelled"], by=None, reason="cancelled by the shop")
    _shipped_kit(clara, quantity=10, returned_good=2)
    _ledger(clara, "30.00", basis=f"party:{party.pk}")
    _ledger(clara, "10.00", basis=f"order:{orders['code1'].pk}", state=EntryState.APPROVED)
    paid = _payout(hugo, "20.00", status=PayoutStatus.PAID)
    _ledger(hugo, "20.00", basis=f"order:{orders['link'].pk}", state=EntryState.PAID, payout=paid)
    _ledger(
        hugo, "-20.00", basis=f"payout:{paid.pk}", state=EntryState.PAID, kind=EntryKind.PAYOUT, payout=paid
    )
    return {"campaign": campaign, "clara": clara, "hugo": hugo, "party": party, "orders": orders}


def _report(programme, group_by=None, **filters):
    """The whole programme (unattributed orders have no campaign: a campaign filter leaves them out)."""
    return attribution_report(filters=ReportFilters(**filters), group_by=group_by)


def test_totals_count_every_fact_once(programme):
    totals = _report(programme).totals
    assert (totals.orders, totals.buyers) == (6, 5)  # the cancelled order is no sale; x@ bought twice
    assert (totals.gross_sales, totals.refunds, totals.net_sales) == (
        Decimal("630"),
        Decimal("50"),
        Decimal("580"),
    )
    assert totals.average_order_value == Decimal("96.67")  # on net sales: 580 / 6
    assert (totals.guests, totals.guests_who_bought, totals.guest_conversion) == (2, 1, Decimal("0.5000"))
    assert totals.clicks == 2
    assert totals.kit_cost == Decimal("160.00")  # 10 × 20.00 shipped − 2 × 20.00 back in good state
    assert totals.return_on_kit == Decimal("3.62")  # 580 / 160 = 3.625, to the even cent
    # payouts are money sent, not rewards: left out
    assert (totals.rewards_accrued, totals.rewards_approved, totals.rewards_paid) == (
        Decimal("60.00"),
        Decimal("10.00"),
        Decimal("20.00"),
    )


def test_a_cancelled_orders_attribution_no_longer_earns(programme, marketing_client):
    cancelled = programme["orders"]["cancelled"]
    body = marketing_client.get(f"/api/v1/attributions/{cancelled.pk}/").json()
    assert (body["host"], body["earns"]) == (programme["hugo"].pk, False)
    assert programme["orders"]["refunded"].attribution.earns is True  # a refund is not a cancellation


def test_rewards_paid_count_paid_payouts_only(programme):
    # given 15.00 of clara's approved money reserved by a bank transfer not made yet
    clara = programme["clara"]
    pending = _payout(clara, "15.00", status=PayoutStatus.PENDING)
    _ledger(clara, "15.00", basis="adjustment:reserved", state=EntryState.PAID, payout=pending)

    # then the report does not call it paid
    assert _report(programme).totals.rewards_paid == Decimal("20.00")  # hugo's paid payout only


@pytest.mark.parametrize("group_by", GROUPINGS)
def test_every_grouping_adds_up_to_the_ungrouped_totals(programme, group_by):
    whole = _report(programme).totals
    grouped = _report(programme, group_by=group_by)
    for column in ADDITIVE:
        assert sum(getattr(row, column) for row in grouped.rows) == getattr(whole, column), column
    assert row_values(grouped.totals) | {"key": None, "label": ""} == row_values(whole) | {
        "key": None,
        "label": "",
    }


@pytest.mark.parametrize("group_by", GROUPINGS)
def test_every_grouping_counts_buyers_once_per_row_and_guests_who_bought_among_its_guests(
    programme, group_by
):
    whole = _report(programme).totals
    rows = _report(programme, group_by=group_by).rows
    for row in rows:
        # a row with sales has buyers, never more than its orders
        assert (row.buyers > 0) == (row.orders > 0), row.key
        assert row.buyers <= row.orders, row.key
        # guests who bought are counted among the row's own guests
        assert row.guests_who_bought <= row.guests, row.key
    # a buyer may fall in several rows, so the rows add up to at least the distinct total
    assert sum(row.buyers for row in rows) >= whole.buyers
    # a guest belongs to one party, so to one row
    assert sum(row.guests_who_bought for row in rows) == whole.guests_who_bought


def test_distinct_buyers_per_row_count_a_buyer_who_bought_twice_once(programme):
    # x@ bought twice with Clara's code; w@ once with Hugo's; v@'s cancelled order is no sale
    by_method = {row.key: row for row in _report(programme, group_by="method").rows}
    assert (by_method["code"].orders, by_method["code"].buyers) == (3, 2)
    by_host = {row.key: row for row in _report(programme, group_by="host").rows}
    assert (by_host[programme["hugo"].pk].orders, by_host[programme["hugo"].pk].buyers) == (2, 2)
    assert by_host[programme["clara"].pk].guests_who_bought == 1


def test_grouped_by_host(programme):
    rows = {row.key: row for row in _report(programme, group_by="host").rows}
    clara, hugo = rows[programme["clara"].pk], rows[programme["hugo"].pk]
    assert clara.label == programme["clara"].full_name
    assert (clara.orders, clara.buyers, clara.gross_sales, clara.guests, clara.clicks) == (
        3,
        2,
        Decimal("250"),
        2,
        1,
    )
    assert (clara.kit_cost, clara.rewards_accrued) == (Decimal("160.00"), Decimal("40.00"))
    assert (hugo.orders, hugo.gross_sales, hugo.net_sales, hugo.rewards_paid) == (
        2,
        Decimal("300"),
        Decimal("250"),
        Decimal("20.00"),
    )
    assert (rows[None].orders, rows[None].label) == (1, "—")  # unattributed


def test_grouped_by_method_party_and_postal_area(programme):
    by_method = {row.key: row.orders for row in _report(programme, group_by="method").rows}
    assert by_method == {"code": 3, "guest": 1, "link": 1, "none": 1, None: 0}
    by_party = {row.key: row for row in _report(programme, group_by="party").rows}
    party = by_party[programme["party"].pk]
    assert (party.orders, party.guests, party.guests_who_bought, party.rewards_accrued) == (
        1,
        2,
        1,
        Decimal("30.00"),
    )
    assert by_party[None].kit_cost == Decimal("160.00")  # a kit belongs to no party
    by_area = {row.key: row.orders for row in _report(programme, group_by="postal_area").rows}
    assert by_area == {"FR-75": 3, "FR-69": 2, None: 1}


def test_rewards_by_method_where_the_ledger_knows_it_and_the_rest_in_a_labelled_row(programme):
    rows = {row.key: row for row in _report(programme, group_by="method").rows}
    # clara's 10.00 on her code order, hugo's 20.00 on his link order: their method is known
    assert rows["code"].rewards_accrued == Decimal("10.00")
    assert rows["link"].rewards_accrued == Decimal("20.00")
    # the party's 30.00 spans many orders: it sits in a row that says what it holds
    assert rows[None].rewards_accrued == Decimal("30.00")
    assert rows[None].label.startswith("no single order")


def test_postal_areas_carry_a_name_a_person_knows(programme):
    # given a host in Belgium, where no table is shipped
    belgian = factories.HostFactory(
        application__campaign=programme["campaign"], postal_code="1050", country="BE"
    )
    _order(email="q@example.com", days_ago=0, subtotal="40.00", code=issue_host_code(host=belgian).code)

    labels = {row.key: row.label for row in _report(programme, group_by="postal_area").rows}

    # then French areas read as their département, others as their prefix
    assert labels["FR-75"] == "75 · Paris" and labels["FR-69"] == "69 · Rhône"
    assert labels["BE-10"] == "BE-10"


def test_grouped_by_day_and_week_follow_the_order_day(programme):
    days = {row.key: row.orders for row in _report(programme, group_by="day").rows}
    two_days_ago = (timezone.now() - timedelta(days=2)).date()
    assert days[two_days_ago] == 2
    weeks = _report(programme, group_by="week").rows
    assert all(row.key is None or row.key.weekday() == 0 for row in weeks)  # weeks start on Monday


def test_filters_by_host_party_method_and_dates(programme):
    assert _report(programme, host_id=programme["hugo"].pk).totals.orders == 2
    by_party = _report(programme, party_id=programme["party"].pk).totals
    assert (by_party.orders, by_party.guests, by_party.kit_cost, by_party.rewards_accrued) == (
        1,
        2,
        Decimal("0.00"),
        Decimal("30.00"),
    )
    by_method = _report(programme, method="code").totals
    assert (by_method.orders, by_method.clicks, by_method.guests) == (3, 0, 0)  # clicks have no method
    recent = _report(programme, date_from=(timezone.now() - timedelta(days=1)).date()).totals
    assert (recent.orders, recent.clicks, recent.kit_cost) == (4, 0, Decimal("0.00"))
    old = _report(programme, date_to=(timezone.now() - timedelta(days=2)).date()).totals
    assert (old.orders, old.clicks) == (2, 2)
    assert (
        _report(programme, campaign_id=programme["campaign"].pk).totals.orders == 5
    )  # not the unattributed one
    other = factories.CampaignFactory(status="running")
    assert attribution_report(filters=ReportFilters(campaign_id=other.pk)).totals.orders == 0


def test_rollup_follows_a_manual_reattribution(programme, marketing_user):
    reattribute_order(
        order=programme["orders"]["none"],
        host=programme["hugo"],
        party=None,
        by=marketing_user,
        reason="phone order",
    )
    rows = {row.key: row for row in _report(programme, group_by="host").rows}
    assert rows[programme["hugo"].pk].orders == 3 and None not in rows
    sale = AttributedSale.objects.get(order=programme["orders"]["none"])
    assert (sale.method, sale.host_id) == ("manual", programme["hugo"].pk)


def test_guest_counts_follow_every_guest_added_or_deleted(programme):
    # given Clara's held party with two guests, and a planned party of hers with an open list
    clara = programme["clara"]
    planned = factories.PartyFactory(host=clara, starts_at=timezone.now() - timedelta(days=1))
    assert _report(programme).totals.guests == 2

    # when the host lists three guests, takes one off, one withdraws, and a guest of the held
    # party is deleted with another party of Clara's
    listed = [
        add_guest(
            party=planned, by=clara.user, first_name=name, email=f"{name}@example.com", guest_agreed=True
        )
        for name in ("cat", "dan", "eve")
    ]
    remove_guest(guest=listed[0], by=clara.user)
    assert withdraw_guest(withdrawal_token=listed[1].withdrawal_token)
    doomed = factories.PartyFactory(host=clara, starts_at=timezone.now() - timedelta(days=1))
    factories.GuestFactory(party=doomed)
    factories.GuestFactory(party=doomed)
    assert _report(programme).totals.guests == 5
    doomed.delete()

    # then the report counts the guests that exist, whatever the grouping or filter
    assert not PartyGuestCount.objects.filter(party_id=doomed.pk).exists()
    assert _report(programme).totals.guests == Guest.objects.count() == 3
    for group_by in GROUPINGS:
        assert sum(row.guests for row in _report(programme, group_by=group_by).rows) == 3, group_by
    by_party = {row.key: row.guests for row in _report(programme, group_by="party").rows}
    assert (by_party[programme["party"].pk], by_party[planned.pk]) == (2, 1)
    assert _report(programme, party_id=planned.pk).totals.guests == 1


def test_guests_who_bought_follow_the_guest_list_and_the_party(programme):
    party, clara = programme["party"], programme["clara"]
    # given a buyer with the party's code who is listed only afterwards, and ann (who bought as a
    # guest) taken off the list
    _order(email="late@example.com", days_ago=0.2, subtotal="60.00", code=issue_party_code(party=party).code)
    assert _report(programme).totals.guests_who_bought == 1
    add_guest(party=party, by=clara.user, first_name="Late", email="late@example.com", guest_agreed=True)
    assert (_report(programme).totals.guests, _report(programme).totals.guests_who_bought) == (3, 2)
    Guest.objects.get(party=party, email="ann@example.com").delete()

    # then the guests who bought are the listed guests who bought: late, not ann
    totals = _report(programme).totals
    assert (totals.guests, totals.guests_who_bought) == (2, 1)

    # and by day, week and method they sit in the party's row, beside its guests
    for group_by, key in (
        ("day", party.starts_at.date()),
        ("week", party.starts_at.date() - timedelta(days=party.starts_at.weekday())),
        ("method", None),
    ):
        rows = {row.key: row for row in _report(programme, group_by=group_by).rows}
        assert (rows[key].guests, rows[key].guests_who_bought) == (2, 1), group_by
        assert rows[key].guest_conversion == Decimal("0.5000")


def _refund(order, amount):
    record_shop_refund(
        order=order,
        source="api",
        data=RefundData(
            external_id=f"refund-{next(_ids)}", amount=Decimal(amount), refunded_at=timezone.now()
        ),
    )


def _close(party):
    type(party).objects.filter(pk=party.pk).update(attribution_ends_at=timezone.now() - timedelta(minutes=1))
    party.refresh_from_db()
    return close_party(party=party)


def test_a_refund_after_the_party_closed_shows_as_a_post_close_refund(programme):
    # given ann's 100.00 through Clara's party: 10.00 refunded while it is open, 30.00 once it closed
    guest_order, party = programme["orders"]["guest"], programme["party"]
    _refund(guest_order, "10.00")
    _close(party)
    _refund(guest_order, "30.00")

    # then every grouping shows the 30.00 apart, inside the refunds, in the order's own row
    totals = _report(programme).totals
    assert (totals.refunds, totals.post_close_refunds) == (Decimal("90.00"), Decimal("30.00"))
    for group_by, key, refunds in (
        ("host", programme["clara"].pk, "40.00"),
        ("party", party.pk, "40.00"),
        ("campaign", programme["campaign"].pk, "90.00"),  # with Hugo's 50.00 outside parties
        ("day", guest_order.placed_at.date(), "90.00"),
        ("method", "guest", "40.00"),
        ("postal_area", "FR-75", "40.00"),
    ):
        rows = {row.key: row for row in _report(programme, group_by=group_by).rows}
        assert (rows[key].refunds, rows[key].post_close_refunds) == (Decimal(refunds), Decimal("30.00"))
        assert sum(row.post_close_refunds for row in rows.values()) == Decimal("30.00"), group_by
    # a refund on an order outside any party is never post-close
    assert _report(programme, host_id=programme["hugo"].pk).totals.post_close_refunds == Decimal("0")


def test_a_post_close_refund_of_an_order_paid_in_another_currency_counts_in_the_campaigns(programme):
    # given ann's order paid as 100.00 US dollars, worth 80.00 in the campaign's euros
    from orders.models import CurrencyStatus, Order

    guest_order, party = programme["orders"]["guest"], programme["party"]
    Order.objects.filter(pk=guest_order.pk).update(
        currency="USD",
        reward_currency="EUR",
        reward_amount=guest_order.commissionable_amount * Decimal("0.8"),
        exchange_rate=Decimal("0.8"),
        currency_status=CurrencyStatus.CONVERTED,
    )
    guest_order.refresh_from_db()
    _close(party)
    # when 30.00 dollars are refunded once the party closed
    _refund(guest_order, "30.00")

    # then the report shows 24.00 euros apart, not 30.00
    rows = {row.key: row for row in _report(programme, group_by="party").rows}
    assert rows[party.pk].post_close_refunds == Decimal("24.00")


@pytest.mark.postgres
@pytest.mark.parametrize("group_by", [None, *GROUPINGS])
def test_rollup_gives_the_numbers_of_the_plain_group_by_over_orders(programme, group_by):
    tie, _ = record_order(
        source="api",
        data=OrderData(
            external_id="tie",
            placed_at=timezone.now() - timedelta(hours=1),
            customer_email="tie@example.com",
            currency="EUR",
            subtotal=Decimal("0.10"),
            discount=Decimal("0.05"),
            shipping=Decimal("0.05"),
            total=Decimal("0.10"),
        ),
    )
    record_shop_refund(
        order=tie,
        source="api",
        data=RefundData(external_id="refund-tie", amount=Decimal("0.05"), refunded_at=timezone.now()),
    )
    # 0.05 × 0.05 / 0.10 = 0.025: half a cent rounds up (`backend.money`), in Python and in the SQL alike
    assert Order.objects.get(pk=tie.pk).net_commissionable_amount == Decimal("0.03")
    campaign = programme["campaign"].pk
    # the guests too: each party's count against the guest rows
    factories.GuestFactory(party=programme["party"])
    # and a refund after the party closed, beside one before
    _refund(programme["orders"]["guest"], "10.00")
    _close(programme["party"])
    _refund(programme["orders"]["guest"], "30.00")
    since = timezone.now().date() - timedelta(days=6)
    for filters in (
        {},
        {"campaign_id": campaign},
        {"host_id": programme["clara"].pk},
        {"method": "code"},
        {"party_id": programme["party"].pk},
        {"campaign_id": campaign, "date_from": since},
    ):
        fast = attribution_report(filters=ReportFilters(**filters), group_by=group_by)
        plain = attribution_report(filters=ReportFilters(**filters), group_by=group_by, from_orders=True)
        assert [row_values(r) for r in fast.rows] == [row_values(r) for r in plain.rows]
        assert row_values(fast.totals) == row_values(plain.totals)
        assert fast.totals.orders > 0


# --- API ---------------------------------------------------------------------------------------------


def test_api_answers_marketing_with_rows_and_totals_and_no_email(programme, marketing_client):
    response = marketing_client.get(URL, {"campaign": programme["campaign"].pk, "group_by": "host"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["group_by"], body["currency"]) == ("host", "EUR")
    # the unattributed order belongs to no campaign
    assert body["totals"]["net_sales"] == "500.00" and body["totals"]["orders"] == 5
    assert {row["key"] for row in body["rows"]} == {str(programme["clara"].pk), str(programme["hugo"].pk)}
    assert "@" not in response.content.decode()


def test_api_streams_csv_with_the_same_rows_and_totals(programme, marketing_client):
    response = marketing_client.get(
        URL, {"campaign": programme["campaign"].pk, "group_by": "method", "format": "csv"}
    )
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    records = list(csv.DictReader(io.StringIO(text)))
    assert [r["key"] for r in records][-1] == "total"
    assert records[-1]["net_sales"] == "500.00" and records[-1]["currency"] == "EUR"
    assert {r["key"]: r["orders"] for r in records[:-1]} == {"code": "3", "guest": "1", "link": "1", "": "0"}
    assert "@" not in text


@pytest.mark.parametrize("client_name,status", [("api_client", 401), ("logistics_client", 403)])
def test_api_is_for_marketing_only(request, client_name, status):
    client = request.getfixturevalue(client_name)
    assert client.get(URL).status_code == status
    assert client.get(URL, {"format": "csv"}).status_code == status


@pytest.mark.parametrize(
    "params,field",
    [
        ({"group_by": "colour"}, "group_by"),
        ({"method": "pigeon"}, "method"),
        ({"date_from": "2026-02-10", "date_to": "2026-02-01"}, "date_to"),
        ({"campaign": "999999"}, "campaign"),
        ({"date_from": "yesterday"}, "date_from"),
    ],
)
def test_api_refuses_bad_input_in_the_one_error_shape(marketing_client, params, field):
    for extra in ({}, {"format": "csv"}):
        response = marketing_client.get(URL, {**params, **extra})
        assert response.status_code == 400
        body = response.json()
        assert body["type"] == "validation_error" and body["errors"][0]["attr"] == field


def test_api_refuses_mixing_currencies_without_a_campaign(programme, marketing_client):
    factories.CampaignFactory(currency="GBP")
    response = marketing_client.get(URL)
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "mixed_currencies"


@pytest.mark.parametrize("group_by", ["host", "party", "day"])
def test_api_query_count_does_not_grow_with_data(programme, marketing_client, group_by):
    params = {"campaign": programme["campaign"].pk, "group_by": group_by}
    marketing_client.get(URL, params)  # the user's roles are read once, then cached on the user
    with CaptureQueriesContext(connection) as before:
        assert marketing_client.get(URL, params).status_code == 200
    for _ in range(4):
        host = factories.HostFactory(
            application__campaign=programme["campaign"], selected_at=timezone.now() - timedelta(days=90)
        )
        code = issue_host_code(host=host)
        _order(email=f"more{next(_ids)}@example.com", days_ago=1, subtotal="10.00", code=code.code)
    with CaptureQueriesContext(connection) as after:
        assert marketing_client.get(URL, params).status_code == 200
    # PostgreSQL adds a savepoint and a `SET LOCAL` around the report: a constant, not a growth
    assert len(after.captured_queries) == len(before.captured_queries) <= 13


def test_campaign_summary(programme, marketing_client, logistics_client):
    url = f"/api/v1/reports/campaigns/{programme['campaign'].pk}/summary/"
    response = marketing_client.get(url)
    assert response.status_code == 200
    body = response.json()
    assert body["hosts_by_status"] == {"active": 2}
    assert body["orders_by_method"] == {"code": 3, "link": 1, "guest": 1, "manual": 0, "none": 0}
    assert body["totals"]["net_sales"] == "500.00"
    assert logistics_client.get(url).status_code == 403
    assert marketing_client.get("/api/v1/reports/campaigns/999999/summary/").status_code == 404


def test_every_report_column_is_defined_in_the_openapi_schema(marketing_client):
    schema = marketing_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    columns = schema["components"]["schemas"]["ReportRow"]["properties"]
    assert set(columns) >= {"orders", "net_sales", "average_order_value", "guest_conversion", "return_on_kit"}
    assert [name for name, column in columns.items() if not column.get("description")] == []
