"""A whole programme run to its end through the ways in that production uses: orders from the shop's
import API and Stripe's webhook (payloads from the documented shapes in tests/fixtures/stripe/),
refunds before and after a party closed, a cancellation by marketing, a lost dispute, a ban, the
closing and approval cron jobs and a payout run against the local fake Stripe server. Every report
grouping is then checked against totals computed here, in plain Python, from the raw rows."""

from collections import defaultdict
from datetime import UTC, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from ambassadors.models import Guest, Host, Party, PartyStatus
from orders.models import Dispute, Order, OrderStatus, Refund, ShopApiKey
from referrals.codes.services import issue_host_code, issue_party_code
from referrals.models import (
    Attribution,
    Click,
    EntryKind,
    EntryState,
    LedgerEntry,
    PayoutAccount,
    PayoutStatus,
)
from referrals.reports.csv import row_values
from referrals.reports.filters import GROUPINGS, ReportFilters
from referrals.reports.query import attribution_report
from referrals.rewards.services import approve_due_entries, set_reward_plan
from tests import factories
from tests.fakes.stripe_api import start_fake_stripe
from tests.orders import stripe_payloads as sp

pytestmark = pytest.mark.django_db
CENT = Decimal("0.01")
REFUNDING = ("pending", "succeeded")
DISPUTE_TAKES = ("needs_response", "under_review", "lost")


@pytest.fixture
def fake_stripe(settings):
    fake, server = start_fake_stripe()
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_API_BASE = fake.url
    settings.STRIPE_WEBHOOK_SECRET = sp.WEBHOOK_SECRET
    yield fake
    server.shutdown()


@pytest.fixture
def shop():
    _, key = ShopApiKey.objects.create_key(name="shop")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def _money(value):
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


_placed: dict = {}


def _shop_order(shop, external_id, *, email, subtotal, hours_ago, code="", token="", refunds=()):
    # the same order sent again (with its refunds) carries the same time
    placed_at = _placed.setdefault(external_id, timezone.now() - timedelta(hours=hours_ago))
    payload = {
        "external_id": external_id,
        "placed_at": placed_at.isoformat(),
        "customer_email": email,
        "currency": "EUR",
        "subtotal": subtotal,
        "discount": "0.00",
        "shipping": "4.90",
        "tax": "0.00",
        "total": str(Decimal(subtotal) + Decimal("4.90")),
        "code": code,
        "landing_token": token,
        "refunds": [
            {"refund_id": refund_id, "amount": amount, "refunded_at": timezone.now().isoformat()}
            for refund_id, amount in refunds
        ],
    }
    response = shop.post("/api/v1/orders/", payload, format="json")
    assert response.status_code in (200, 201), response.content
    return Order.objects.get(external_id=external_id)


def _stripe(event_type, obj):
    response = sp.post_event(Client(), sp.event(event_type, obj))
    assert response.status_code == 200, response.content


def _stripe_checkout(session_id, *, email, cents, code, payment_intent):
    promotion = {"id": f"promo_{session_id}", "object": "promotion_code", "code": code} if code else None
    _stripe(
        "checkout.session.completed",
        sp.checkout_session(
            session_id=session_id,
            payment_intent=payment_intent,
            email=email,
            promotion_code=promotion,
            ref=None,
            amount_subtotal=cents,
            amount_discount=0,
            amount_shipping=0,
            amount_tax=0,
        ),
    )
    return Order.objects.get(external_id=session_id)


def _run_the_campaign(shop, marketing_client):
    """The campaign from recruitment's end to the payouts; returns what the checks need."""
    _placed.clear()
    campaign = factories.CampaignFactory(status="running")
    set_reward_plan(
        campaign=campaign,
        by=None,
        party_brackets=[{"up_to": None, "rate": "0.10"}],
        host_code_rate=Decimal("0.05"),
        min_party_buyers=1,
        min_party_sales=Decimal("0"),
        payout_minimum=Decimal("5"),
    )
    selected = timezone.now() - timedelta(days=60)
    hosts = {
        name: factories.HostFactory(
            application__campaign=campaign, selected_at=selected, postal_code=postal_code, country="FR"
        )
        for name, postal_code in (("clara", "75011"), ("hugo", "69003"), ("bea", "13001"))
    }
    for host in hosts.values():
        PayoutAccount.objects.create(
            user=host.user, stripe_account_id=f"acct_w{host.pk}", payouts_enabled=True, details_submitted=True
        )
    codes = {name: issue_host_code(host=host).code for name, host in hosts.items()}
    party = factories.PartyFactory(
        host=hosts["clara"],
        status=PartyStatus.HELD,
        starts_at=timezone.now() - timedelta(days=3),
        attribution_ends_at=timezone.now() + timedelta(days=20),
    )
    for email in ("ann@example.com", "bob@example.com", "cid@example.com", "dee@example.com"):
        factories.GuestFactory(party=party, email=email)
    party_code = issue_party_code(party=party).code
    click = Click.objects.create(
        code=issue_host_code(host=hosts["hugo"]),
        at=timezone.now() - timedelta(days=2),
        token="tok-whole-hugo",
        visitor_hash="h",
    )

    # orders from the shop: through the party, as a guest, by host code, by link, unattributed
    _shop_order(shop, "W-1", email="ann@example.com", subtotal="100.00", hours_ago=40, code=party_code)
    _shop_order(shop, "W-2", email="bob@example.com", subtotal="60.00", hours_ago=30)
    _shop_order(shop, "W-3", email="xavier@example.com", subtotal="200.00", hours_ago=20, code=codes["clara"])
    _shop_order(shop, "W-4", email="yann@example.com", subtotal="150.00", hours_ago=20, token=click.token)
    _shop_order(shop, "W-5", email="zoe@example.com", subtotal="300.00", hours_ago=26, code=codes["bea"])
    _shop_order(shop, "W-6", email="walt@example.com", subtotal="80.00", hours_ago=5)
    cancelled = _shop_order(
        shop, "W-7", email="vic@example.com", subtotal="60.00", hours_ago=5, code=codes["hugo"]
    )
    # ann buys again; xavier gets 50.00 back before anything closes
    _shop_order(shop, "W-8", email="ann@example.com", subtotal="40.00", hours_ago=10, code=party_code)
    _shop_order(
        shop,
        "W-3",
        email="xavier@example.com",
        subtotal="200.00",
        hours_ago=20,
        code=codes["clara"],
        refunds=[("RF-W3", "50.00")],
    )
    response = marketing_client.post(f"/api/v1/orders/{cancelled.pk}/cancel/", {"reason": "shop cancelled"})
    assert response.status_code == 200, response.content

    # orders from Stripe Checkout: Clara's code, Hugo's code (disputed and lost), the party's code
    _stripe_checkout(
        "cs_w_1", email="quentin@example.com", cents=12000, code=codes["clara"], payment_intent="pi_w_1"
    )
    _stripe_checkout(
        "cs_w_2", email="rita@example.com", cents=9000, code=codes["hugo"], payment_intent="pi_w_2"
    )
    _stripe_checkout("cs_w_3", email="cid@example.com", cents=5000, code=party_code, payment_intent="pi_w_3")
    for status in ("needs_response", "lost"):
        _stripe(
            "charge.dispute.created" if status == "needs_response" else "charge.dispute.updated",
            sp.dispute_object(dispute_id="dp_w_2", status=status, amount=9000, payment_intent="pi_w_2"),
        )

    # Bea is banned for fake orders: her balance freezes
    response = marketing_client.post(
        f"/api/v1/hosts/{hosts['bea'].pk}/transition/", {"status": "banned", "reason": "fake orders"}
    )
    assert response.status_code == 200, response.content

    # the party's window ends and the closing job closes it; then cid gets 20.00 back through Stripe
    Party.objects.filter(pk=party.pk).update(attribution_ends_at=timezone.now() - timedelta(minutes=1))
    call_command("close_parties")
    assert Party.objects.get(pk=party.pk).status == PartyStatus.CLOSED
    _stripe(
        "refund.created",
        sp.refund_object(refund_id="re_w_3", amount=2000, payment_intent="pi_w_3", charge="ch_w_3"),
    )

    # the holding period passes, then the weekly payout run
    approve_due_entries(at=timezone.now() + timedelta(days=31))
    call_command("run_payouts")
    return {"campaign": campaign, "hosts": hosts, "party": party}


# --- The totals, from the raw rows -----------------------------------------------------------------


def _area(host):
    return f"{host.country}-{host.postal_code[:2].upper()}" if host else None


def _keys(*, host, party_id, campaign_id, at, method):
    day = at.astimezone(UTC).date() if at else None
    return {
        "host": host.pk if host else None,
        "party": party_id,
        "campaign": campaign_id,
        "day": day,
        "week": day - timedelta(days=day.weekday()) if day else None,
        "method": method,
        "postal_area": _area(host),
    }


def _independent_rows(group_by):
    """Every column of every row of `group_by` (None: the totals), from orders, refunds, disputes,
    attributions, guests, clicks and ledger lines, without the report's code."""
    hosts = {host.pk: host for host in Host.objects.all()}
    parties = {party.pk: party for party in Party.objects.all()}
    rows = defaultdict(lambda: defaultdict(Decimal))
    buyers = defaultdict(set)

    def row(keys):
        return rows[keys[group_by] if group_by else None]

    attributions = {a.order_id: a for a in Attribution.objects.all()}
    for order in Order.objects.all():
        a = attributions[order.pk]
        keys = _keys(
            host=hosts.get(a.host_id),
            party_id=a.party_id,
            campaign_id=a.campaign_id,
            at=order.placed_at,
            method=a.method,
        )
        facts = row(keys)
        facts["orders"] += 0
        if order.status == OrderStatus.CANCELLED:
            continue
        given_back = sum(r.amount for r in Refund.objects.filter(order=order, status__in=REFUNDING)) + sum(
            d.amount for d in Dispute.objects.filter(order=order, status__in=DISPUTE_TAKES)
        )
        given_back = min(given_back, order.total)
        net = _money(order.commissionable_amount * (order.total - given_back) / order.total)
        facts["orders"] += 1
        facts["gross_sales"] += order.commissionable_amount
        facts["net_sales"] += net
        facts["refunds"] += order.commissionable_amount - net
        party = parties.get(a.party_id)
        if party is not None and party.status == PartyStatus.CLOSED:
            after = sum(
                r.amount
                for r in Refund.objects.filter(
                    order=order, status__in=REFUNDING, created_at__gt=party.closed_at
                )
            ) + sum(
                d.amount
                for d in Dispute.objects.filter(
                    order=order, status__in=DISPUTE_TAKES, created_at__gt=party.closed_at
                )
            )
            share = _money(order.commissionable_amount * min(after, order.total) / order.total)
            facts["post_close_refunds"] += min(share, order.commissionable_amount - net)
        buyers[keys[group_by] if group_by else None].add(order.customer_email)
    sold = {
        (a.party_id, a.order.customer_email)
        for a in Attribution.objects.select_related("order")
        if a.party_id and a.order.status != OrderStatus.CANCELLED
    }
    for guest in Guest.objects.all():
        party = parties[guest.party_id]
        if party.status == PartyStatus.CANCELLED:
            continue
        keys = _keys(
            host=hosts[party.host_id],
            party_id=party.pk,
            campaign_id=party.campaign_id,
            at=party.starts_at,
            method=None,
        )
        row(keys)["guests"] += 1
        row(keys)["guests_who_bought"] += (party.pk, guest.email) in sold
    for click in Click.objects.select_related("code"):
        keys = _keys(
            host=hosts.get(click.code.host_id),
            party_id=click.code.party_id,
            campaign_id=click.code.campaign_id,
            at=click.at,
            method=None,
        )
        row(keys)["clicks"] += 1
    for line in LedgerEntry.objects.exclude(kind=EntryKind.PAYOUT).select_related("payout"):
        kind, _, number = line.basis.partition(":")
        method = attributions[int(number)].method if kind == "order" else None
        keys = _keys(
            host=hosts[line.host_id],
            party_id=int(number) if kind == "party" else None,
            campaign_id=line.campaign_id,
            at=line.created_at,
            method=method,
        )
        facts = row(keys)
        facts["rewards_accrued"] += line.amount
        if line.state == EntryState.APPROVED:
            facts["rewards_approved"] += line.amount
        if line.state == EntryState.PAID and line.payout and line.payout.status == PayoutStatus.PAID:
            facts["rewards_paid"] += line.amount
    every_buyer = set().union(*buyers.values()) if buyers else set()
    result = {}
    for key, facts in rows.items():
        facts["buyers"] = len(buyers[key])
        result[key] = _as_reported(facts)
    totals = defaultdict(Decimal)
    for facts in rows.values():
        for name, value in facts.items():
            totals[name] += value
    totals["buyers"] = len(every_buyer)
    return result, _as_reported(totals)


def _as_reported(facts):
    """The columns as the API writes them (money with two decimals, counts as integers)."""
    money = (
        "gross_sales",
        "refunds",
        "post_close_refunds",
        "net_sales",
        "rewards_accrued",
        "rewards_approved",
        "rewards_paid",
    )
    counts = ("orders", "buyers", "guests", "guests_who_bought", "clicks")
    reported = {name: f"{_money(facts[name])}" for name in money}
    reported |= {name: int(facts[name]) for name in counts}
    reported["kit_cost"] = "0.00"  # no kit shipped in this programme
    orders, net, guests = int(facts["orders"]), _money(facts["net_sales"]), int(facts["guests"])
    reported["average_order_value"] = f"{_money(net / orders)}" if orders else None
    reported["guest_conversion"] = (
        f"{(Decimal(int(facts['guests_who_bought'])) / guests).quantize(Decimal('0.0001'), rounding=ROUND_HALF_UP)}"
        if guests
        else None
    )
    reported["return_on_kit"] = None
    return reported


def _key_as_reported(key):
    if key is None:
        return None
    return key.isoformat() if hasattr(key, "isoformat") else str(key)


def test_a_whole_campaign_reports_what_the_raw_orders_say(fake_stripe, shop, marketing_client):
    programme = _run_the_campaign(shop, marketing_client)

    # the campaign really went through every turn
    hosts = programme["hosts"]
    assert Dispute.objects.get(external_id="dp_w_2").status == "lost"
    assert Order.objects.get(external_id="cs_w_2").status == OrderStatus.REFUNDED
    transfers = fake_stripe.calls("POST", "/v1/transfers")
    destinations = sorted(call.params["destination"] for call in transfers)
    assert destinations == sorted(f"acct_w{hosts[name].pk}" for name in ("clara", "hugo"))  # not bea
    assert LedgerEntry.objects.filter(host=hosts["bea"], state=EntryState.APPROVED).exists()  # frozen

    for group_by in (None, *GROUPINGS):
        body = marketing_client.get(
            "/api/v1/reports/attribution/", {"group_by": group_by} if group_by else {}
        ).json()
        expected_rows, expected_totals = _independent_rows(group_by)
        reported = {row.pop("key"): row for row in body["rows"]}
        body["totals"].pop("key")
        for row in [*reported.values(), body["totals"]]:
            row.pop("label")
        assert body["totals"] == expected_totals, group_by
        if group_by is not None:
            assert reported == {_key_as_reported(k): v for k, v in expected_rows.items()}, group_by
        if connection.vendor == "postgresql":  # and the plain GROUP BY gives the same numbers
            fast = attribution_report(filters=ReportFilters(), group_by=group_by)
            plain = attribution_report(filters=ReportFilters(), group_by=group_by, from_orders=True)
            assert [row_values(r) for r in fast.rows] == [row_values(r) for r in plain.rows], group_by
            assert row_values(fast.totals) == row_values(plain.totals), group_by

    # and the figures a person would check by hand
    totals = marketing_client.get("/api/v1/reports/attribution/").json()["totals"]
    assert totals["post_close_refunds"] == "20.00"  # cid's Stripe refund after the party closed
    assert (totals["guests"], totals["guests_who_bought"]) == (4, 3)  # ann, bob, cid; not dee
    assert totals["rewards_paid"] != "0.00"
