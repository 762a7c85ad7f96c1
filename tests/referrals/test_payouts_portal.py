"""The host's earnings and payouts pages: own data only, no buyer identity, constant query counts."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from ambassadors.models import PartyStatus
from orders.ingestion.refunds import record_shop_refund
from orders.ingestion.rules import RefundData
from referrals.codes.services import issue_host_code, issue_party_code
from referrals.models import PayoutAccount, PayoutMethod
from referrals.payouts.services import mark_payout_paid, run_payouts
from referrals.rewards.services import adjust_rewards, approve_due_entries, set_reward_plan
from tests.factories import HostFactory, PartyFactory
from tests.fakes.stripe_api import start_fake_stripe
from tests.referrals.test_rewards import _buy

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_stripe(settings):
    fake, server = start_fake_stripe()
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_API_BASE = fake.url
    yield fake
    server.shutdown()


def host_with_plan(**overrides):
    host = HostFactory(first_name="Clara", selected_at=timezone.now() - timedelta(days=60))
    set_reward_plan(
        campaign=host.campaign,
        by=None,
        party_brackets=[{"up_to": None, "rate": "0.10"}],
        host_code_rate=Decimal("0.05"),
        min_party_buyers=1,
        min_party_sales=Decimal("0"),
        payout_minimum=Decimal("20"),
        **overrides,
    )
    return host


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_earnings_show_my_credited_orders_without_the_buyer_and_my_ledger(settings):
    # given a host with a sale through their code and one at their party, and another host's sale
    settings.LANGUAGE_CODE = "en"
    host = host_with_plan()
    party = PartyFactory(
        host=host,
        title="Knitwear night",
        starts_at=timezone.now() - timedelta(days=1),
        status=PartyStatus.HELD,
    )
    _buy(issue_host_code(host=host).code, "200", email="secret.buyer@example.com")
    _buy(issue_party_code(party=party).code, "300", email="other.buyer@example.com")
    stranger = host_with_plan()
    _buy(issue_host_code(host=stranger).code, "999", email="stranger.buyer@example.com")

    # when the host opens their earnings
    page = signed_in(host.user).get("/portal/earnings/").content.decode()

    # then both orders appear with amount, party and method, the buyer never does
    assert "€200.00" in page and "€300.00" in page and "Knitwear night" in page
    assert "Code entered at checkout" in page
    assert "secret.buyer" not in page and "other.buyer" not in page
    assert "€999.00" not in page and "stranger" not in page
    # and the ledger lines wait for the holding period, with the date they are approved
    assert page.count("Pending") >= 2
    approvable = timezone.localtime(timezone.now() + timedelta(days=30)).date()
    assert "€40.00" in page  # 10.00 (code) + 30.00 (party) waiting
    assert str(approvable.year) in page


def test_the_estimate_says_when_i_will_be_paid(settings):
    settings.LANGUAGE_CODE = "en"
    host = host_with_plan()
    adjust_rewards(host=host, amount=Decimal("12.00"), reason="photos", by=None)
    page = signed_in(host.user).get("/portal/earnings/").content.decode()
    assert "€12.00" in page and "Payouts start at €20.00: €8.00 to go." in page

    adjust_rewards(host=host, amount=Decimal("10.00"), reason="photos", by=None)
    page = signed_in(host.user).get("/portal/earnings/").content.decode()
    assert "You will be paid at the next payout run." in page


def test_earnings_query_count_does_not_grow_with_orders(django_assert_max_num_queries):
    host = host_with_plan()
    code = issue_host_code(host=host).code
    _buy(code, "100")
    client = signed_in(host.user)
    with django_assert_max_num_queries(12) as few:
        assert client.get("/portal/earnings/").status_code == 200
    for _ in range(15):
        _buy(code, "100")
    approve_due_entries(at=timezone.now() + timedelta(days=31))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/portal/earnings/").status_code == 200


def test_pages_need_a_signed_in_person_and_show_an_empty_state_to_non_hosts(marketing_user):
    assert Client().get("/portal/earnings/").status_code == 302
    assert Client().get("/portal/payouts/").status_code == 302
    client = signed_in(marketing_user)
    assert client.get("/portal/earnings/").status_code == 200
    assert client.get("/portal/payouts/").status_code == 200


def test_connect_stripe_sends_me_to_onboarding_and_the_return_reads_my_account(fake_stripe):
    # given a host without a Stripe account
    host = host_with_plan()
    client = signed_in(host.user)
    assert "Connect Stripe" in client.get("/portal/payouts/").content.decode()

    # when they press "Connect Stripe"
    response = client.post("/portal/payouts/", {"action": "connect"})

    # then they go to Stripe's onboarding link, which comes back to this page
    account = PayoutAccount.objects.get(user=host.user)
    [link] = fake_stripe.calls("POST", "/v1/account_links")
    assert response.status_code == 302 and response["Location"].startswith(
        "https://connect.stripe.test/setup/"
    )
    assert link.params["return_url"].endswith("/portal/payouts/?stripe=return")
    assert link.params["refresh_url"].endswith("/portal/payouts/?stripe=refresh")

    # when Stripe has enabled payouts and they come back
    fake_stripe.objects[account.stripe_account_id].update(payouts_enabled=True, details_submitted=True)
    page = client.get("/portal/payouts/?stripe=return").content.decode()

    # then the page says they are connected
    assert "Your Stripe account is connected" in page
    account.refresh_from_db()
    assert account.payouts_enabled


def test_choosing_store_credit_then_seeing_the_code_in_the_history(fake_stripe):
    host = host_with_plan()
    client = signed_in(host.user)

    response = client.post("/portal/payouts/", {"action": "method", "method": PayoutMethod.STORE_CREDIT})
    adjust_rewards(host=host, amount=Decimal("25.00"), reason="photos", by=None)
    run_payouts()

    assert response.status_code == 302
    page = client.get("/portal/payouts/").content.decode()
    code = host.payouts.get().store_credit_code
    assert "You chose store credit" in page and code in page and "€25.00" in page


def test_an_unknown_payout_method_is_refused_with_a_message(fake_stripe):
    host = host_with_plan()
    client = signed_in(host.user)
    response = client.post("/portal/payouts/", {"action": "method", "method": "bitcoin"}, follow=True)
    assert "Unknown payout method." in response.content.decode()
    assert not PayoutAccount.objects.filter(user=host.user).exists()


def test_without_stripe_the_page_says_bank_transfer(settings):
    settings.STRIPE_SECRET_KEY = ""
    host = host_with_plan()
    page = signed_in(host.user).get("/portal/payouts/").content.decode()
    assert "paid by bank transfer" in page and "Connect Stripe" not in page


def test_payouts_page_shows_only_my_payouts_with_a_constant_query_count(
    settings, django_assert_max_num_queries
):
    settings.STRIPE_SECRET_KEY = ""
    host, stranger = host_with_plan(), host_with_plan()
    adjust_rewards(host=stranger, amount=Decimal("77.00"), reason="photos", by=None)
    adjust_rewards(host=host, amount=Decimal("25.00"), reason="photos", by=None)
    run_payouts()
    client = signed_in(host.user)
    with django_assert_max_num_queries(10) as few:
        page = client.get("/portal/payouts/").content.decode()
    assert "€25.00" in page and "€77.00" not in page
    for _ in range(5):
        mark_payout_paid(payout=host.payouts.get(status="pending"), by=None)
        adjust_rewards(host=host, amount=Decimal("25.00"), reason="photos", by=None)
        run_payouts()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/portal/payouts/")


def test_earnings_say_why_in_plain_french_grouped_by_party_and_month(fake_stripe):
    # given a host with a party of three buyers, a sale through her code refunded in full, and a payout
    host = host_with_plan()
    party = PartyFactory(
        host=host,
        title="Apéro tricot",
        starts_at=timezone.now() - timedelta(days=1),
        status=PartyStatus.HELD,
    )
    party_code = issue_party_code(party=party).code
    for amount in ("200", "300", "142.80"):
        _buy(party_code, amount)
    refunded = _buy(issue_host_code(host=host).code, "100")
    from orders.ingestion.services import cancel_order

    cancel_order(order=refunded, by=None, reason="le colis est revenu")
    adjust_rewards(host=host, amount=Decimal("25.00"), reason="les photos de la soirée", by=None)
    client = signed_in(host.user)
    client.cookies["django_language"] = "fr"

    page = client.get("/portal/earnings/").content.decode()

    day = party.starts_at.astimezone(timezone.get_current_timezone())
    months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
              "octobre", "novembre", "décembre"]  # fmt: skip
    party_day = f"{day.day} {months[day.month - 1]} {day.year}"
    # each line says why, in French, with French money and days, and never an internal id
    assert f"Votre soirée « Apéro tricot » du {party_day} — 3 acheteurs, 642,80\u00a0€ de ventes" in page
    assert "64,28\u00a0€" in page
    assert "Une vente avec votre code le" in page and "Repris : la vente du" in page
    assert "Ajusté par la marque : les photos de la soirée" in page
    assert "#" not in page.split("<main", 1)[1]
    # grouped: what the party earned, then the months
    assert f"« Apéro tricot » du {party_day} → <strong>64,28\u00a0€</strong>" in page
    this_month = timezone.localtime(timezone.now())
    assert f"{months[this_month.month - 1].capitalize()} {this_month.year}" in page


def test_credited_orders_in_french_net_of_refunds_on_the_programme_day(settings):
    # given a host's orders: one placed at 23:30 UTC (the next day in Paris) with shipping and a
    # quarter refunded, and one cancelled
    settings.TIME_ZONE = "Europe/Paris"
    host = host_with_plan()
    code = issue_host_code(host=host).code
    late = _buy(code, "200", total="230")
    late.placed_at = datetime(2026, 3, 14, 23, 30, tzinfo=UTC)
    late.save(update_fields=["placed_at"])
    record_shop_refund(
        order=late,
        source="api",
        data=RefundData(external_id="r-late", amount=Decimal("57.50"), refunded_at=timezone.now()),
    )
    cancelled = _buy(code, "80")
    from orders.ingestion.services import cancel_order

    cancel_order(order=cancelled, by=None, reason="rupture de stock")
    client = signed_in(host.user)
    client.cookies["django_language"] = "fr"

    page = client.get("/portal/earnings/").content.decode()
    credited = page.split('class="plain-list credited-orders"', 1)[1].split("</ul>", 1)[0]

    # then the refunded order shows its commissionable amount net of the refunded quarter (200 × 3/4),
    # on the day it was in Paris, and the cancelled one counts nothing and says so, in French
    assert "<strong>150,00\u00a0€</strong>\n      · 15 mars 2026" in credited
    assert "<strong>0,00\u00a0€</strong>" in credited and "Annulée" in credited
    assert credited.count("Code saisi au paiement") == 2
