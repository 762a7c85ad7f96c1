"""The photo wall in a real browser at 360 px, in French and in English: a host shares a photo from
her party's page, marketing approves it, and a visitor on a phone sees it on the campaign's wall."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ambassadors.models import PartyPhoto
from tests.e2e.test_parties_in_browser import NARROW, NO_SIDE_SCROLL, sign_in
from tests.factories import CampaignFactory, HostFactory
from tests.wall.conftest import held_party_with_photo
from wall.models import WallPhoto
from wall.services import approve_photo, share_photo

HEADINGS = {"en": "Party photos", "fr": "Photos des soirées"}
CAPTION = {"en": "Clara, Lyon", "fr": "Clara, Lyon"}


@pytest.mark.django_db(transaction=True)
def test_a_host_shares_a_photo_and_the_wall_shows_it_at_360_px_in_french_and_english(
    page: Page, live_server, screenshot
):
    campaign = CampaignFactory(slug="automne", name="Automne-hiver")
    host = HostFactory(
        application__campaign=campaign,
        application__first_name="Clara",
        application__city="Lyon",
        application__photo_consent_at=timezone.now(),
    )
    party = held_party_with_photo(host, photos=1)
    for n in range(3):  # other hosts' photos already on the wall, so the grid has rows to lazy-load
        other = HostFactory(
            application__campaign=campaign,
            application__first_name=f"Inès{n}",
            application__city="Nantes",
            application__photo_consent_at=timezone.now(),
        )
        approve_photo(
            wall_photo=share_photo(
                photo=held_party_with_photo(other).photos.get(), by=None, everyone_agreed=True
            ),
            by=None,
        )

    # a host shares her photo from her party's page, ticking that everyone agreed
    page.set_viewport_size(NARROW)
    sign_in(page, live_server, host.user)
    page.goto(f"{live_server.url}/portal/parties/{party.pk}/")
    page.get_by_role("link", name="Share photos on the wall").click()
    page.get_by_role("button", name="Share on the wall").click()
    expect(page.get_by_text("Tick this once everyone in the photo has agreed.")).to_be_visible()
    page.get_by_label("Everyone in this photo agreed to be on the public wall").check()
    page.get_by_role("button", name="Share on the wall").click()
    expect(page.get_by_text("Waiting for moderation")).to_be_visible()
    assert page.evaluate(NO_SIDE_SCROLL)
    screenshot(page, "wall-01-host-shares")

    # marketing approves it
    approve_photo(wall_photo=WallPhoto.objects.get(photo=PartyPhoto.objects.get(party=party)), by=None)

    # a visitor on a phone sees it first on the wall, in each language
    visitor = page.context.browser.new_context(
        viewport=NARROW, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    wall = visitor.new_page()
    for language in ("fr", "en"):
        visitor.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        wall.goto(f"{live_server.url}/c/automne/wall/")
        expect(wall.locator("html")).to_have_attribute("lang", language)
        expect(wall.get_by_role("heading", name=HEADINGS[language])).to_be_visible()
        first = wall.locator(".wall-item").first
        expect(first.locator("figcaption")).to_have_text(CAPTION[language])
        wall.wait_for_function(
            "() => document.querySelector('.wall-item img').complete"
            " && document.querySelector('.wall-item img').naturalWidth > 0",
            timeout=5000,
        )
        assert wall.locator(".wall-item img").count() == 4
        assert wall.evaluate(NO_SIDE_SCROLL), language
        # each image keeps its place while loading (its size is in the page) and fits the phone
        box = first.locator("img").bounding_box()
        assert 100 < box["width"] <= 360 and box["height"] > 50
        screenshot(wall, f"wall-02-visitor-{language}")
    visitor.close()

    # she un-marks it: the wall no longer shows it
    page.get_by_role("button", name="Remove from the wall").click()
    check = page.context.browser.new_context(viewport=NARROW)
    again = check.new_page()
    again.goto(f"{live_server.url}/c/automne/wall/")
    expect(again.locator(".wall-item")).to_have_count(3)
    expect(again.get_by_text("Clara, Lyon")).to_have_count(0)
    check.close()
