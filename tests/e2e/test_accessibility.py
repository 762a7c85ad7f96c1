"""axe-core on every portal and public page, at 360 px, in French and in English: zero violation.

axe-core comes from the npm package pinned in package.json (`npm ci` installs it under
node_modules/). It is evaluated in the page through Playwright, which runs beside the page's
Content-Security-Policy, so the pages keep their real policy. Every HTML route of the URL
configuration is either visited here or named in NOT_PAGES with the reason, so a page added later
without an accessibility check breaks this test.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page

from kits.catalogue.services import set_kit_template
from kits.shipments import services as kits
from kits.stock.services import receive_stock
from notifications.tokens import OptOutRequest, opt_out_url
from orders.ingestion.rules import OrderData
from orders.ingestion.services import record_order
from recognition.leaderboard.services import set_public_leaderboard
from referrals.codes.services import issue_host_code
from referrals.rewards.services import set_reward_plan
from tests.factories import CampaignFactory, GuestFactory, HostFactory, ItemFactory, PartyFactory
from tests.portal.test_french_first import path_of
from tests.tenancy.routes import project_routes

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
NARROW = {"width": 360, "height": 740}
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return results.violations.map(v => `${v.id} (${v.impact}): ${v.help}\\n` + v.nodes.map(
    n => `    ${n.target.join(" ")}: ${n.failureSummary.replace(/\\s+/g, " ")}`).join("\\n"));
}"""

# HTML routes that are not pages of their own, each with the reason it is not checked here.
NOT_PAGES = {
    "healthz": "a plain-text health check",
    "portal:home": "redirects to the dashboard",
    "portal:language": "POST only: switches the language and redirects back",
    "portal:signout": "POST only: signs out and redirects",
    "account_login": "redirects to the portal's sign-in page",
    "/accounts/signup/": "redirects to the portal's sign-in page",
    "referrals:redirect": "redirects to the shop",
    "referrals:share-qr": "an image",
    "parties:qr-png": "an image",
    "parties:qr-svg": "an image",
    "parties:cancel": "POST only: redirects to the party's page",
    "parties:guest-remove": "POST only: redirects to the party's page",
    "kits:confirm_received": "POST only: redirects to the kit's page",
    "kits:report_problem": "POST only: the kit's page shows the form and its errors",
    "branding-image": "an image",
    "brand-stylesheet": "a stylesheet",
    "wall:photo": "an image",
    "wall_portal:photo-consent": "POST only: redirects to the party's photos",
    "wall_portal:share": "POST only: redirects to the party's photos",
    "wall_portal:unshare": "POST only: redirects to the party's photos",
    "feedback:photo": "an image",
    "feedback:remove-photo": "POST only: redirects to the host's opinions",
    "feedback:rate": "POST only: the opinions page shows the form and its errors",
    "feedback_public:guest-link": "remembers the guest's link and redirects to her pieces",
    "feedback_public:rate": "POST only: the pieces page shows the form and its errors",
}
PROVIDER_REDIRECTS = ("facebook_", "instagram_", "google_", "tiktok_")


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(
            "axe-core is not installed: run `npm ci` at the project root (package.json pins it)",
            pytrace=False,
        )
    return AXE.read_text(encoding="utf-8")


def axe_violations(page: Page, axe_source: str) -> list[str]:
    page.evaluate(axe_source)
    return page.evaluate(RUN_AXE, RULES)


def html_routes_to_check() -> set[str]:
    """Every route outside the API, the webhooks, the admin and the warehouse's staff pages."""
    names = set()
    for route in project_routes():
        if route.path.startswith(("api/", "webhooks/", "staff/")) or route.name.startswith(
            PROVIDER_REDIRECTS
        ):
            continue
        names.add(route.name)
    return names - set(NOT_PAGES)


def a_host_with_everything():
    """A host with a planned party and its guest, a party to report, a shipped kit, codes and an order."""
    campaign = CampaignFactory(name="Automne-hiver 2026", eligible_countries=["FR"])
    host = HostFactory(
        application__campaign=campaign, first_name="Clara", selected_at=timezone.now() - timedelta(days=30)
    )
    set_reward_plan(
        campaign=campaign,
        by=None,
        party_brackets=[{"up_to": None, "rate": "0.10"}],
        host_code_rate=Decimal("0.10"),
        holding_days=30,
        payout_minimum=Decimal("20"),
    )
    party = PartyFactory(host=host, title="Apéro tricot & vin")
    guest = GuestFactory(party=party, first_name="Nina", last_name="Roux")
    past = PartyFactory(host=host, title="Soirée velours", starts_at=timezone.now() - timedelta(hours=3))
    coat = ItemFactory(sku="AW26-COAT", name="Manteau en laine bouillie")
    set_kit_template(campaign=campaign, lines=[(coat, 2)], by=None)
    receive_stock(item=coat, quantity=2, by=None)
    shipment = kits.mark_packed(shipment=kits.allocate_kit(host=host, by=None), by=None)
    shipment = kits.mark_shipped(shipment=shipment, carrier="Colissimo", tracking_number="6A123", by=None)
    code = issue_host_code(host=host).code
    record_order(
        source="api",
        data=OrderData(
            external_id="SHOP-AXE-1",
            placed_at=timezone.now(),
            customer_email="friend@example.com",
            currency="EUR",
            subtotal=Decimal("300.00"),
            total=Decimal("300.00"),
            code=code,
        ),
    )
    return campaign, host, party, past, guest, shipment


def new_phone(browser: Browser, live_server, language: str) -> Page:
    context = browser.new_context(viewport=NARROW, is_mobile=True, has_touch=True, locale="en-GB")
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def sign_in(page: Page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.mark.django_db(transaction=True)
def test_every_portal_and_public_page_passes_axe_at_360_px_in_french_and_english(
    browser: Browser, live_server, axe_source
):
    campaign, host, party, past, guest, shipment = a_host_with_everything()
    set_public_leaderboard(campaign=campaign, on=True)
    submit = "main form[method=post] button[type=submit]:visible >> nth=-1"
    public = [
        (reverse("portal:apply", kwargs={"slug": campaign.slug}), None),
        (reverse("portal:apply", kwargs={"slug": campaign.slug}), "main .button-primary"),  # errors
        (reverse("portal:apply", kwargs={"slug": campaign.slug}), ".language-menu > summary"),
        (reverse("portal:apply-thanks", kwargs={"slug": campaign.slug}), None),
        (reverse("portal:signin"), None),
        (reverse("portal:signin"), "main .button-primary"),  # errors
        ("/signin/link/MQ/not-a-token/", None),
        (reverse("portal:password-reset"), None),
        (reverse("portal:password-reset-sent"), None),
        ("/password/reset/MQ/not-a-token/", None),
        (reverse("portal:password-reset-complete"), None),
        (reverse("account_inactive"), None),
        (reverse("socialaccount_login_cancelled"), None),
        (reverse("socialaccount_login_error"), None),
        (reverse("party_public:register", kwargs={"token": party.public_token}), None),
        (reverse("party_public:register", kwargs={"token": party.public_token}), submit),  # errors
        (reverse("party_public:thanks", kwargs={"token": party.public_token}), None),
        (reverse("party_public:withdraw", kwargs={"token": guest.withdrawal_token}), None),
        ("/p/withdraw/not-a-token/", None),  # the "already withdrawn" page
        (reverse("wall:page", kwargs={"slug": campaign.slug}), None),
        (reverse("recognition:leaderboard", kwargs={"slug": campaign.slug}), None),
        (path_of(opt_out_url(OptOutRequest(kind="guest_reminder", guest_id=guest.pk))), None),
        (reverse("feedback_public:pieces", kwargs={"token": party.public_token}), None),
    ]
    portal = [
        (reverse("portal:dashboard"), None),
        (reverse("portal:dashboard"), ".account-menu > summary"),  # the "Me" menu, open
        (reverse("portal:dashboard"), ".language-menu > summary"),  # the language menu, open
        (reverse("parties:list"), None),
        (reverse("parties:create"), None),
        (reverse("parties:create"), submit),  # errors
        (reverse("parties:detail", kwargs={"party_id": party.pk}), None),
        (
            reverse("parties:detail", kwargs={"party_id": party.pk}),
            "#guests-title ~ form button[type=submit]",
        ),
        (reverse("parties:edit", kwargs={"party_id": party.pk}), None),
        (reverse("parties:edit", kwargs={"party_id": party.pk}), submit),  # saved: a flash message
        (reverse("parties:qr", kwargs={"party_id": party.pk}), None),
        (reverse("parties:held", kwargs={"party_id": party.pk}), None),  # not yet: the refusal
        (reverse("parties:held", kwargs={"party_id": past.pk}), None),
        (reverse("parties:held", kwargs={"party_id": past.pk}), submit),  # errors
        (reverse("kits:my_kit"), None),
        (reverse("kits:my_kit_detail", kwargs={"number": shipment.number}), None),
        (  # the problem form, opened and sent empty: its errors
            reverse("kits:my_kit_detail", kwargs={"number": shipment.number}),
            ("details:has(form[action$='/problem/']) > summary", "form[action$='/problem/'] button"),
        ),
        (reverse("referrals:share"), None),
        (reverse("referrals:earnings"), None),
        (reverse("referrals:payouts"), None),
        (reverse("portal:profile"), None),
        (reverse("notifications:preferences"), None),
        (reverse("recognition:notes"), None),
        (reverse("feedback:mine"), None),
        (reverse("wall_portal:party-photos", kwargs={"party_id": past.pk}), None),
    ]

    failures: dict[str, list[str]] = {}
    visited: set[str] = set()
    for language in ("fr", "en"):
        for pages, signed_in in ((public, False), (portal, True)):
            page = new_phone(browser, live_server, language)
            if signed_in:
                sign_in(page, live_server, host.user)
            for path, click in pages:
                page.goto(live_server.url + path)
                for selector in (click,) if isinstance(click, str) else click or ():
                    page.locator(selector).first.click()
                    page.wait_for_load_state()
                visited.add(resolve(urlsplit(page.url).path).view_name)
                found = axe_violations(page, axe_source)
                if found:
                    failures[f"{language} {path}{' (submitted)' if click else ''}"] = found
            page.context.close()

    if failures:
        report = "\n".join(f"{where}:\n  " + "\n  ".join(found) for where, found in failures.items())
        pytest.fail(f"axe found violations:\n{report}", pytrace=False)
    assert html_routes_to_check() <= visited, html_routes_to_check() - visited


@pytest.mark.django_db(transaction=True)
def test_the_staff_insights_pages_pass_axe_at_360_px_in_french_and_english(
    browser: Browser, live_server, axe_source, marketing_user
):
    """Marketing's insights pages (staff routes, left out of the walk above): the campaign list and a
    campaign with a sale, a host, a kit and a party, so every chart and table is drawn."""
    campaign = a_host_with_everything()[0]
    failures: dict[str, list[str]] = {}
    for language in ("fr", "en"):
        page = new_phone(browser, live_server, language)
        sign_in(page, live_server, marketing_user)
        for path in (reverse("insights:campaigns"), reverse("insights:campaign", args=[campaign.pk])):
            page.goto(live_server.url + path)
            found = axe_violations(page, axe_source)
            if found:
                failures[f"{language} {path}"] = found
        page.context.close()
    if failures:
        report = "\n".join(f"{where}:\n  " + "\n  ".join(found) for where, found in failures.items())
        pytest.fail(f"axe found violations:\n{report}", pytrace=False)
