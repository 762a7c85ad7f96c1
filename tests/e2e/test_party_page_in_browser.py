"""The host's party page in a real browser at 360 px, French first then English, without
JavaScript: its way to the reward, the clicks chart and its text equivalent, who has not ordered yet."""

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.test_parties_in_browser import NARROW, NO_SIDE_SCROLL, sign_in
from tests.parties.test_party_figures import held_party_with_figures


@pytest.mark.django_db(transaction=True)
def test_the_party_page_reads_on_a_phone_in_french_then_english(browser: Browser, live_server, screenshot):
    host, party = held_party_with_figures()
    context = browser.new_context(viewport=NARROW, java_script_enabled=False)  # nothing needs a script
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server, host.user)
    for language, texts in {
        "fr": {
            "progress": "Vers la récompense",
            "summary": "3 invités ont acheté, 550,00\u00a0€ de ventes",
            "clicks": "Clics sur le lien de votre soirée",
            "chart": "10 clics depuis le",
            "table": "Clics par jour",
            "not_ordered": "Qui n’a pas encore commandé",
        },
        "en": {
            "progress": "Toward the reward",
            "summary": "3 guests bought, €550.00 of sales",
            "clicks": "Clicks on your party's link",
            "chart": "10 clicks since",
            "table": "Clicks per day",
            "not_ordered": "Who has not ordered yet",
        },
    }.items():
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page.goto(f"{live_server.url}/portal/parties/{party.pk}/")
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.get_by_role("heading", name=texts["progress"])).to_be_visible()
        expect(page.get_by_text(texts["summary"])).to_be_visible()
        # the chart is an image with a name a screen reader says, and fits the phone
        chart = page.get_by_role("img", name=texts["chart"])
        expect(chart).to_be_visible()
        box = chart.bounding_box()
        assert box is not None and box["width"] <= NARROW["width"] and box["height"] > 20
        # its numbers day by day open without a script
        page.get_by_text(texts["table"]).click()
        expect(page.locator("table.clicks-table tbody tr")).to_have_count(6)
        expect(page.locator("table.clicks-table tbody tr").last).to_contain_text("7")
        not_ordered = page.locator("section.party-not-ordered")
        expect(not_ordered.get_by_role("heading", name=texts["not_ordered"])).to_be_visible()
        expect(not_ordered.get_by_role("listitem")).to_have_count(1)
        expect(not_ordered).to_contain_text("Maëlle")
        assert page.evaluate(NO_SIDE_SCROLL), f"the party page scrolls sideways at 360 px ({language})"
        screenshot(page, f"party-page-360-{language}")
    context.close()
