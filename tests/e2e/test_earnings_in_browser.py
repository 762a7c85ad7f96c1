"""Earnings and payouts in a real browser at phone size: a host connects Stripe, sees an order
appear in their earnings, then approved after the holding period, then paid by the payout run."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from orders.ingestion.rules import OrderData
from orders.ingestion.services import record_order
from referrals.codes.services import issue_host_code
from referrals.models import PayoutAccount, PayoutStatus
from referrals.payouts.services import run_payouts
from referrals.rewards.services import approve_due_entries, set_reward_plan
from tests.factories import HostFactory
from tests.fakes.stripe_api import start_fake_stripe

NARROW = {"width": 360, "height": 740}
PHONE = {"width": 390, "height": 844}
NO_SIDE_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def fake_stripe(settings):
    fake, server = start_fake_stripe()
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_API_BASE = fake.url
    yield fake
    server.shutdown()


def sign_in(page: Page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def fits_a_narrow_phone(page: Page) -> bool:
    page.set_viewport_size(NARROW)
    fits = page.evaluate(NO_SIDE_SCROLL)
    page.set_viewport_size(PHONE)
    return fits


@pytest.mark.django_db(transaction=True)
def test_a_host_sees_an_order_appear_then_approved_then_paid(
    page: Page, live_server, fake_stripe, screenshot
):
    # given a host of a campaign paying 10 % on sales through their code, paid from 20 €
    host = HostFactory(first_name="Clara", selected_at=timezone.now() - timedelta(days=30))
    set_reward_plan(
        campaign=host.campaign,
        by=None,
        party_brackets=[{"up_to": None, "rate": "0.10"}],
        host_code_rate=Decimal("0.10"),
        holding_days=30,
        payout_minimum=Decimal("20"),
    )
    code = issue_host_code(host=host).code
    sign_in(page, live_server, host.user)

    # when they connect Stripe from the payouts page (Stripe's onboarding sends them straight back)
    def stripe_onboarding(route):
        account = PayoutAccount.objects.get(user=host.user).stripe_account_id
        fake_stripe.objects[account].update(payouts_enabled=True, details_submitted=True)
        route.fulfill(status=302, headers={"Location": f"{live_server.url}/portal/payouts/?stripe=return"})

    page.route("https://connect.stripe.test/**", stripe_onboarding)
    page.goto(f"{live_server.url}/portal/payouts/")
    screenshot(page, "earnings-01-payouts-not-connected")
    page.get_by_role("button", name="Connect Stripe").click()

    # then the page says their account is connected
    expect(page.get_by_text("Your Stripe account is connected")).to_be_visible()

    # when a friend buys 300 € with their code
    record_order(
        source="api",
        data=OrderData(
            external_id="SHOP-E2E-1",
            placed_at=timezone.now(),
            customer_email="friend@example.com",
            currency="EUR",
            subtotal=Decimal("300.00"),
            total=Decimal("300.00"),
            code=code,
        ),
    )

    # then the order appears in their earnings, without the buyer, and its reward waits
    page.get_by_role("navigation").get_by_role("link", name="Earnings").click()
    credited = page.locator(".credited-orders")
    expect(credited).to_contain_text("€300.00")
    expect(credited).to_contain_text("Your code")
    expect(credited).not_to_contain_text("friend@example.com")
    expect(page.locator(".ledger-entry").first).to_contain_text("Pending")
    expect(page.locator(".pending-balance")).to_have_text("€30.00")
    screenshot(page, "earnings-02-pending")
    assert fits_a_narrow_phone(page)

    # when the holding period is over and the daily approval runs
    approve_due_entries(at=timezone.now() + timedelta(days=31))
    page.reload()

    # then the reward is approved and ready to be paid
    expect(page.locator(".ledger-entry").first).to_contain_text("Approved")
    expect(page.locator(".approved-balance").first).to_have_text("€30.00")
    expect(page.get_by_text("You will be paid at the next payout run.")).to_be_visible()
    screenshot(page, "earnings-03-approved")

    # when the payout run goes
    run_payouts()
    page.reload()

    # then the ledger shows the reward paid and the payout line, and the history lists the payout
    expect(page.locator(".ledger-entry.state-paid").first).to_contain_text("Paid")
    expect(page.locator(".approved-balance").first).to_have_text("€0.00")
    screenshot(page, "earnings-04-paid")
    page.get_by_role("navigation").get_by_text("Me", exact=True).click()  # the tab bar's "Me" menu
    page.get_by_role("navigation").get_by_role("link", name="Payouts").click()
    history = page.locator(".payout-history")
    expect(history).to_contain_text("€30.00")
    expect(history).to_contain_text("Paid")
    expect(history).to_contain_text("Stripe transfer")
    screenshot(page, "earnings-05-payout-history")
    assert fits_a_narrow_phone(page)
    payout = host.payouts.get()
    assert payout.status == PayoutStatus.PAID and payout.stripe_transfer_id.startswith("tr_")
    assert len(fake_stripe.calls("POST", "/v1/transfers")) == 1
