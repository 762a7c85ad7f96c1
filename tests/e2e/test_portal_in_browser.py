"""The portal in a real browser at phone size: a fan applies, is selected, signs in with the link,
switches to French and meets a field error; every portal page fits 360 px without side-scrolling."""

import re

import pytest
from allauth.socialaccount.models import SocialApp
from django.core import mail
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from playwright.sync_api import Page, expect

from ambassadors.models import Application
from ambassadors.recruitment.selection import select_application
from backend.models import User
from kits.catalogue.services import set_kit_template
from kits.shipments import services as kits
from kits.stock.services import receive_stock
from tests.factories import CampaignFactory, GuestFactory, ItemFactory, PartyFactory

NARROW = {"width": 360, "height": 740}
PHONE = {"width": 390, "height": 844}

NO_SIDE_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
# Interactive elements smaller than a 44 px tap target (inline text links excepted, as WCAG allows).
SMALL_TAP_TARGETS = """() => [...document.querySelectorAll(
    'button, .button, select, textarea, nav a, input:not([type=hidden]):not([type=checkbox])')]
  .filter(el => el.offsetParent !== null && !el.closest('.honeypot'))
  .filter(el => { const r = el.getBoundingClientRect(); return r.height < 44 || r.width < 44; })
  .map(el => el.outerHTML.slice(0, 80))"""


def portal_routes_without_arguments() -> list[str]:
    """Every /portal/ page that takes no argument, found in the URL configuration (later pages too)."""
    found: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif (
                isinstance(pattern, URLPattern)
                and route.startswith("portal/")
                and not re.search(r"[<.^$]", route)
            ):
                found.append("/" + route)

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


def apply_as_a_fan(page: Page, base_url: str, slug: str, screenshot) -> None:
    page.goto(f"{base_url}/c/{slug}/?utm_source=instagram&utm_campaign=aw26")
    screenshot(page, "01-campaign-page")
    page.get_by_label("First name").fill("Clara")
    page.get_by_label("Last name").fill("Dupont")
    page.get_by_label("E-mail").fill("clara@example.com")
    page.get_by_label("Phone", exact=False).first.fill("06 12 34 56 78")
    page.locator("#id_address_line1").fill("3 rue des Lilas")
    page.get_by_label("Postal code").fill("69003")
    page.get_by_label("City").fill("Lyon")
    page.get_by_label("How many guests do you expect?").fill("12")
    page.get_by_label("I accept the programme terms").check()
    page.get_by_role("button", name="Send my application").click()
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    screenshot(page, "02-thank-you")


@pytest.mark.django_db(transaction=True)
def test_a_fan_applies_is_selected_signs_in_by_link_and_meets_an_error_in_french(
    page: Page, live_server, screenshot
):
    # given an open campaign
    campaign = CampaignFactory(name="Automne-hiver 2026", eligible_countries=["FR"])
    marketing = User.objects.create_user(email="marketing@staff.example.com", password="x" * 12)

    # when a fan applies from the campaign page on a phone
    apply_as_a_fan(page, live_server.url, campaign.slug, screenshot)
    application = Application.objects.get()
    assert (application.email, application.utm_source) == ("clara@example.com", "instagram")

    # and marketing selects them
    select_application(application=application, by=marketing)
    invitation = next(message for message in mail.outbox if "/signin/link/" in message.body)
    link = re.search(r"https?://[^/\s]+(/signin/link/\S+/)", invitation.body).group(1)

    # then the invitation link lands on the dashboard
    page.goto(live_server.url + link)
    expect(page).to_have_url(f"{live_server.url}{reverse('portal:dashboard')}")
    expect(page.get_by_role("heading", name="Hello Clara")).to_be_visible()
    screenshot(page, "03-dashboard")

    # when they switch to French
    page.locator(".language-menu > summary").click()  # the header's language menu
    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", name="Prochaines étapes")).to_be_visible()
    screenshot(page, "04-dashboard-fr")

    # and enter a bad phone number on their profile
    page.get_by_role("navigation").get_by_text("Moi").click()  # the tab bar's "Me" menu
    page.get_by_role("navigation").get_by_role("link", name="Profil").click()
    phone = page.get_by_role("textbox", name="Téléphone")
    phone.fill("12")
    page.get_by_role("button", name="Enregistrer", exact=True).click()

    # then the error is in French, right beside the phone field, and the value typed is kept
    field = page.locator(".field.has-error").filter(has=page.get_by_role("textbox", name="Téléphone"))
    error = field.locator(".errorlist")
    expect(error).to_contain_text("Saisissez un numéro de téléphone valide")
    expect(page.get_by_role("textbox", name="Téléphone")).to_have_value("12")
    error_box = error.bounding_box()
    input_box = page.get_by_role("textbox", name="Téléphone").bounding_box()
    assert abs(error_box["y"] - (input_box["y"] + input_box["height"])) < 40
    screenshot(page, "05-profile-error-fr")


@pytest.mark.django_db(transaction=True)
def test_every_portal_page_fits_a_360_px_phone_with_big_enough_tap_targets(
    page: Page, live_server, screenshot
):
    # given a signed-in host with a party (so the pages have content)
    campaign = CampaignFactory(
        name="Autumn-winter 2026 — the extra-long campaign name", eligible_countries=["FR"]
    )
    for provider in ("facebook", "instagram", "google", "tiktok"):  # every button on the page
        SocialApp.objects.create(provider=provider, name=provider, client_id="id", secret="secret")
    public_pages = {
        "campaign": reverse("portal:apply", kwargs={"slug": campaign.slug}),
        "thanks": reverse("portal:apply-thanks", kwargs={"slug": campaign.slug}),
        "signin": reverse("portal:signin"),
        "password-reset": reverse("portal:password-reset"),
    }
    for name, path in public_pages.items():
        page.goto(live_server.url + path)
        screenshot(page, f"public-{name}")
        page.set_viewport_size(NARROW)
        assert page.evaluate(NO_SIDE_SCROLL), path
        assert page.evaluate(SMALL_TAP_TARGETS) == [], path
        page.set_viewport_size(PHONE)

    party = PartyFactory(host__application__campaign=campaign, title="Une soirée au bord du Rhône")
    GuestFactory(party=party)
    # a shipped kit with a long line, so the kit page has its progress line, tracking and table
    coat = ItemFactory(sku="AW26-COAT-NAVY-XL", name="Manteau en laine bouillie à col officier")
    set_kit_template(campaign=campaign, lines=[(coat, 2)], by=None)
    receive_stock(item=coat, quantity=2, by=None)
    shipment = kits.mark_packed(shipment=kits.allocate_kit(host=party.host, by=None), by=None)
    shipment = kits.mark_shipped(
        shipment=shipment, carrier="Colissimo", tracking_number="6A12345678901", by=None
    )
    user = party.host.user
    user.set_password("a-Long-secret-42")
    user.save()
    page.goto(live_server.url + reverse("portal:signin"))
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill("a-Long-secret-42")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}{reverse('portal:dashboard')}")

    # then every host page, and a party's own page, fits at 360 px
    host_pages = portal_routes_without_arguments() + [
        reverse(name, kwargs={"party_id": party.pk})
        for name in ("parties:detail", "parties:edit", "parties:qr")
    ]
    host_pages.append(reverse("kits:my_kit_detail", kwargs={"number": shipment.number}))
    host_pages.append(reverse("party_public:register", kwargs={"token": party.public_token}))
    assert {"/portal/", "/portal/profile/"} <= set(host_pages)
    checked = []
    for language in ("en", "fr"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        for path in host_pages:
            response = page.goto(live_server.url + path)
            if response.status == 404 and language == "en":
                continue  # a route mounted without a page behind it for a host without a kit, etc.
            assert response.status == 200, (path, response.status)
            screenshot(page, f"host-{language}" + re.sub(r"\d+", "id", path).replace("/", "-").rstrip("-"))
            page.set_viewport_size(NARROW)
            assert page.evaluate(NO_SIDE_SCROLL), (language, path)
            assert page.evaluate(SMALL_TAP_TARGETS) == [], (language, path)
            page.set_viewport_size(PHONE)
            checked.append(path)
    assert "/portal/profile/" in checked and "/portal/" in checked


@pytest.mark.django_db(transaction=True)
def test_the_application_form_works_without_javascript(browser, live_server, screenshot):
    campaign = CampaignFactory(eligible_countries=["FR"])
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()

    apply_as_a_fan(page, live_server.url, campaign.slug, lambda *args: None)

    assert Application.objects.filter(email="clara@example.com").exists()
    context.close()


@pytest.mark.django_db(transaction=True)
def test_keyboard_focus_is_always_visible(page: Page, live_server):
    campaign = CampaignFactory(eligible_countries=["FR"])
    page.goto(f"{live_server.url}/c/{campaign.slug}/")

    outlines = []
    for _ in range(8):
        page.keyboard.press("Tab")
        outlines.append(
            page.evaluate(
                "() => { const s = getComputedStyle(document.activeElement);"
                " return [document.activeElement.tagName, s.outlineStyle, parseFloat(s.outlineWidth)]; }"
            )
        )

    assert all(style != "none" and width >= 2 for _tag, style, width in outlines), outlines


@pytest.mark.django_db(transaction=True)
def test_no_button_shows_that_would_do_nothing(browser, live_server):
    from referrals.codes.services import issue_host_code

    party = PartyFactory(title="Apéro tricot")
    issue_host_code(host=party.host)
    user = party.host.user
    pages = {
        "share": reverse("referrals:share"),
        "party QR": reverse("parties:qr", kwargs={"party_id": party.pk}),
    }
    script_buttons = ".share-button, .copy-button, #qr-fullscreen"
    for javascript in (False, True):
        context = browser.new_context(java_script_enabled=javascript, viewport=PHONE)
        page = context.new_page()
        page.goto(live_server.url + reverse("portal:signin"))
        user.set_password("a-Long-secret-42")
        user.save()
        page.get_by_label("E-mail").fill(user.email)
        page.get_by_label("Password").fill("a-Long-secret-42")
        page.get_by_role("button", name="Sign in").click()
        for name, path in pages.items():
            page.goto(live_server.url + path)
            visible = [b.inner_text() for b in page.locator(script_buttons).all() if b.is_visible()]
            if not javascript:
                # without JavaScript nothing would answer these buttons: none is shown
                assert visible == [], (name, visible)
        if javascript:
            # with it, the copy button of the share page is there and copies the ready message
            page.goto(live_server.url + pages["share"])
            assert page.locator(".copy-button").is_visible()
        context.close()
