"""Marketing's insights page in a real browser, for the demo campaign: it renders at 360 px
and 1280 px, never scrolls sideways on the phone, and every figure it shows is the report API's."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, expect
from rest_framework.test import APIClient

from ambassadors.models import Campaign
from backend.models import User
from tests.e2e.test_accessibility import sign_in
from tests.referrals.insights_figures import (
    FIGURES_IN_BROWSER,
    figures_from_api,
    figures_from_browser,
    mismatches,
    misread,
)

# Against the width asked for: a phone browser widens its window to content wider than the screen.
NO_SIDE_SCROLL = "(width) => document.documentElement.scrollWidth <= width"
SIZES = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 900}}


@pytest.mark.django_db(transaction=True)
def test_the_demo_campaigns_insights_at_phone_and_desktop_sizes(
    browser: Browser, live_server, settings, screenshot
):
    settings.DEBUG = True  # seed_demo refuses to run without it
    call_command("seed_demo", stdout=StringIO())
    settings.DEBUG = False
    campaign = Campaign.objects.get(slug="automne-hiver-2026")
    marketing = User.objects.get(email="marketing@soiree.localhost")
    api = APIClient()
    api.force_authenticate(marketing)
    expected = figures_from_api(api, campaign)

    for name, viewport in SIZES.items():
        context = browser.new_context(viewport=viewport, is_mobile=name == "phone", locale="fr-FR")
        context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
        page = context.new_page()
        page.set_default_timeout(10_000)
        sign_in(page, live_server, marketing)
        # from the admin's home, where staff land, to the campaign's page
        page.goto(f"{live_server.url}/admin/")
        page.get_by_role("link", name="Tableaux de bord").first.click()
        page.get_by_role("link", name=campaign.name_fr).click()
        expect(page).to_have_url(f"{live_server.url}/staff/insights/{campaign.pk}/")
        expect(page.get_by_role("heading", level=1)).to_contain_text(campaign.name_fr)
        expect(page.get_by_role("img", name="Ventes nettes par département")).to_be_visible()
        assert page.locator("svg.map path").count() == 96
        assert page.evaluate(NO_SIDE_SCROLL, viewport["width"]), (
            f"the page scrolls sideways at {viewport['width']} px"
        )
        screenshot(page, f"insights-{name}")

        shown, texts = figures_from_browser(page.evaluate(FIGURES_IN_BROWSER))
        assert mismatches(shown, expected) == {}
        assert misread(shown, texts) == {}
        assert {table for table, _, _ in shown.keys() & expected.keys()} >= {
            "totals", "kit", "funnel", "week", "method", "postal_area", "host", "party", "campaign"
        }  # fmt: skip
        context.close()
