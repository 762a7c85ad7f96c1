"""Packing slips with real data, read back with independent tools (pypdf and poppler for text, zxing
and zbar for codes): nothing that identifies a thing is cut, only kits to pack are printed unless
asked, bins in natural order, every page counted, the host's language, the return form."""

import io
import re

import pypdf
import pytest

from kits.models import Shipment, SlipBatch
from kits.shipments import services
from kits.slips.render import bin_order, natural_key, pick_list
from kits.slips.services import build_slips, print_packing_slips, request_slip_batch, run_slip_batch
from tests import factories
from tests.kits.pdf_tools import both_texts, page_texts, pypdf_page_count, zbar_codes, zxing_codes

REALISTIC = {
    "SOIREE-AW26-ROBE-001-XS": "MEZZ-A-012-03-B",
    "SOIREE-AW26-ROBE-001-XL": "MEZZ-A-012-03-C",
    "SOIREE-AW26-ROBE-001-S": "MEZZ-A-012-04-A",
}
# The longest values the catalogue API and the application form accept.
LONGEST_SKU = "SOIREE-AW26-MANTEAU-LONG-LAINE-VIERGE-XX"  # 40
LONGEST_BIN = "MEZZANINE-NORD-ALLEE-012-ETG-3"  # 30
LONGEST_COLOUR = "Bleu nuit chiné à reflets argentés et fils lurex dorés mêlés"  # 60
LONGEST_SIZE = "Unique (du XS au XL)"  # 20
LONGEST_NAME = ("Manteau long en laine vierge et cachemire, col châle, doublure soie " * 3)[:200].strip()
FIRST_NAME = "Marie-Zoë-Éléonore-Anne-Sophie-Łucja de la Tour-Montgomery-D"  # 60
LAST_NAME = "Łukasiewicz-Nuñez de Saint-Exupéry-Villeneuve-Lafayette-Bour"  # 60
ADDRESS_LINE = (
    "Résidence des Jardins de la Chaussée-d'Antin, bâtiment C, escalier 4, 7e étage, porte gauche 12 bis."
)
LONGEST_LINE = (ADDRESS_LINE + ", interphone Łukasiewicz-Nuñez")[:120]
CITY = "Saint-Rémy-de-Provence-sur-les-Coteaux-de-la-Montagne-Noire-et-du-Val-d'Aigues-X"[:80]


def test_the_test_values_are_the_longest_accepted():
    assert (len(LONGEST_SKU), len(LONGEST_BIN), len(LONGEST_COLOUR), len(LONGEST_SIZE)) == (40, 30, 60, 20)
    assert (len(LONGEST_NAME), len(FIRST_NAME), len(LAST_NAME), len(CITY)) == (200, 60, 60, 80)
    assert (len(ADDRESS_LINE), len(LONGEST_LINE)) == (100, 120)


@pytest.fixture
def long_values_kit(logistics_client, db):
    """A kit of the realistic long SKUs and bins and of one article at every maximal length, all
    created through the catalogue API; for a host with the longest name and address."""
    campaign = factories.CampaignFactory(kit_return_due_on="2027-03-31")
    articles = [
        {"sku": sku, "name": f"Robe longue {sku[-2:]}", "colour": "Rouge", "size": sku.rsplit("-", 1)[1]}
        | {"bin_location": bin_location}
        for sku, bin_location in REALISTIC.items()
    ]
    articles.append(
        {
            "sku": LONGEST_SKU,
            "name": LONGEST_NAME,
            "colour": LONGEST_COLOUR,
            "size": LONGEST_SIZE,
            "bin_location": LONGEST_BIN,
        }
    )
    for article in articles:
        created = logistics_client.post(
            "/api/v1/kits/items/", {**article, "unit_cost": "10.00", "retail_price": "99.00"}
        )
        assert created.status_code == 201, created.json()
    kit = [(sku, 2) for sku in REALISTIC] + [(LONGEST_SKU, 1)]
    template = logistics_client.put(
        f"/api/v1/kits/templates/{campaign.slug}/",
        {"lines": [{"sku": sku, "quantity": quantity} for sku, quantity in kit]},
    )
    assert template.status_code == 200, template.json()
    for sku, quantity in kit:
        assert logistics_client.post(
            f"/api/v1/kits/items/{sku}/receipts/", {"quantity": quantity}
        ).status_code in (
            200,
            201,
        )
    host = factories.HostFactory(
        application__campaign=campaign,
        application__first_name=FIRST_NAME,
        application__last_name=LAST_NAME,
        application__address_line1=LONGEST_LINE,
        application__city=CITY,
        address_line2=ADDRESS_LINE,
    )
    return services.allocate_kit(host=host, by=None)


def unspaced(text: str) -> str:
    """Text without spaces: a reader may space out the letters of the rotated words across a page."""
    return text.replace(" ", "")


def raw_texts(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_nothing_that_identifies_a_thing_is_cut_at_the_longest_lengths(long_values_kit):
    # when
    pdf = print_packing_slips(shipment_ids=[long_values_kit.pk], by=None)
    # then each reader finds every value whole, on the pick list, the slip and the return form
    shipment = Shipment.objects.get(pk=long_values_kit.pk)
    whole = [  # (bins are for the picker: on the pick list only)
        *REALISTIC,
        LONGEST_SKU,
        LONGEST_COLOUR,
        LONGEST_SIZE,
        f"{LONGEST_COLOUR} / {LONGEST_SIZE}",
        LONGEST_NAME,
        f"{FIRST_NAME} {LAST_NAME}",
        LONGEST_LINE,
        ADDRESS_LINE,
        f"{shipment.ship_to_postal_code} {CITY}",
    ]
    assert "…" not in raw_texts(pdf)
    for reader, index in (("pypdf", 0), ("poppler", 1)):
        texts = [pages[index] for pages in both_texts(pdf)]
        pick = " ".join(text for text in texts if "Pick list" in text)
        slip = " ".join(text for text in texts if "Packing slip" in text)
        form = " ".join(text for text in texts if "Return form" in text)
        for value in whole:
            assert value in slip, (reader, value)
        for value in (*REALISTIC, *REALISTIC.values(), LONGEST_SKU, LONGEST_BIN, LONGEST_NAME):
            assert value in pick, (reader, value)
        for value in (*REALISTIC, LONGEST_SKU, LONGEST_NAME, f"{LONGEST_COLOUR} / {LONGEST_SIZE}"):
            assert value in form, (reader, value)
    # the realistic identifiers fit their columns: never even wrapped
    for value in REALISTIC:
        assert raw_texts(pdf).count(value) == 3, value  # pick list, slip, return form
    for value in REALISTIC.values():
        assert raw_texts(pdf).count(value) == 1, value  # pick list
    # and both codes still decode
    first = next(i for i, text in enumerate(page_texts(pdf)) if "Packing slip" in text)
    assert zxing_codes(pdf, first)["Code128"] == zbar_codes(pdf, first)["CODE-128"] == shipment.number


def test_a_value_wider_than_any_column_wraps_at_its_hyphens_and_never_loses_a_character(long_values_kit):
    from kits.slips.drawing import wrap

    lines = wrap(LONGEST_SKU, 60)

    assert len(lines) > 1 and "".join(lines) == LONGEST_SKU
    assert all(line.endswith("-") for line in lines[:-1])
    assert "".join(wrap("X" * 40, 20)) == "X" * 40  # no break point: between characters


# --- what gets printed --------------------------------------------------------------------------


@pytest.fixture
def kits_in_every_state(kit_campaign, stock_for_kits):
    """Four kits of one campaign: to pack (allocated), packed, cancelled and closed."""
    stock_for_kits(4)
    allocated, packed, cancelled, closed = (
        services.allocate_kit(host=factories.HostFactory(application__campaign=kit_campaign), by=None)
        for _ in range(4)
    )
    packed = services.mark_packed(shipment=packed, by=None)
    cancelled = services.cancel_shipment(shipment=cancelled, by=None, reason="host withdrew")
    closed = services.mark_packed(shipment=closed, by=None)
    closed = services.mark_shipped(shipment=closed, carrier="La Poste", tracking_number="1", by=None)
    closed = services.confirm_delivery(shipment=closed, by=None)
    closed = services.close_shipment(shipment=closed, by=None, reason="settled")
    return {"allocated": allocated, "packed": packed, "cancelled": cancelled, "closed": closed}


def test_a_print_by_campaign_without_a_state_prints_only_the_kits_to_pack(
    logistics_client, kit_campaign, kits_in_every_state
):
    response = logistics_client.post("/api/v1/kits/packing-slips/", {"campaign": kit_campaign.slug})

    assert response.status_code == 200
    text = " ".join(page_texts(response.content))
    assert kits_in_every_state["allocated"].number in text
    for state in ("packed", "cancelled", "closed"):
        assert kits_in_every_state[state].number not in text, state
    assert "Total: 4 unit(s) of 3 SKU(s)" in text  # one kit's units


def test_the_print_page_without_a_state_prints_only_the_kits_to_pack(
    client, logistics_user, kits_in_every_state
):
    client.force_login(logistics_user)
    page = client.get("/staff/kits/print/").content.decode()
    assert "To pack (allocated)" in page and "Any state" not in page

    response = client.post("/staff/kits/print/", {"status": "", "page_size": "A4"})

    text = " ".join(page_texts(response.content))
    assert kits_in_every_state["allocated"].number in text
    assert all(kits_in_every_state[state].number not in text for state in ("packed", "cancelled", "closed"))


def test_a_slip_of_a_kit_not_to_pack_says_so_across_every_page_and_stays_out_of_the_pick_list(
    logistics_client, kits_in_every_state
):
    # given a cancelled and a closed kit asked for by number, with one to pack
    kits = kits_in_every_state
    numbers = [kits["allocated"].number, kits["cancelled"].number, kits["closed"].number]
    # when
    response = logistics_client.post("/api/v1/kits/packing-slips/", {"shipments": numbers})
    # then every page of their slips says so, with both readers
    assert response.status_code == 200
    for pypdf_text, poppler_text in both_texts(response.content):
        for text in (pypdf_text, poppler_text):
            if kits["cancelled"].number in text:
                assert "CANCELLED—donotpack" in unspaced(text)
            elif kits["closed"].number in text:
                assert "CLOSED—donotpack" in unspaced(text)
            else:
                assert "donotpack" not in unspaced(text)
    # and the pick list counts the kit to pack only
    pick = page_texts(response.content)[0]
    assert "1 shipment(s) · 3 SKU(s)" in pick and "Not counted: 2 kit(s)" in pick
    assert "Total: 4 unit(s) of 3 SKU(s)" in pick


def test_asking_for_a_state_prints_those_kits_marked(logistics_client, kit_campaign, kits_in_every_state):
    response = logistics_client.post(
        "/api/v1/kits/packing-slips/", {"campaign": kit_campaign.slug, "status": "cancelled"}
    )

    text = " ".join(page_texts(response.content))
    assert kits_in_every_state["cancelled"].number in text and "CANCELLED—donotpack" in unspaced(text)
    assert kits_in_every_state["allocated"].number not in text
    assert "Total: 0 unit(s) of 0 SKU(s)" in text


# --- bins -------------------------------------------------------------------------------------


def test_bins_sort_naturally_on_the_pick_list_and_the_slip(logistics_client, db):
    # given a kit whose bins string order would put A-10 before A-2
    campaign = factories.CampaignFactory()
    bins = {"P-4": "A-10", "P-1": "A-2", "P-3": "A-9", "P-2": "A-1", "P-5": "", "P-6": "B-1"}
    items = [factories.ItemFactory(sku=sku, bin_location=bin_location) for sku, bin_location in bins.items()]
    from kits.catalogue.services import set_kit_template
    from kits.stock.services import receive_stock

    set_kit_template(campaign=campaign, lines=[(item, 1) for item in items], by=None)
    for item in items:
        receive_stock(item=item, quantity=1, by=None, reason="initial")
    shipment = services.allocate_kit(host=factories.HostFactory(application__campaign=campaign), by=None)
    expected = ["A-1", "A-2", "A-9", "A-10", "B-1", ""]
    # when
    slips = build_slips([shipment.pk])
    pdf = print_packing_slips(shipment_ids=[shipment.pk], by=None)
    # then
    assert [line.bin_location for line in pick_list(slips)] == expected
    assert [line.bin_location for line in slips[0].lines] == expected
    pick = page_texts(pdf)[0]
    assert re.findall(r"\b(A-\d+|B-1)\b", pick) == expected[:-1]
    assert sorted(["A-1", "A-10", "A-2", "a-9"], key=natural_key) == ["A-1", "A-2", "a-9", "A-10"]
    assert bin_order(slips[0].lines[-1])[0] is True  # no bin: last


# --- pages ------------------------------------------------------------------------------------


def test_a_batch_counts_every_page_it_prints_the_pick_list_included(
    logistics_client, logistics_user, kit_campaign, stock_for_kits
):
    # given three kits
    stock_for_kits(3)
    ids = [
        services.allocate_kit(host=factories.HostFactory(application__campaign=kit_campaign), by=None).pk
        for _ in range(3)
    ]
    batch = request_slip_batch(shipment_ids=ids, by=logistics_user)
    # when
    run_slip_batch(batch_id=batch.pk)
    # then its page count is the file's
    batch = SlipBatch.objects.get(pk=batch.pk)
    download = logistics_client.get(f"/api/v1/kits/packing-slips/{batch.pk}/file/")
    pdf = b"".join(download.streaming_content)
    assert batch.pages == pypdf_page_count(pdf) == 1 + 3 * 2  # pick list, then slip + return form each
    assert logistics_client.get(f"/api/v1/kits/packing-slips/{batch.pk}/").json()["pages"] == batch.pages


# --- language ---------------------------------------------------------------------------------


def test_slips_speak_their_hosts_language_and_the_pick_list_the_warehouses(kit_campaign, stock_for_kits):
    # given a French host and an English one
    stock_for_kits(2)
    french, english = (
        services.allocate_kit(host=factories.HostFactory(application__campaign=kit_campaign), by=None)
        for _ in range(2)
    )
    french.host.user.language = "fr"
    french.host.user.save(update_fields=["language"])
    # when the warehouse prints both
    pdf = print_packing_slips(shipment_ids=[french.pk, english.pk], by=None)
    # then
    texts = page_texts(pdf)
    assert "Pick list" in texts[0]
    french_text = " ".join(text for text in texts if french.number in text)
    english_text = " ".join(text for text in texts if english.number in text)
    for words in (
        "Bon de livraison",
        "LIVRER À",
        "Réf. Description Couleur / taille Qté Retour",
        "Valeur déclarée : 317,90 EUR",
        "Retours",
        "avant le 31 mars 2027",
        "Formulaire de retour",
        "À renvoyer avant le 31 mars 2027",
        "Retourné",
        "Abîmé",
    ):
        assert words in french_text, words
        assert words not in english_text, words
    assert "Packing slip" in english_text and "Return form" in english_text
    assert "Declared value: 317.90 EUR" in english_text


def test_a_french_slip_of_a_kit_not_to_pack_says_so_in_french(kit_campaign, stock_for_kits):
    stock_for_kits(1)
    shipment = services.allocate_kit(host=factories.HostFactory(application__campaign=kit_campaign), by=None)
    shipment = services.cancel_shipment(shipment=shipment, by=None, reason="test")
    shipment.host.user.language = "fr"
    shipment.host.user.save(update_fields=["language"])

    texts = page_texts(print_packing_slips(shipment_ids=[shipment.pk], by=None))

    slip = [text for text in texts if shipment.number in text]
    assert slip and all("ANNULÉE—nepaspréparer" in unspaced(text) for text in slip), slip


# --- return form ------------------------------------------------------------------------------


def test_the_last_pages_are_a_return_form_for_the_returnable_lines(allocated_shipment, settings):
    # given the warehouse that receives the returns
    settings.KIT_RETURN_ADDRESS = ["Soirée Retours", "Entrepôt B, 12 rue des Entrepôts", "45000 Orléans"]
    # when
    pdf = print_packing_slips(shipment_ids=[allocated_shipment.pk], by=None)
    # then
    for pypdf_text, poppler_text in both_texts(pdf)[-1:]:
        for form in (pypdf_text, poppler_text):
            assert form.startswith("Return form") or "Return form" in form
            assert f"{allocated_shipment.number} · {allocated_shipment.ship_to_name}" in form
            assert "Return by March 31, 2027" in form
            assert "RETURN ADDRESS Soirée Retours Entrepôt B, 12 rue des Entrepôts 45000 Orléans" in form
            assert "SKU Description Colour / size Sent Returned Damaged" in form
            assert "COAT-NAVY-M" in form and "DRESS-RED-S" in form
            assert "PROMO-PACK" not in form  # promotion material stays with the host
    last = pypdf_page_count(pdf) - 1
    assert zxing_codes(pdf, last) == {"Code128": f"R-{allocated_shipment.number}"}
    assert zbar_codes(pdf, last) == {"CODE-128": f"R-{allocated_shipment.number}"}


def test_without_a_return_address_the_form_points_to_the_prepaid_label(allocated_shipment, settings):
    settings.KIT_RETURN_ADDRESS = []

    form = page_texts(print_packing_slips(shipment_ids=[allocated_shipment.pk], by=None))[-1]

    assert "RETURN ADDRESS The address on the prepaid return label in your kit." in form


def test_a_kit_with_nothing_to_return_has_no_return_form(db):
    campaign = factories.CampaignFactory()
    promo = factories.ItemFactory(sku="PROMO-ONLY", returnable=False)
    from kits.catalogue.services import set_kit_template
    from kits.stock.services import receive_stock

    set_kit_template(campaign=campaign, lines=[(promo, 1)], by=None)
    receive_stock(item=promo, quantity=1, by=None, reason="initial")
    shipment = services.allocate_kit(host=factories.HostFactory(application__campaign=campaign), by=None)

    texts = page_texts(print_packing_slips(shipment_ids=[shipment.pk], by=None))

    assert len(texts) == 2 and "Return form" not in " ".join(texts)
    assert "Nothing to send back" in texts[1]
