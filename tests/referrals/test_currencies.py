"""Orders paid in another currency than their campaign's (SPEC §15): converted at the rate of the
order's day from the ECB's reference rates (tests/fixtures/ecb/), the original amounts kept, an
order without its rate waiting visibly until the rate is loaded; three-decimal currencies exact."""

import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from orders.models import CurrencyStatus, ExchangeRate, Order
from referrals.codes.services import issue_host_code
from referrals.models import AttributedSale, Attribution, AttributionMethod, AttributionReason, LedgerEntry
from referrals.reports.csv import row_values
from referrals.reports.filters import ReportFilters
from referrals.reports.query import attribution_report
from referrals.rewards.services import set_reward_plan
from tests.factories import CampaignFactory, HostFactory
from tests.orders import shop_payloads as sh
from tests.orders import stripe_payloads as sp

pytestmark = pytest.mark.django_db

ECB = Path(__file__).resolve().parent.parent / "fixtures" / "ecb"
URL = "/api/v1/orders/"


def load(name: str) -> str:
    out = io.StringIO()
    call_command("load_exchange_rates", str(ECB / name), stdout=out)
    return out.getvalue()


@pytest.fixture
def shop_client(db) -> APIClient:
    from orders.models import ShopApiKey

    _, key = ShopApiKey.objects.create_key(name="shop")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def _host(currency: str = "EUR"):
    campaign = CampaignFactory(currency=currency)
    host = HostFactory(application__campaign=campaign, selected_at=datetime(2026, 10, 1, tzinfo=UTC))
    set_reward_plan(
        campaign=campaign,
        by=None,
        party_brackets=[{"up_to": None, "rate": "0.10"}],
        min_party_buyers=1,
        min_party_sales=Decimal("0"),
        host_code_rate=Decimal("0.05"),
        booking_bonus=Decimal("0"),
        holding_days=30,
        payout_minimum=Decimal("20"),
    )
    return host, issue_host_code(host=host).code


def _import(client, *, code, currency, amount, placed_at, external_id="SHOP-1"):
    payload = {
        "external_id": external_id,
        "placed_at": placed_at,
        "customer_email": "buyer@example.com",
        "currency": currency,
        "subtotal": amount,
        "total": amount,
        "code": code,
    }
    response = client.post(URL, payload, format="json")
    assert response.status_code == 201, response.json()
    return Order.objects.get(external_id=external_id), response.json()


def _reward(host) -> Decimal:
    return sum((entry.amount for entry in LedgerEntry.objects.filter(host=host)), Decimal("0"))


def test_the_ecb_files_load_in_both_published_shapes():
    history = load("eurofxref-hist.csv")
    daily = load("eurofxref.csv")

    assert "203 rate(s) of 29 currencies from 2026-11-02 to 2026-11-10 loaded" in history
    assert "29 rate(s) of 29 currencies from 2026-11-12 to 2026-11-12 loaded" in daily
    assert ExchangeRate.objects.get(currency="JPY", day=date(2026, 11, 2)).per_euro == Decimal("160.00")
    assert ExchangeRate.objects.get(currency="IDR", day=date(2026, 11, 12)).per_euro == Decimal("18512.41")
    # the history's retired currencies (N/A) and Bulgaria's lev, in the euro since 2026, load nothing
    assert not ExchangeRate.objects.filter(currency__in=["BGN", "CYP", "HRK"]).exists()


def test_loading_the_same_file_again_changes_nothing():
    load("eurofxref-hist.csv")
    count = ExchangeRate.objects.count()
    load("eurofxref-hist.csv")
    assert ExchangeRate.objects.count() == count


def test_the_ecb_zip_is_read_as_its_csv(tmp_path):
    archive = tmp_path / "eurofxref.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(ECB / "eurofxref.csv", "eurofxref.csv")
    call_command("load_exchange_rates", str(archive), stdout=io.StringIO())
    assert ExchangeRate.objects.get(currency="USD", day=date(2026, 11, 12)).per_euro == Decimal("1.05")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Day, USD,\n2026-11-02, 1.05,\n", "line 1: the first line should be the header"),
        ("Date, usd,\n2026-11-02, 1.05,\n", "line 1: 'usd' is not a currency code"),
        ("Date, USD,\n2026-11-03, 1.06,\n2 Nov, 1.05,\n", "line 3: '2 Nov' is not a date"),
        ("Date, USD,\n2026-11-03, 1.06,\n2026-11-02, 1.0.5,\n", "line 3: USD: '1.0.5' is not a rate"),
        ("Date, USD,\n2026-11-03, 1.06,\n2026-11-02, -1.05,\n", "line 3: USD: '-1.05' is not a rate"),
    ],
)
def test_a_malformed_file_is_refused_whole_with_its_line(tmp_path, content, message):
    path = tmp_path / "rates.csv"
    path.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("load_exchange_rates", str(path), stdout=io.StringIO())
    assert not ExchangeRate.objects.exists()


def test_yen_on_a_euro_campaign_is_converted_at_the_days_rate_not_counted_as_euros(shop_client):
    host, code = _host("EUR")
    load("eurofxref-hist.csv")

    order, body = _import(
        shop_client, code=code, currency="JPY", amount="10000", placed_at="2026-11-02T10:00:00Z"
    )

    # ¥10,000 at 160.00 yen to the euro is €62.50; the order keeps its yen and the rate used
    assert (order.currency, order.subtotal, order.commissionable_amount) == ("JPY", 10000, 10000)
    assert (order.reward_currency, order.reward_amount) == ("EUR", Decimal("62.50"))
    assert (order.exchange_rate, order.rate_date) == (Decimal("0.00625"), date(2026, 11, 2))
    assert order.currency_status == CurrencyStatus.CONVERTED
    assert Attribution.objects.get(order=order).earns
    assert _reward(host) == Decimal("3.13")  # 5 % of €62.50, not 5 % of "€10,000" (500.00)
    # the attribution report sums the campaign's currency
    sale = AttributedSale.objects.get(order=order)
    assert (sale.campaign_id, sale.gross, sale.net) == (host.campaign_id, Decimal("62.50"), Decimal("62.50"))


def test_the_order_api_shows_the_original_amount_the_rate_and_the_converted_amount(
    shop_client, marketing_client
):
    _, code = _host("EUR")
    load("eurofxref-hist.csv")
    order, _ = _import(
        shop_client, code=code, currency="JPY", amount="10000", placed_at="2026-11-02T10:00:00Z"
    )

    listed = marketing_client.get(URL).json()["results"][0]
    detail = marketing_client.get(f"{URL}{order.pk}/").json()

    for body in (listed, detail):
        assert (body["currency"], body["commissionable_amount"]) == ("JPY", "10000.00")
        assert (body["reward_currency"], body["reward_amount"]) == ("EUR", "62.50")
        assert Decimal(body["exchange_rate"]) == Decimal("0.00625")
        assert (body["rate_date"], body["currency_status"]) == ("2026-11-02", "converted")
    assert detail["net_commissionable_amount"] == "62.50"


def test_between_two_other_currencies_the_rate_goes_through_the_euro(shop_client):
    host, code = _host("GBP")
    load("eurofxref-hist.csv")

    order, _ = _import(
        shop_client, code=code, currency="USD", amount="100.00", placed_at="2026-11-03T09:00:00Z"
    )

    # 0.8400 GBP and 1.0500 USD to the euro: one dollar is 0.80 pound
    assert (order.reward_currency, order.exchange_rate, order.reward_amount) == (
        "GBP",
        Decimal("0.8"),
        Decimal("80.00"),
    )
    assert _reward(host) == Decimal("4.00")


def test_an_order_of_the_weekend_takes_the_last_rate_published_before_it(shop_client):
    _, code = _host("EUR")
    load("eurofxref-hist.csv")  # Friday 6 (160.00) then Monday 9 November (160.80)

    order, _ = _import(
        shop_client, code=code, currency="JPY", amount="10000", placed_at="2026-11-07T15:00:00Z"
    )

    assert (order.rate_date, order.reward_amount) == (date(2026, 11, 6), Decimal("62.50"))


def test_an_order_without_its_days_rate_waits_visibly_and_is_credited_when_the_rate_is_loaded(
    shop_client, marketing_client
):
    host, code = _host("EUR")
    load("eurofxref-hist.csv")  # up to 10 November

    order, _ = _import(
        shop_client, code=code, currency="JPY", amount="10000", placed_at="2026-11-12T10:00:00Z"
    )

    attribution = Attribution.objects.get(order=order)
    assert (attribution.method, attribution.reason, attribution.earns) == (
        AttributionMethod.NONE,
        AttributionReason.WAITING_FOR_RATE,
        False,
    )
    assert attribution.explanation == (
        f"waiting for the JPY to EUR rate of 2026-11-12: code {code} entered at checkout"
    )
    assert _reward(host) == 0
    waiting = marketing_client.get(URL, {"currency_status": "waiting_for_rate"}).json()["results"]
    assert [(row["id"], row["currency_status"], row["reward_amount"]) for row in waiting] == [
        (order.pk, "waiting_for_rate", None)
    ]
    assert marketing_client.get(URL, {"currency_status": "converted"}).json()["results"] == []

    output = load("eurofxref.csv")  # 12 November: 162.00 yen to the euro

    assert "1 order(s) waiting for a rate credited" in output
    order.refresh_from_db()
    attribution.refresh_from_db()
    assert (attribution.method, attribution.host, attribution.earns) == (AttributionMethod.CODE, host, True)
    assert order.currency_status == CurrencyStatus.CONVERTED
    assert (order.rate_date, order.reward_amount) == (date(2026, 11, 12), Decimal("61.73"))
    assert _reward(host) == Decimal("3.09")  # 5 % of €61.73
    assert marketing_client.get(URL, {"currency_status": "waiting_for_rate"}).json()["results"] == []
    assert attribution.order.attribution_changes.get().reason == "the exchange rate of 2026-11-12 was loaded"


def test_a_dinar_order_is_stored_exactly_and_waits_for_the_brands_own_rate(shop_client):
    host, code = _host("EUR")
    load("eurofxref.csv")  # the ECB publishes no dinar

    order, body = _import(
        shop_client, code=code, currency="KWD", amount="10.125", placed_at="2026-11-12T10:00:00Z"
    )

    assert (order.subtotal, body["subtotal"], body["total"]) == (Decimal("10.125"), "10.125", "10.125")
    assert order.currency_status == CurrencyStatus.WAITING_FOR_RATE

    load("brand-rates-kwd.csv")  # the brand's file, in the ECB's shape: 0.3225 dinar to the euro

    order.refresh_from_db()
    assert order.currency_status == CurrencyStatus.CONVERTED
    assert order.reward_amount == Decimal("31.40")  # 10.125 / 0.3225 = 31.395...
    assert _reward(host) == Decimal("1.57")


def test_a_dinar_amount_with_a_fourth_decimal_is_refused(shop_client):
    response = shop_client.post(
        URL,
        {
            "external_id": "SHOP-1",
            "placed_at": "2026-11-12T10:00:00Z",
            "customer_email": "buyer@example.com",
            "currency": "KWD",
            "subtotal": "10.1250",
            "total": "10.1250",
        },
        format="json",
    )
    assert response.status_code == 400
    assert {error["attr"] for error in response.json()["errors"]} == {"subtotal", "total"}
    assert not Order.objects.exists()


def test_a_stripe_dinar_session_keeps_its_third_decimal(settings):
    settings.STRIPE_WEBHOOK_SECRET = sp.WEBHOOK_SECRET
    session = sp.checkout_session(
        currency="kwd",
        amount_subtotal=10125,
        amount_discount=0,
        amount_shipping=0,
        amount_tax=0,
        promotion_code=None,
    )

    response = sp.post_event(Client(), sp.event("checkout.session.completed", session))

    assert response.status_code == 200
    order = Order.objects.get()
    assert (order.currency, order.subtotal, order.total) == ("KWD", Decimal("10.125"), Decimal("10.125"))


def test_a_shopify_dinar_order_keeps_its_third_decimal():
    sh.shop("maison")
    payload = sh.shopify_order(
        currency="KWD",
        current_subtotal_price="10.120",
        current_total_discounts="0.005",
        current_total_tax="0.000",
        current_total_price="10.120",
        total_shipping_price_set={
            "shop_money": {"amount": "0.000", "currency_code": "KWD"},
            "presentment_money": {"amount": "0.000", "currency_code": "KWD"},
        },
    )

    response = sh.post_shopify(Client(), payload)

    assert response.status_code == 200
    order = Order.objects.get()
    assert (order.subtotal, order.discount, order.total) == (
        Decimal("10.125"),
        Decimal("0.005"),
        Decimal("10.120"),
    )
    assert order.commissionable_amount == Decimal("10.120")


def test_a_refund_of_a_converted_order_takes_back_its_share_in_the_campaigns_currency(shop_client):
    host, code = _host("EUR")
    load("eurofxref-hist.csv")
    _import(shop_client, code=code, currency="JPY", amount="10000", placed_at="2026-11-02T10:00:00Z")
    refund = {"refund_id": "RF-1", "amount": "5000", "refunded_at": "2026-11-04T10:00:00Z"}

    response = shop_client.post(
        URL,
        {
            "external_id": "SHOP-1",
            "placed_at": "2026-11-02T10:00:00Z",
            "customer_email": "buyer@example.com",
            "currency": "JPY",
            "subtotal": "10000",
            "total": "10000",
            "code": code,
            "refunds": [refund],
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    order = Order.objects.get()
    assert order.net_commissionable_amount == Decimal("31.25")  # half of €62.50
    assert _reward(host) == Decimal("1.56")  # 5 % of €31.25, half a cent up
    assert AttributedSale.objects.get(order=order).net == Decimal("31.25")


def test_the_campaign_report_sums_the_converted_amounts_from_the_rollup_and_from_orders(shop_client):
    host, code = _host("EUR")
    load("eurofxref-hist.csv")
    _import(shop_client, code=code, currency="JPY", amount="10000", placed_at="2026-11-02T10:00:00Z")
    _import(
        shop_client,
        code=code,
        currency="EUR",
        amount="40.00",
        placed_at="2026-11-02T11:00:00Z",
        external_id="SHOP-2",
    )
    # one more waiting for its day's rate: no sale of the campaign yet
    _import(
        shop_client,
        code=code,
        currency="JPY",
        amount="10000",
        placed_at="2026-11-12T10:00:00Z",
        external_id="SHOP-3",
    )

    fast = attribution_report(filters=ReportFilters(campaign_id=host.campaign_id))

    assert (fast.totals.orders, fast.totals.gross_sales, fast.totals.net_sales) == (
        2,
        Decimal("102.50"),
        Decimal("102.50"),
    )
    if connection.vendor == "postgresql":  # the plain GROUP BY over orders the rollup stands for
        plain = attribution_report(filters=ReportFilters(campaign_id=host.campaign_id), from_orders=True)
        assert row_values(plain.totals) == row_values(fast.totals)
