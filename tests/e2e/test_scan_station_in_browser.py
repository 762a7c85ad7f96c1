"""The scan station clicked through in Chromium at phone size: a scanner is a keyboard that types the
number and presses Enter, so the test does exactly that, never clicking into the input."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from kits.catalogue.services import set_kit_template
from kits.models import Shipment, ShipmentStatus
from kits.shipments import services
from kits.stock.services import receive_stock
from tests import factories

PASSWORD = "a-Long-secret-42"
NARROW = {"width": 360, "height": 780}
NO_SIDE_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def warehouse(transactional_db):
    """Stock for two kits of a campaign, both allocated, and a logistics login."""
    campaign = factories.CampaignFactory(kit_return_due_on="2027-03-31")
    coat = factories.ItemFactory(sku="COAT-NAVY-M", name="Manteau Ørsted")
    set_kit_template(campaign=campaign, lines=[(coat, 2)], by=None)
    receive_stock(item=coat, quantity=4, by=None)
    kits = [
        services.allocate_kit(
            host=factories.HostFactory(
                application__campaign=campaign,
                application__first_name="Zoë",
                application__last_name="Łukasiewicz-Nuñez",
            ),
            by=None,
        )
        for _ in range(2)
    ]
    user = factories.UserFactory(email="warehouse@staff.example.com", password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name="logistics")[0])
    return user, kits


def status_of(number: str) -> str:
    return Shipment.objects.get(number=number).status


def scan_with_the_keyboard(page, number: str) -> None:
    # The scanner types into whatever has the focus: wait for the station's autofocus, which Chromium
    # may apply just after the load event, or the first characters are lost.
    expect(page.locator("#scan-number")).to_be_focused()
    page.keyboard.type(number)
    press_enter(page)


def press_enter(page) -> None:
    """Enter submits the form: wait for the page the station answers with (after its redirect)."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_a_kit_is_packed_shipped_and_received_back_from_the_scan_station(
    page, live_server, warehouse, screenshot
):
    user, (first, second) = warehouse
    # given a signed-in warehouse worker on the scan station
    page.goto(f"{live_server.url}/signin/?next=/staff/kits/scan/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/staff/kits/scan/")
    expect(page.locator("#scan-number")).to_be_focused()

    # when the first kit's slip is scanned: packed, with a green confirmation, ready for the next scan
    scan_with_the_keyboard(page, first.number)
    expect(page.locator(".scan-ok")).to_contain_text(f"{first.number} packed")
    expect(page.locator(".scan-ok")).to_contain_text("Zoë Łukasiewicz-Nuñez")
    assert status_of(first.number) == ShipmentStatus.PACKED
    expect(page.locator("#scan-number")).to_be_focused()
    screenshot(page, "scan-station-packed")

    # scanned again: packed → the station asks for the carrier and tracking number
    scan_with_the_keyboard(page, first.number)
    expect(page.get_by_role("heading", name=f"Ship {first.number}")).to_be_visible()
    expect(page.locator("#id_carrier")).to_be_focused()
    page.keyboard.type("Colissimo")
    page.keyboard.press("Tab")
    page.keyboard.type("6A0001")
    press_enter(page)
    expect(page.locator(".scan-ok")).to_contain_text(f"{first.number} shipped")
    assert status_of(first.number) == ShipmentStatus.SHIPPED
    expect(page.locator("body")).to_contain_text("Carrier for the next parcels: Colissimo")

    # the second kit: packed, then only the tracking number is asked (focused), the carrier kept
    scan_with_the_keyboard(page, second.number)
    scan_with_the_keyboard(page, second.number)
    expect(page.locator("#id_tracking_number")).to_be_focused()
    expect(page.get_by_label("Carrier")).to_have_value("Colissimo")
    page.keyboard.type("6A0002")
    press_enter(page)
    assert Shipment.objects.get(number=second.number).tracking_number == "6A0002"

    # a kit coming back is received in good state
    scan_with_the_keyboard(page, first.number)
    expect(page.locator(".scan-ok")).to_contain_text("return received")
    assert status_of(first.number) == ShipmentStatus.RETURNED

    # then errors are red, say why, and change nothing
    scan_with_the_keyboard(page, "KIT-2026-999999")
    expect(page.locator(".scan-error")).to_contain_text("No shipment has the number KIT-2026-999999")
    scan_with_the_keyboard(page, first.number)
    expect(page.locator(".scan-error")).to_contain_text("nothing is due back")
    expect(page.locator(".scan-error")).to_contain_text("Current state: Returned")
    screenshot(page, "scan-station-error")
    page.set_viewport_size(NARROW)
    assert page.evaluate(NO_SIDE_SCROLL)


def test_the_print_page_hands_over_a_large_batch_with_its_progress_and_download(
    page, live_server, warehouse, settings, screenshot
):
    user, kits = warehouse
    settings.PACKING_SLIPS_DIRECT_MAX = 1
    page.goto(f"{live_server.url}/signin/?next=/staff/kits/print/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/staff/kits/print/")

    page.get_by_label("State", exact=True).select_option("allocated")
    page.locator("form", has=page.get_by_label("State", exact=True)).get_by_role(
        "button", name="Print"
    ).click()

    expect(page.locator("#slip-progress")).to_have_attribute("value", "2")
    download_link = page.get_by_role("link", name="Download the PDF")
    expect(download_link).to_be_visible()
    pdf = page.request.get(live_server.url + download_link.get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    screenshot(page, "packing-slips-batch")
    page.set_viewport_size(NARROW)
    assert page.evaluate(NO_SIDE_SCROLL)
    assert {k.number for k in kits} <= set(Shipment.objects.values_list("number", flat=True))
