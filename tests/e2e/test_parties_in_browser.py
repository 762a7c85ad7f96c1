"""Parties in a real browser at phone size: a host creates a party and shows its QR code, a guest
registers through the public page, the host sees the guest appear and marks the party held with a photo."""

import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect

from ambassadors.models import Guest, Party
from tests.factories import HostFactory

NARROW = {"width": 360, "height": 740}
NO_SIDE_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def sign_in(page: Page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (180, 90, 60)).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.mark.django_db(transaction=True)
def test_host_creates_a_party_a_guest_registers_by_qr_page_and_the_host_reports_it_held(
    page: Page, live_server, browser, browser_context_args, screenshot
):
    # given a signed-in host
    host = HostFactory(first_name="Clara", application__first_name="Clara")
    sign_in(page, live_server, host.user)

    # when they plan a party that started two hours ago (so it can be reported at the end)
    page.goto(f"{live_server.url}/portal/parties/")
    page.get_by_role("link", name="Plan a party").click()
    page.get_by_label("Title").fill("Knitwear night")
    starts = timezone.localtime(timezone.now() - timedelta(hours=2))
    page.get_by_label("Starts at").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("City").fill("Lyon")
    page.get_by_label("Postal code").fill("69003")
    page.get_by_label("Expected guests").fill("12")
    screenshot(page, "parties-01-create")
    page.get_by_role("button", name="Create the party").click()
    expect(page.get_by_role("heading", name="Knitwear night")).to_be_visible()
    party = Party.objects.get()

    # and open its QR code, full screen, with both downloads
    page.get_by_role("link", name="Show the QR code").click()
    qr = page.get_by_alt_text("QR code of the party registration page")
    expect(qr).to_be_visible()
    page.wait_for_function("() => document.querySelector('img.qr-code').naturalWidth > 0", timeout=5000)
    assert qr.bounding_box()["width"] >= 300
    expect(page.get_by_role("link", name="Download PNG")).to_be_visible()
    expect(page.get_by_role("link", name="Download SVG")).to_be_visible()
    screenshot(page, "parties-02-qr")
    page.get_by_role("button", name="Full screen").click()
    page.wait_for_function(
        "() => document.fullscreenElement?.classList.contains('qr-fullscreen')", timeout=5000
    )
    screenshot(page, "parties-02b-qr-full-screen")
    page.evaluate("() => document.exitFullscreen()")
    public_url = page.locator(".public-url a").get_attribute("href")
    assert public_url.endswith(f"/p/{party.public_token}/")

    # then a guest, on their own phone, registers through the public page
    guest_context = browser.new_context(**browser_context_args)
    guest_page = guest_context.new_page()
    guest_page.goto(live_server.url + public_url[public_url.index("/p/") :])
    expect(guest_page.get_by_role("heading", name="Knitwear night")).to_be_visible()
    guest_page.get_by_label("First name").fill("Nina")
    guest_page.get_by_label("E-mail").fill("Nina@Example.com")
    guest_page.get_by_label("I agree that the brand keeps").check()
    guest_page.get_by_label("I would like to host a party too.").check()
    screenshot(guest_page, "parties-03-public-page")
    guest_page.get_by_role("button", name="Register").click()
    expect(guest_page.get_by_role("heading", name="Thank you, Nina!")).to_be_visible()
    guest_page.set_viewport_size(NARROW)
    assert guest_page.evaluate(NO_SIDE_SCROLL)
    guest_context.close()
    assert Guest.objects.get().email == "nina@example.com"

    # and the host sees the guest appear on the party page
    page.goto(f"{live_server.url}/portal/parties/{party.pk}/")
    expect(page.locator(".guest-list")).to_contain_text("Nina")
    expect(page.locator(".guest-list")).to_contain_text("wants to host")

    # and marks the party held with a photo
    page.get_by_role("link", name="Mark as held").click()
    page.get_by_label("Guests who came").fill("9")
    page.get_by_label("Highlights").fill("Everyone tried the coats.")
    page.get_by_label("Photos (up to 5)").set_input_files(
        [{"name": "evening.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}]
    )
    page.get_by_role("button", name="Mark as held").click()
    expect(page.locator("[data-status]")).to_have_text("Held")
    photo = page.get_by_alt_text("Party photo 1")
    expect(photo).to_be_visible()
    page.wait_for_function("() => document.querySelector('.photos img').naturalWidth === 320", timeout=5000)
    screenshot(page, "parties-04-held")
    party.refresh_from_db()
    assert (party.status, party.actual_guests, party.photos.count()) == ("held", 9, 1)

    # every party page fits a 360 px phone
    page.set_viewport_size(NARROW)
    for path in ["", f"{party.pk}/", f"{party.pk}/qr/", "new/"]:
        page.goto(f"{live_server.url}/portal/parties/{path}")
        assert page.evaluate(NO_SIDE_SCROLL), path
