"""The branded campaign page in a real browser, in French, on a 360 px phone: the brand's colours
reach the page as CSS custom properties, its logo and cover load from our own origin (under the
Content-Security-Policy), the French texts show, and nothing scrolls sideways."""

import pytest
from playwright.sync_api import Page, expect

from ambassadors.recruitment.branding import set_campaign_branding
from backend.management.commands.seed_demo import DEMO_MEDIA
from tests.factories import CampaignFactory

NARROW = {"width": 360, "height": 740}
NO_SIDE_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.django_db(transaction=True)
def test_the_branded_campaign_page_in_french_on_a_phone(
    browser, browser_context_args, live_server, screenshot
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    campaign = CampaignFactory(
        name_fr="Automne-hiver 2026",
        name_en="Autumn-winter 2026",
        description_fr="Recevez la collection chez vous et invitez vos amies.",
        description_en="Host the collection at home and invite your friends.",
        collection_name_fr="Collection automne-hiver",
        collection_name_en="Autumn-winter collection",
    )
    set_campaign_branding(
        campaign=campaign,
        brand_name="Maison Automne",
        brand_primary_colour="#7a1f3d",
        brand_accent_colour="#c9a227",
        brand_logo=SimpleUploadedFile("logo.png", (DEMO_MEDIA / "logo.png").read_bytes()),
        brand_cover_image=SimpleUploadedFile("cover.jpg", (DEMO_MEDIA / "cover.jpg").read_bytes()),
    )
    context = browser.new_context(**{**browser_context_args, "viewport": NARROW, "locale": "fr-FR"})
    page: Page = context.new_page()
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: blocked.append(message.text) if "Content Security" in message.text else None,
    )

    page.goto(f"{live_server.url}/c/{campaign.slug}/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Automne-hiver 2026")
    expect(page.get_by_text("Recevez la collection chez vous")).to_be_visible()
    expect(page.get_by_text("Collection automne-hiver")).to_be_visible()
    properties = page.evaluate(
        "() => { const style = getComputedStyle(document.documentElement);"
        " return [style.getPropertyValue('--brand-primary').trim(), style.getPropertyValue('--brand-accent').trim()]; }"
    )
    assert properties == ["#7a1f3d", "#c9a227"]
    logo = page.get_by_role("img", name="Maison Automne")
    expect(logo).to_be_visible()
    for selector in ("img.brand-logo", "img.brand-cover"):
        page.wait_for_function(f"() => document.querySelector('{selector}').naturalWidth > 0", timeout=5000)
    cover_width = page.evaluate(
        "() => document.querySelector('img.brand-cover').getBoundingClientRect().width"
    )
    assert 0 < cover_width <= NARROW["width"]
    assert page.evaluate(NO_SIDE_SCROLL)
    assert blocked == []
    screenshot(page, "branding-01-campaign-page-fr-360")
    context.close()
