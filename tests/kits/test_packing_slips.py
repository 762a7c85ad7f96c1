"""Packing slips: content read back from the PDF, both codes decoded from a 200 dpi rendering, the
pick list's totals, page sizes, the API (single, direct batch, batch as a task), the print log."""

import io
import re
from datetime import date
from decimal import Decimal

import pypdf
import pypdfium2
import pytest
from django.test import Client
from django.urls import reverse

from kits.models import PrintLog, Shipment, ShipmentStatus, SlipBatch, SlipBatchStatus
from kits.shipments import services
from kits.signals import slip_codes_wanted
from kits.slips.render import Slip, SlipLine, pick_list, render_packing_slips
from kits.slips.services import build_slips, print_packing_slips, request_slip_batch, run_slip_batch
from referrals.codes.services import deactivate_codes, issue_host_code
from tests import factories
from tests.kits.pdf_tools import both_texts, page_texts, zbar_codes, zxing_codes

HEADER = "SKU Description Colour / size Qty Return"


@pytest.fixture
def zoe_shipment(kit_campaign, stock_for_kits) -> Shipment:
    """The kit of a host whose name needs more than Latin-1, with her referral code."""
    stock_for_kits(1)
    host = factories.HostFactory(
        application__campaign=kit_campaign,
        application__first_name="Zoë",
        application__last_name="Łukasiewicz-Nuñez",
        application__phone="+33612345678",
        application__address_line1="3 allée des Ørsted",
    )
    issue_host_code(host=host)
    return services.allocate_kit(host=host, by=None)


PICK_HEADER = "Bin SKU Description Colour / size Units ✓"


def pick_list_rows(pdf: bytes) -> list[str]:
    """The pick list's table rows as printed, one string per row, in page order.

    pdfium keeps each table row on a line of its own ("bin SKU description colour/size units"),
    so a row's units are the number that ends that row's line, never a number printed further down.
    """
    rows: list[str] = []
    for page in pypdfium2.PdfDocument(pdf):
        lines = page.get_textpage().get_text_range().splitlines()
        if not lines or lines[0] != "Pick list":
            continue
        for line in lines[lines.index(PICK_HEADER) + 1 :]:
            if line.startswith(("Total: ", "Pick list ")):  # the totals, or the page's footer
                break
            rows.append(line)
    return rows


def first_slip_page(texts: list[str], number: str) -> int:
    return next(i for i, text in enumerate(texts) if number in text and "page 1 of" in text)


@pytest.mark.parametrize("reader", ["pypdf", "poppler"])
def test_a_slip_prints_every_part_of_the_kit_with_names_in_any_alphabet(zoe_shipment, reader):
    # given
    host = zoe_shipment.host
    # when
    pdf = print_packing_slips(shipment_ids=[zoe_shipment.pk], by=None)
    # then
    texts = [pages[reader == "poppler"] for pages in both_texts(pdf)]
    assert "Pick list" in texts[0]
    slip = " ".join(texts[first_slip_page(texts, zoe_shipment.number) :])
    assert zoe_shipment.number in slip
    assert zoe_shipment.campaign.name in slip
    assert "Zoë Łukasiewicz-Nuñez" in slip
    assert "3 allée des Ørsted" in slip
    assert "75002 Paris" in slip
    assert "+33 6 12 34 56 78" in slip  # international format
    for sku in ("PROMO-PACK", "COAT-NAVY-M", "DRESS-RED-S"):
        assert sku in slip
    assert "Red / S" in slip
    assert "Total units: 4" in slip
    # 2 × 129.00 + 1 × 59.90 + 1 × 0.00
    assert "Declared value: 317.90 EUR" in slip
    assert host.referral_codes.get().code in slip
    assert "back by March 31, 2027" in slip
    assert "page 1 of 2" in slip and "page 2 of 2" in slip  # the slip, then its return form


def test_every_code_decodes_at_200_dpi_with_two_independent_decoders(zoe_shipment, settings):
    pdf = print_packing_slips(shipment_ids=[zoe_shipment.pk], by=None)
    first = first_slip_page(page_texts(pdf), zoe_shipment.number)
    url = settings.SITE_URL + reverse("kits:my_kit_detail", args=[zoe_shipment.number])
    assert url == f"{settings.SITE_URL}/portal/kit/{zoe_shipment.number}/"

    # the slip: its number and the confirm-receipt page
    assert zxing_codes(pdf, first) == {"Code128": zoe_shipment.number, "QRCode": url}
    assert zbar_codes(pdf, first) == {"CODE-128": zoe_shipment.number, "QR-Code": url}
    # the return form, last: the code the scan station reads as "return received"
    assert zxing_codes(pdf, len(page_texts(pdf)) - 1) == {"Code128": f"R-{zoe_shipment.number}"}
    assert zbar_codes(pdf, len(page_texts(pdf)) - 1) == {"CODE-128": f"R-{zoe_shipment.number}"}


def long_slip(number: str, lines: int = 100) -> Slip:
    return Slip(
        number=number,
        brand="Soirée",
        campaign_name="Automne-hiver",
        confirm_url=f"https://soiree.example.com/portal/kit/{number}/",
        ship_to_name="Zoë Łukasiewicz-Nuñez",
        ship_to_address=("1 place Ørsted", "8000 Aarhus", "DK"),
        ship_to_phone="+45 12 34 56 78",
        referral_code="ZOE-7K2F",
        return_due_on=date(2027, 3, 31),
        currency="EUR",
        lines=tuple(
            SlipLine(
                sku=f"SKU-{index:03d}",
                description=f"Pull Ørsted {index}",
                variant="Bleu / M",
                bin_location=f"B-{index:03d}",
                quantity=1 + index % 3,
                returnable=index % 10 != 0,
                unit_value=Decimal("10.00"),
            )
            for index in range(lines)
        ),
    )


def test_a_long_slip_repeats_the_table_header_on_every_page_and_numbers_its_pages():
    slip = long_slip("KIT-2026-000042")

    texts = page_texts(render_packing_slips([slip]))

    slip_texts = [text for text in texts if "KIT-2026-000042" in text]
    packing = [text for text in slip_texts if "Return form" not in text]
    assert len(packing) >= 3 and len(slip_texts) > len(packing)
    for number, text in enumerate(slip_texts, start=1):
        assert f"page {number} of {len(slip_texts)}" in text
    for number, text in enumerate(packing, start=1):
        assert HEADER in text, number
    # every line exactly once, in order, and the totals on the last packing page only
    body = " ".join(packing)
    assert [int(sku) for sku in re.findall(r"SKU-(\d{3}) Pull", body)] == list(range(100))
    assert "Total units: 199" in packing[-1]
    assert all("Total units" not in text for text in packing[:-1])
    assert "Pull Ørsted 7" in body


def test_a_slip_prints_the_host_code_only_while_it_is_live(zoe_shipment):
    # given Zoë's own code on her slip
    code = zoe_shipment.host.referral_codes.get().code
    assert [slip.referral_code for slip in build_slips([zoe_shipment.pk])] == [code]
    # when her codes are retired (a ban)
    deactivate_codes(host=zoe_shipment.host, reason="host banned")
    # then her slip prints none
    assert [slip.referral_code for slip in build_slips([zoe_shipment.pk])] == [""]


def test_a_slip_prints_no_code_when_no_app_answers_for_codes(zoe_shipment, monkeypatch):
    # given nobody listening for the codes slips print (referrals not wired)
    monkeypatch.setattr(slip_codes_wanted, "receivers", [])
    # when
    slips = build_slips([zoe_shipment.pk])
    # then the slip is built, without a code
    assert [(slip.number, slip.referral_code) for slip in slips] == [(zoe_shipment.number, "")]


def test_pick_list_totals_equal_the_sum_of_the_slips_lines(kit_campaign, stock_for_kits):
    # given three kits of the campaign, one of them for a second campaign's template
    stock_for_kits(3)
    shipments = [
        services.allocate_kit(host=factories.HostFactory(application__campaign=kit_campaign), by=None)
        for _ in range(3)
    ]
    slips = build_slips([shipment.pk for shipment in shipments])
    # when
    pdf = render_packing_slips(slips)
    texts = page_texts(pdf)
    # then the pick list, first, has units per SKU in bin order and its total
    pick_text = " ".join(text for text in texts if "Pick list" in text)
    expected: dict[str, int] = {}
    line_of: dict[str, SlipLine] = {}
    for slip in slips:
        for line in slip.lines:
            expected[line.sku] = expected.get(line.sku, 0) + line.quantity
            line_of.setdefault(line.sku, line)
    assert expected == {"PROMO-PACK": 3, "COAT-NAVY-M": 6, "DRESS-RED-S": 3}
    rows = pick_list_rows(pdf)
    rows_of = {sku: [row for row in rows if sku in row.split(" ")] for sku in expected}
    assert all(len(found) == 1 for found in rows_of.values()), rows  # one row per SKU
    assert {sku: int(found[0].rsplit(" ", 1)[1]) for sku, found in rows_of.items()} == expected
    # and every row whole, in bin order (SKUs without a bin last)
    in_bin_order = sorted(
        expected, key=lambda sku: (line_of[sku].bin_location == "", line_of[sku].bin_location, sku)
    )
    assert rows == [
        " ".join(
            part
            for part in (line_of[sku].bin_location, sku, line_of[sku].description, line_of[sku].variant)
            if part
        )
        + f" {expected[sku]}"
        for sku in in_bin_order
    ]
    assert f"Total: {sum(expected.values())} unit(s) of 3 SKU(s)" in pick_text
    slip_totals = [int(units) for units in re.findall(r"Total units: (\d+)", " ".join(texts))]
    assert sum(slip_totals) == sum(expected.values())


def test_the_pick_list_sorts_by_bin_and_puts_skus_without_a_bin_last():
    def line(sku: str, bin_location: str) -> SlipLine:
        return SlipLine(sku, sku, "", bin_location, 1, True, Decimal("1.00"))

    slip = long_slip("KIT-2026-000001", lines=0)
    slips = [
        Slip(
            **{**{f: getattr(slip, f) for f in slip.__slots__}, "lines": (line("Z", "A-01"), line("A", ""))}
        ),
        Slip(
            **{
                **{f: getattr(slip, f) for f in slip.__slots__},
                "lines": (line("M", "A-00"), line("Z", "A-01")),
            }
        ),
    ]

    assert [(p.sku, p.units) for p in pick_list(slips)] == [("M", 1), ("Z", 2), ("A", 1)]


def test_a4_by_default_and_us_letter_on_request(allocated_shipment):
    a4 = pypdf.PdfReader(io.BytesIO(print_packing_slips(shipment_ids=[allocated_shipment.pk], by=None)))
    letter = pypdf.PdfReader(
        io.BytesIO(print_packing_slips(shipment_ids=[allocated_shipment.pk], by=None, page_size="LETTER"))
    )

    assert [round(float(v)) for v in a4.pages[0].mediabox[2:]] == [595, 842]
    assert [round(float(v)) for v in letter.pages[-1].mediabox[2:]] == [612, 792]
    letter_pdf = print_packing_slips(shipment_ids=[allocated_shipment.pk], by=None, page_size="LETTER")
    first = first_slip_page(page_texts(letter_pdf), allocated_shipment.number)
    assert zxing_codes(letter_pdf, first)["Code128"] == allocated_shipment.number
    assert zbar_codes(letter_pdf, first)["CODE-128"] == allocated_shipment.number


# --- API -------------------------------------------------------------------------------------


def test_one_shipments_slip_comes_as_pdf_and_the_print_is_logged(
    logistics_client, logistics_user, zoe_shipment
):
    response = logistics_client.get(f"/api/v1/kits/shipments/{zoe_shipment.number}/packing-slip/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert zoe_shipment.number in " ".join(page_texts(response.content))
    log = PrintLog.objects.get()
    assert (log.by, log.shipment_count, list(log.shipments.all())) == (logistics_user, 1, [zoe_shipment])


def test_slips_are_for_logistics_only(api_client, marketing_client, allocated_shipment):
    url = f"/api/v1/kits/shipments/{allocated_shipment.number}/packing-slip/"
    assert api_client.get(url).status_code in (401, 403)
    assert marketing_client.get(url).status_code == 403
    assert marketing_client.post("/api/v1/kits/packing-slips/", {"status": "allocated"}).status_code == 403
    assert not PrintLog.objects.exists()


def test_an_unknown_page_size_is_refused_and_logs_nothing(logistics_client, allocated_shipment):
    response = logistics_client.get(
        f"/api/v1/kits/shipments/{allocated_shipment.number}/packing-slip/", {"page_size": "A5"}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "page_size"
    assert not PrintLog.objects.exists()


@pytest.fixture
def three_shipments(kit_campaign, stock_for_kits) -> list[Shipment]:
    stock_for_kits(3)
    return [
        services.allocate_kit(host=factories.HostFactory(application__campaign=kit_campaign), by=None)
        for _ in range(3)
    ]


def test_a_small_batch_by_numbers_answers_with_the_pdf(logistics_client, three_shipments):
    numbers = [three_shipments[2].number, three_shipments[0].number]

    response = logistics_client.post(
        "/api/v1/kits/packing-slips/", {"shipments": numbers, "page_size": "LETTER"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    texts = page_texts(response.content)
    firsts = [number for text in texts for number in numbers if number in text and "page 1 of" in text]
    assert firsts == numbers  # in the order asked
    assert three_shipments[1].number not in " ".join(texts)
    log = PrintLog.objects.get()
    assert set(log.shipments.values_list("number", flat=True)) == set(numbers)
    assert log.page_size == "LETTER"


@pytest.mark.parametrize(
    "payload",
    [
        {"shipments": ["KIT-2026-999999"]},
        {"shipments": []},
        {},
        {"shipments": ["X"], "status": "allocated"},
        {"status": "teleported"},
        {"campaign": "no-such-campaign"},
    ],
)
def test_a_bad_batch_request_is_a_400_and_prints_nothing(logistics_client, three_shipments, payload):
    response = logistics_client.post("/api/v1/kits/packing-slips/", payload)

    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert not PrintLog.objects.exists() and not SlipBatch.objects.exists()


def test_a_large_batch_runs_as_a_task_with_progress_and_a_download(
    logistics_client,
    logistics_user,
    three_shipments,
    kit_campaign,
    settings,
    django_capture_on_commit_callbacks,
):
    # given a direct-print limit below the batch size
    settings.PACKING_SLIPS_DIRECT_MAX = 1
    services.mark_packed(shipment=three_shipments[1], by=None)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = logistics_client.post(
            "/api/v1/kits/packing-slips/", {"campaign": kit_campaign.slug, "status": "allocated"}
        )
    # then the batch was accepted, rendered by the task (immediate in tests), its progress complete
    assert response.status_code == 202
    assert response.json()["status"] == "queued" and response.json()["total"] == 2
    batch = SlipBatch.objects.get()
    status = logistics_client.get(f"/api/v1/kits/packing-slips/{batch.pk}/").json()
    assert (status["status"], status["done"], status["total"], status["percent"]) == ("done", 2, 2, 100)
    assert status["description"] == f"campaign {kit_campaign.slug}, state allocated"
    download = logistics_client.get(status["download_url"])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    text = " ".join(page_texts(b"".join(download.streaming_content)))
    assert three_shipments[0].number in text and three_shipments[2].number in text
    assert three_shipments[1].number not in text  # packed: not in the filter
    log = PrintLog.objects.get()
    assert (log.by, log.batch, log.shipment_count) == (logistics_user, batch, 2)


def test_a_batch_not_yet_rendered_answers_409_for_its_file(logistics_client, logistics_user, three_shipments):
    batch = request_slip_batch(shipment_ids=[s.pk for s in three_shipments], by=logistics_user)
    assert batch.status == SlipBatchStatus.QUEUED  # the task runs on commit, which a test never reaches

    response = logistics_client.get(f"/api/v1/kits/packing-slips/{batch.pk}/file/")

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "batch_not_ready"


def test_a_finished_batch_cannot_run_again(logistics_user, three_shipments):
    batch = request_slip_batch(shipment_ids=[three_shipments[0].pk], by=logistics_user)
    run_slip_batch(batch_id=batch.pk)

    with pytest.raises(Exception) as error:
        run_slip_batch(batch_id=batch.pk)

    assert getattr(error.value, "status_code", None) == 409
    assert SlipBatch.objects.get().status == SlipBatchStatus.DONE


def test_progress_is_reported_while_rendering():
    seen: list[tuple[int, int]] = []
    slips = [long_slip(f"KIT-2026-{n:06d}", lines=3) for n in range(5)]

    render_packing_slips(slips, on_progress=lambda done, total: seen.append((done, total)), progress_every=2)

    assert seen == [(2, 5), (4, 5), (5, 5)]


# --- staff print page ------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, logistics_user):
    client.force_login(logistics_user)
    return client


def test_the_print_page_is_for_logistics_staff(client, marketing_user, staff_client):
    assert staff_client.get("/staff/kits/print/").status_code == 200
    client.logout()
    anonymous = client.get("/staff/kits/print/")
    assert anonymous.status_code == 302 and "/signin/" in anonymous["Location"]
    client.force_login(marketing_user)
    assert client.get("/staff/kits/print/").status_code == 403


def test_the_print_page_prints_a_small_filter_at_once(staff_client, three_shipments, kit_campaign):
    response = staff_client.post(
        "/staff/kits/print/", {"campaign": kit_campaign.slug, "status": "allocated", "page_size": "A4"}
    )

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert all(s.number in " ".join(page_texts(response.content)) for s in three_shipments)
    assert PrintLog.objects.get().shipment_count == 3


def test_the_print_page_shows_a_large_batch_progress_and_its_download(
    staff_client, three_shipments, settings, django_capture_on_commit_callbacks
):
    settings.PACKING_SLIPS_DIRECT_MAX = 1
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post("/staff/kits/print/", {"status": "allocated", "page_size": "A4"})
    batch = SlipBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/kits/print/batches/{batch.pk}/"

    page = staff_client.get(response["Location"]).content.decode()
    assert '<progress id="slip-progress"' in page and 'value="3"' in page and 'max="3"' in page
    assert f"/staff/kits/print/batches/{batch.pk}/download/" in page
    progress = staff_client.get(f"/staff/kits/print/batches/{batch.pk}/progress/").json()
    assert (progress["status"], progress["done"], progress["percent"]) == ("done", 3, 100)
    download = staff_client.get(progress["download_url"])
    assert download["Content-Type"] == "application/pdf"


def test_a_queued_batch_page_reloads_without_javascript(staff_client, logistics_user, three_shipments):
    batch = request_slip_batch(shipment_ids=[three_shipments[0].pk], by=logistics_user)

    page = staff_client.get(f"/staff/kits/print/batches/{batch.pk}/").content.decode()

    assert '<noscript><meta http-equiv="refresh"' in page
    assert 'id="slip-download" hidden' in page


def test_an_unfinished_batch_download_says_not_ready_yet_with_its_progress_on_both_paths(
    staff_client, logistics_client, logistics_user, three_shipments
):
    # given a batch of three kits, one of them rendered so far
    batch = request_slip_batch(shipment_ids=[s.pk for s in three_shipments], by=logistics_user)
    SlipBatch.objects.filter(pk=batch.pk).update(status=SlipBatchStatus.RUNNING, done=1)
    # when the warehouse asks for its file on the staff page and in the API
    page = staff_client.get(f"/staff/kits/print/batches/{batch.pk}/download/")
    api = logistics_client.get(f"/api/v1/kits/packing-slips/{batch.pk}/file/")
    # then both answer 409 "not ready yet" with the progress
    message = "This batch is not ready yet: 1 of 3 slips rendered (33 %)."
    assert (page.status_code, api.status_code) == (409, 409)
    assert message in page.content.decode()
    assert '<progress id="slip-progress"' in page.content.decode()
    error = api.json()["errors"][0]
    assert (error["code"], error["detail"]) == ("batch_not_ready", message)
    assert api.json()["extra"] == {"status": "running", "done": 1, "total": 3, "percent": 33}


def test_unknown_numbers_on_the_print_page_are_named_and_nothing_is_printed(staff_client, three_shipments):
    response = staff_client.post(
        "/staff/kits/print/", {"numbers": f"{three_shipments[0].number}, KIT-2026-424242", "page_size": "A4"}
    )

    assert response.status_code == 400
    assert "KIT-2026-424242" in response.content.decode()
    assert not PrintLog.objects.exists()


def test_the_print_page_lists_recent_batches_in_constant_queries(
    staff_client, logistics_user, three_shipments, django_assert_max_num_queries
):
    for shipment in three_shipments:
        request_slip_batch(shipment_ids=[shipment.pk], by=logistics_user)
    staff_client.get("/staff/kits/print/")  # warm the session and role caches

    with django_assert_max_num_queries(8):
        response = staff_client.get("/staff/kits/print/")

    assert response.content.decode().count("/staff/kits/print/batches/") == 3


def test_a_single_slip_from_the_staff_pages(staff_client, allocated_shipment):
    response = staff_client.get(f"/staff/kits/print/{allocated_shipment.number}/?page_size=letter")

    assert response["Content-Type"] == "application/pdf"
    assert PrintLog.objects.get().page_size == "LETTER"
    allocated_shipment.refresh_from_db()
    assert allocated_shipment.status == ShipmentStatus.ALLOCATED  # printing a slip moves nothing


def test_an_empty_filter_on_the_print_page_says_there_is_nothing_to_print(
    staff_client, three_shipments, kit_campaign
):
    response = staff_client.post(
        "/staff/kits/print/", {"campaign": kit_campaign.slug, "status": "shipped", "page_size": "A4"}
    )

    assert response.status_code == 400
    assert "No shipment to print." in response.content.decode()
    assert not PrintLog.objects.exists() and not SlipBatch.objects.exists()


def test_a_number_no_shipment_can_have_is_a_clean_404(logistics_client, staff_client):
    # PostgreSQL refuses NUL characters in queries: such input must stay a "not found"
    assert logistics_client.get("/api/v1/kits/shipments/KIT%00/packing-slip/").status_code == 404
    assert staff_client.get("/staff/kits/print/KIT%00/").status_code == 404
    response = logistics_client.post("/api/v1/kits/packing-slips/", {"shipments": ["KIT\x00"]})
    assert response.status_code == 400


def test_a_batch_that_cannot_be_stored_is_marked_failed_with_the_reason(
    logistics_user, three_shipments, settings, tmp_path
):
    # given private storage that cannot be written (a file where the folder should be)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    settings.PRIVATE_MEDIA_ROOT = blocked
    batch = request_slip_batch(shipment_ids=[three_shipments[0].pk], by=logistics_user)
    # when the task runs
    run_slip_batch(batch_id=batch.pk)
    # then the batch says it failed and why, and offers nothing to download
    batch.refresh_from_db()
    assert batch.status == SlipBatchStatus.FAILED
    assert batch.error and batch.finished_at is not None and not batch.file


# --- print log -------------------------------------------------------------------------------


def test_the_print_log_answers_whether_a_kits_slip_was_printed(
    logistics_client, logistics_user, three_shipments, django_assert_max_num_queries
):
    # given one kit printed alone on Letter, then two in a batch
    first, second, never = three_shipments
    print_packing_slips(shipment_ids=[first.pk], by=logistics_user, page_size="LETTER")
    batch = request_slip_batch(shipment_ids=[first.pk, second.pk], by=None)
    # when asking about each kit
    with django_assert_max_num_queries(8):
        printed = logistics_client.get("/api/v1/kits/print-log/", {"shipment": first.number}).json()
    # then the prints that held its slip, newest first, with who, when and which paper
    rows = printed["results"]
    assert [(row["by"], row["page_size"], row["batch"]) for row in rows] == [
        (None, "A4", str(batch.pk)),
        (logistics_user.email, "LETTER", None),
    ]
    assert rows[0]["shipments"] == sorted([first.number, second.number]) and rows[0]["at"]
    second_rows = logistics_client.get("/api/v1/kits/print-log/", {"shipment": second.number}).json()
    assert [row["batch"] for row in second_rows["results"]] == [str(batch.pk)]
    assert logistics_client.get("/api/v1/kits/print-log/", {"shipment": never.number}).json()["results"] == []


def test_the_print_log_is_for_logistics(marketing_client, api_client, db):
    assert marketing_client.get("/api/v1/kits/print-log/").status_code == 403
    assert api_client.get("/api/v1/kits/print-log/").status_code in (401, 403)


def test_the_print_log_is_in_the_admin_searchable_by_kit(logistics_user, three_shipments):
    # given
    first, second, _ = three_shipments
    print_packing_slips(shipment_ids=[first.pk], by=logistics_user)
    print_packing_slips(shipment_ids=[second.pk], by=logistics_user)
    admin = factories.UserFactory(email="boss@staff.example.com", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    # when
    found = client.get("/admin/kits/printlog/", {"q": first.number})
    # then one print, read-only
    assert found.status_code == 200
    assert "1 result" in found.content.decode()
    log = PrintLog.objects.get(shipments=first)
    page = client.get(f"/admin/kits/printlog/{log.pk}/change/").content.decode()
    assert first.number in page and logistics_user.email in page
    assert client.get("/admin/kits/printlog/add/").status_code == 403


def test_each_page_is_written_to_the_file_as_soon_as_it_is_shown():
    # given a document being written
    from kits.slips.drawing import register_fonts
    from kits.slips.pdf_stream import StreamingCanvas

    register_fonts()
    out = io.BytesIO()
    canvas = StreamingCanvas(out, pagesize=(595, 842))
    sizes = []
    # when pages are shown one after the other
    for number in range(3):
        canvas.setFont("SoireeSans", 12)
        canvas.drawString(72, 720, f"Zoë page {number}")
        canvas.showPage()
        sizes.append(out.tell())
    canvas.save()
    # then each was in the file before the document was saved, and the file reads back whole
    assert sizes[0] > 0 and sizes[0] < sizes[1] < sizes[2] < out.tell()
    assert page_texts(out.getvalue()) == ["Zoë page 0", "Zoë page 1", "Zoë page 2"]
