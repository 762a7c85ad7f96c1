"""The scan station: a scanned number + Enter moves the kit one step, or says clearly why not."""

import pytest

from kits.models import Shipment, ShipmentStatus, ShipmentStatusChange, Stock
from kits.shipments import services
from kits.slips.services import return_code, scan_shipment
from tests import factories
from tests.kits.conftest import assert_stock_matches_ledger

SCAN = "/staff/kits/scan/"
SHIP = "/staff/kits/scan/ship/"


@pytest.fixture
def station(client, logistics_user):
    client.force_login(logistics_user)
    return client


def scan(station, number: str) -> str:
    """Scan, follow the redirect, and return the page the station shows next."""
    response = station.post(SCAN, {"number": number}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def reload(shipment: Shipment) -> Shipment:
    return Shipment.objects.get(pk=shipment.pk)


def test_the_station_is_one_autofocused_input_for_logistics_only(client, marketing_user, station):
    page = station.get(SCAN).content.decode()
    assert page.count("autofocus") == 1 and 'id="scan-number"' in page
    client.logout()
    assert client.get(SCAN).status_code == 302
    client.force_login(marketing_user)
    assert client.get(SCAN).status_code == 403
    assert client.post(SCAN, {"number": "KIT-2026-000001"}).status_code == 403


def test_scanning_an_allocated_kit_packs_it(station, logistics_user, allocated_shipment):
    page = scan(station, allocated_shipment.number)

    assert reload(allocated_shipment).status == ShipmentStatus.PACKED
    assert "scan-ok" in page and f"{allocated_shipment.number} packed" in page
    change = ShipmentStatusChange.objects.filter(shipment=allocated_shipment).last()
    assert (change.from_status, change.to_status, change.by) == ("allocated", "packed", logistics_user)


def test_a_lower_case_number_or_the_slips_qr_url_are_understood(station, allocated_shipment, settings):
    scan(station, f"  {allocated_shipment.number.lower()} ")
    assert reload(allocated_shipment).status == ShipmentStatus.PACKED

    page = scan(station, f"{settings.SITE_URL}/portal/kit/{allocated_shipment.number}/")

    assert "Ship " + allocated_shipment.number in page  # next step asks for the carrier


def test_scanning_a_packed_kit_asks_carrier_and_tracking_once_then_remembers_the_carrier(
    station, kit_campaign, stock_for_kits
):
    # given two packed kits
    stock_for_kits(2)
    first, second = (
        services.mark_packed(
            shipment=services.allocate_kit(
                host=factories.HostFactory(application__campaign=kit_campaign), by=None
            ),
            by=None,
        )
        for _ in range(2)
    )
    # when the first is scanned, the station asks for carrier and tracking, and nothing moves yet
    page = scan(station, first.number)
    assert 'name="carrier"' in page and 'name="tracking_number"' in page
    assert reload(first).status == ShipmentStatus.PACKED
    response = station.post(
        SHIP, {"number": first.number, "carrier": "Colissimo", "tracking_number": "6A123"}, follow=True
    )
    # then it is shipped with them
    first = reload(first)
    assert (first.status, first.carrier, first.tracking_number) == ("shipped", "Colissimo", "6A123")
    assert "scan-ok" in response.content.decode() and "Colissimo, tracking 6A123" in response.content.decode()
    # and for the next kit only the tracking number is asked, the carrier already filled in
    page = scan(station, second.number)
    assert 'value="Colissimo"' in page
    assert page.index('name="tracking_number"') < page.index("autofocus") < page.index('id="scan-number"')
    station.post(SHIP, {"number": second.number, "carrier": "Colissimo", "tracking_number": "6A124"})
    assert reload(second).tracking_number == "6A124"
    assert_stock_matches_ledger()


def test_one_consignment_tracking_number_ships_the_next_packed_kits_on_scan(
    station, kit_campaign, stock_for_kits
):
    stock_for_kits(2)
    first, second = (
        services.mark_packed(
            shipment=services.allocate_kit(
                host=factories.HostFactory(application__campaign=kit_campaign), by=None
            ),
            by=None,
        )
        for _ in range(2)
    )
    scan(station, first.number)
    station.post(
        SHIP, {"number": first.number, "carrier": "DHL", "tracking_number": "PALLET-7", "same_tracking": "on"}
    )

    page = scan(station, second.number)

    assert (reload(second).status, reload(second).tracking_number) == ("shipped", "PALLET-7")
    assert f"{second.number} shipped" in page
    station.post("/staff/kits/scan/forget-carrier/")
    assert "Carrier for the next parcels" not in station.get(SCAN).content.decode()


def test_the_shipping_form_needs_both_fields_and_ships_nothing_without(station, allocated_shipment):
    services.mark_packed(shipment=allocated_shipment, by=None)
    scan(station, allocated_shipment.number)

    response = station.post(
        SHIP, {"number": allocated_shipment.number, "carrier": "Colissimo", "tracking_number": ""}
    )

    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert reload(allocated_shipment).status == ShipmentStatus.PACKED


@pytest.mark.parametrize("confirmed_first", [False, True])
def test_scanning_a_kit_back_records_a_full_return_in_good_state(
    station, allocated_shipment, confirmed_first
):
    # given a kit on its way (or already confirmed by the host)
    shipment = services.mark_packed(shipment=allocated_shipment, by=None)
    shipment = services.mark_shipped(shipment=shipment, carrier="La Poste", tracking_number="1", by=None)
    if confirmed_first:
        shipment = services.confirm_delivery(shipment=shipment, by=None)
    coat_stock_before = Stock.objects.get(item__sku="COAT-NAVY-M").on_hand
    # when
    page = scan(station, shipment.number)
    # then every returnable unit is back in stock, promotion material stays with the host
    shipment = reload(shipment)
    assert shipment.status == ShipmentStatus.RETURNED
    assert "return received" in page and "3 unit(s) back in stock" in page
    lines = {line.item.sku: line for line in shipment.lines.select_related("item")}
    assert (lines["COAT-NAVY-M"].returned_good, lines["DRESS-RED-S"].returned_good) == (2, 1)
    assert lines["PROMO-PACK"].returned_good == 0
    assert Stock.objects.get(item__sku="COAT-NAVY-M").on_hand == coat_stock_before + 2
    assert_stock_matches_ledger()


def test_an_unknown_number_is_an_error_and_changes_nothing(station, allocated_shipment):
    page = scan(station, "KIT-2026-999999")

    assert "scan-error" in page and "No shipment has the number KIT-2026-999999" in page
    assert reload(allocated_shipment).status == ShipmentStatus.ALLOCATED


@pytest.mark.parametrize("final", ["cancelled", "closed"])
def test_a_kit_in_a_final_state_is_refused_with_its_state_and_the_ones_the_station_moves(
    station, allocated_shipment, final
):
    if final == "cancelled":
        services.cancel_shipment(shipment=allocated_shipment, by=None)
    else:
        shipment = services.mark_packed(shipment=allocated_shipment, by=None)
        shipment = services.mark_shipped(shipment=shipment, carrier="X", tracking_number="1", by=None)
        shipment = services.confirm_delivery(shipment=shipment, by=None)
        services.close_shipment(shipment=shipment, by=None)
    history = ShipmentStatusChange.objects.count()

    page = scan(station, allocated_shipment.number)

    assert "scan-error" in page
    assert f"Current state: <strong>{final.capitalize()}</strong>" in page
    assert "Allocated, Packed, Shipped, Delivered, Returned" in page
    assert ShipmentStatusChange.objects.count() == history


def test_a_second_scan_of_a_fully_returned_kit_is_refused(station, allocated_shipment):
    shipment = services.mark_packed(shipment=allocated_shipment, by=None)
    shipment = services.mark_shipped(shipment=shipment, carrier="X", tracking_number="1", by=None)
    scan(station, shipment.number)
    assert reload(shipment).status == ShipmentStatus.RETURNED

    page = scan(station, shipment.number)

    assert "scan-error" in page and "nothing is due back" in page
    assert "Current state: <strong>Returned</strong>" in page


def test_the_scan_service_refuses_a_packed_kit_without_carrier(allocated_shipment):
    services.mark_packed(shipment=allocated_shipment, by=None)

    with pytest.raises(Exception) as error:
        scan_shipment(number=allocated_shipment.number, by=None)

    assert getattr(error.value, "field", None) == "carrier"
    assert reload(allocated_shipment).status == ShipmentStatus.PACKED


def test_garbage_from_a_scanner_is_an_unknown_number(station, allocated_shipment):
    page = scan(station, "KIT\x00-2026")

    assert "scan-error" in page and "No shipment has the number KIT-2026" in page
    assert reload(allocated_shipment).status == ShipmentStatus.ALLOCATED


def test_staff_pages_have_their_own_navigation_with_sign_out(station):
    page = station.get(SCAN).content.decode()

    assert 'href="/staff/kits/print/"' in page and 'href="/staff/kits/scan/" aria-current="page"' in page
    assert 'action="/signout/"' in page
    assert 'href="/portal/earnings/"' not in page


@pytest.mark.parametrize("confirmed_first", [False, True])
def test_the_return_forms_code_is_read_as_return_received(station, allocated_shipment, confirmed_first):
    # given a kit out at the host's
    shipment = services.mark_packed(shipment=allocated_shipment, by=None)
    shipment = services.mark_shipped(shipment=shipment, carrier="La Poste", tracking_number="1", by=None)
    if confirmed_first:
        shipment = services.confirm_delivery(shipment=shipment, by=None)
    # when the warehouse scans the return form that came back in the parcel
    page = scan(station, return_code(shipment.number))
    # then the kit's return is received
    assert reload(shipment).status == ShipmentStatus.RETURNED
    assert f"{shipment.number}: return received" in page and "3 unit(s) back in stock" in page
    assert_stock_matches_ledger()


@pytest.mark.parametrize("packed", [False, True])
def test_a_return_form_scanned_before_the_kit_left_moves_nothing(station, allocated_shipment, packed):
    # given a kit still in the warehouse
    shipment = services.mark_packed(shipment=allocated_shipment, by=None) if packed else allocated_shipment
    before = reload(shipment).status
    # when its return form is scanned (by mistake: the form travels in the box)
    page = scan(station, return_code(shipment.number).lower())
    # then nothing is packed or shipped
    assert reload(shipment).status == before
    assert "scan-error" in page and "a return form was scanned" in page
