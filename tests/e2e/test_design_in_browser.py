"""The portal's frame on a 360 px phone: a one-row header whose language menu and the tab bar's
"Me" menu work without JavaScript, a tab bar on one row, and colours that follow the brand's
custom properties."""

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from tests.factories import HostFactory

NARROW = {"width": 360, "height": 740}


def phone_without_javascript(browser: Browser, live_server, user=None) -> Page:
    context = browser.new_context(viewport=NARROW, is_mobile=True, java_script_enabled=False)
    if user is not None:
        client = Client()
        client.force_login(user)
        context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
        )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


@pytest.mark.django_db(transaction=True)
def test_the_menus_work_without_javascript_and_the_tab_bar_fits_one_row(browser: Browser, live_server):
    host = HostFactory(first_name="Clara")
    page = phone_without_javascript(browser, live_server, host.user)
    page.goto(live_server.url + reverse("portal:dashboard"))

    # the header is one compact row, and the tab bar's six entries sit side by side at the bottom
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 64, header
    tops = page.locator(".tab-bar-list > li").evaluate_all(
        "items => items.map(item => Math.round(item.getBoundingClientRect().top))"
    )
    assert len(tops) == 6 and len(set(tops)) == 1, tops
    bar = page.locator(".tab-bar").bounding_box()
    assert bar["y"] + bar["height"] == pytest.approx(NARROW["height"], abs=1), bar

    # the language menu opens and switches to French with JavaScript off
    expect(page.get_by_role("button", name="Français")).to_be_hidden()
    page.locator(".language-menu > summary").click()
    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page).to_have_url(live_server.url + reverse("portal:dashboard"))

    # and the "Me" menu leads to the profile
    page.get_by_role("navigation").get_by_text("Moi").click()
    page.get_by_role("navigation").get_by_role("link", name="Profil").click()
    expect(page).to_have_url(live_server.url + reverse("portal:profile"))
    page.context.close()


@pytest.mark.django_db(transaction=True)
def test_the_brand_colours_come_from_the_campaign_custom_properties(page: Page, live_server):
    campaign_page = reverse("portal:apply", kwargs={"slug": HostFactory().campaign.slug})
    page.set_viewport_size(NARROW)
    page.goto(live_server.url + campaign_page)
    header = page.locator(".site-header")
    button = page.locator("main .button-primary")
    house_colour = header.evaluate("element => getComputedStyle(element).backgroundColor")

    # when the brand sets its colours (as the campaign's branding does)
    page.evaluate(
        "() => { const root = document.documentElement.style;"
        " root.setProperty('--brand-primary', 'rgb(10, 60, 110)');"
        " root.setProperty('--brand-accent', 'rgb(200, 120, 20)'); }"
    )

    # then the header and the buttons wear them, and without them the house colours stand in
    assert house_colour != "rgb(10, 60, 110)"
    expect(header).to_have_css("background-color", "rgb(10, 60, 110)")
    expect(button).to_have_css("background-color", "rgb(10, 60, 110)")
