"""Notes from the brand (SPEC §16): marketing writes them through the API, to a host or to every host
who reached a milestone, with an optional gift through the ledger's audited adjustment; the host reads
them on her notes page, each greeting her by name, and they are then marked read."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from backend.models import AuditEntry
from recognition.milestones.services import record_milestones
from recognition.models import BrandNote, Milestone
from recognition.notes.services import write_brand_note
from referrals.models import EntryKind, EntryState, LedgerEntry
from tests.factories import HostFactory
from tests.recognition.conftest import held_party

pytestmark = pytest.mark.django_db

NOTES = "/api/v1/recognition/notes/"


def portal_client(host) -> Client:
    client = Client()
    client.force_login(host.user)
    return client


def test_a_note_to_a_host_with_a_gift_is_an_approved_audited_adjustment(
    marketing_client, marketing_user, host
):
    # when marketing thanks the host with 15.00 of store credit
    response = marketing_client.post(
        NOTES,
        {"host": host.pk, "body": "Thank you for your lovely party!", "gift_amount": "15.00"},
        format="json",
    )

    # then one note, and one approved adjustment of her ledger made by that person
    assert response.status_code == 201, response.json()
    (note,) = response.json()
    assert (note["host"], note["gift_amount"], note["gift_currency"], note["read_at"]) == (
        host.pk,
        "15.00",
        "EUR",
        None,
    )
    entry = LedgerEntry.objects.get(host=host)
    assert (entry.kind, entry.state, entry.amount, entry.by) == (
        EntryKind.ADJUSTMENT,
        EntryState.APPROVED,
        Decimal("15.00"),
        marketing_user,
    )
    assert entry.reason and note["gift_entry"] == entry.pk
    # and the staff action is in the audit log
    assert AuditEntry.objects.filter(actor=marketing_user, action="api:brand-notes", status_code=201).exists()


def test_a_note_to_a_milestones_hosts_greets_each_by_her_name(marketing_client, campaign):
    # given two hosts who held a party and one who did not
    alma, bruno, chloe = (
        HostFactory(application__campaign=campaign, first_name=name) for name in ("Alma", "Bruno", "Chloé")
    )
    for host in (alma, bruno):
        held_party(host)
    record_milestones()

    # when marketing writes to every host who held her first party
    response = marketing_client.post(
        NOTES,
        {
            "campaign": campaign.pk,
            "milestone": "first_party_held",
            "body": "What a start!",
            "gift_amount": "5",
        },
        format="json",
    )

    # then one note each for Alma and Bruno, none for Chloé, each gift its own ledger line
    assert response.status_code == 201, response.json()
    assert sorted(note["host"] for note in response.json()) == sorted([alma.pk, bruno.pk])
    assert not BrandNote.objects.filter(host=chloe).exists()
    assert LedgerEntry.objects.filter(kind=EntryKind.ADJUSTMENT).count() == 2
    # and each reads it greeted by her own name
    for host, other in ((alma, bruno), (bruno, alma)):
        page = portal_client(host).get("/portal/notes/").content.decode()
        assert f"Dear {host.first_name}," in page and "What a start!" in page
        assert f"Dear {other.first_name}," not in page


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({"body": "Thanks"}, "host", "required"),
        ({"campaign": "CAMPAIGN", "body": "Thanks"}, "host", "required"),
        ({"host": "HOST", "body": "   "}, "body", "blank"),
        ({"host": "HOST", "body": "Thanks", "gift_amount": "0"}, "gift_amount", "min_value"),
        (
            {"host": "HOST", "body": "Thanks", "gift_amount": "1000.01"},
            "gift_amount",
            "beyond_adjustment_limit",
        ),
        ({"campaign": "CAMPAIGN", "milestone": "top_ten_party", "body": "Thanks"}, "milestone", "no_hosts"),
        (
            {"host": "HOST", "campaign": "CAMPAIGN", "milestone": "first_sale", "body": "Thanks"},
            "host",
            "invalid",
        ),
    ],
)
def test_a_bad_note_is_a_field_error_in_the_one_shape_and_writes_nothing(
    marketing_client, settings, host, campaign, payload, field, code
):
    settings.LEDGER_ADJUSTMENT_LIMIT = 1000
    values = {"HOST": host.pk, "CAMPAIGN": campaign.pk}
    payload = {key: values.get(value, value) for key, value in payload.items()}

    response = marketing_client.post(NOTES, payload, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert (body["errors"][0]["attr"], body["errors"][0]["code"]) == (field, code)
    assert not BrandNote.objects.exists() and not LedgerEntry.objects.exists()


def test_only_marketing_writes_and_reads_notes(api_client, host):
    assert api_client.post(NOTES, {"host": host.pk, "body": "Hi"}, format="json").status_code in {401, 403}
    as_host = APIClient()
    as_host.force_authenticate(host.user)
    assert as_host.post(NOTES, {"host": host.pk, "body": "Hi"}, format="json").status_code == 403
    assert as_host.get(NOTES).status_code == 403
    assert as_host.get("/api/v1/recognition/milestones/").status_code == 403
    assert not BrandNote.objects.exists()


def test_marketing_lists_notes_and_milestones_by_campaign(marketing_client, host, campaign):
    other = HostFactory()
    for someone in (host, other):
        held_party(someone)
        write_brand_note(host=someone, body="Thanks", by=None)
    record_milestones()

    notes = marketing_client.get(NOTES, {"campaign": campaign.pk}).json()["results"]
    milestones = marketing_client.get("/api/v1/recognition/milestones/", {"campaign": campaign.pk}).json()

    assert [note["host"] for note in notes] == [host.pk]
    assert [(row["host"], row["kind"]) for row in milestones["results"]] == [(host.pk, "first_party_held")]


def test_the_host_reads_only_her_notes_and_they_are_marked_read(host):
    # given a note to her and one to another host
    mine = write_brand_note(host=host, body="Merci Alma", by=None)
    other = write_brand_note(host=HostFactory(), body="Pour une autre", by=None)
    client = portal_client(host)

    # then the dashboard says one note is new
    assert "1 new note from the brand" in client.get("/portal/").content.decode()

    # when she opens her notes
    page = client.get("/portal/notes/").content.decode()

    # then she sees hers, marked new this once, and it is read now; the other host's stays unread
    assert "Merci Alma" in page and "Pour une autre" not in page
    assert 'class="card brand-note unread"' in page
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.read_at is not None and other.read_at is None
    assert 'class="card brand-note unread"' not in client.get("/portal/notes/").content.decode()
    assert "new note" not in client.get("/portal/").content.decode()


def test_the_dashboard_shows_her_milestones(host):
    held_party(host, guests=10)
    record_milestones()
    page = portal_client(host).get("/portal/").content.decode()
    assert 'data-milestone="first_party_held"' in page and 'data-milestone="ten_guests"' in page
    assert "You have welcomed 10 guests to your parties." in page
    assert Milestone.objects.filter(host=host).count() == 2


def test_a_gift_reads_as_a_gift_on_her_earnings_page(host):
    write_brand_note(host=host, body="Merci", gift_amount=Decimal("15.00"), by=None)
    page = portal_client(host).get("/portal/earnings/").content.decode()
    assert "A gift from the brand, with a note to you" in page


def test_the_notes_page_reads_a_fixed_number_of_queries(host, django_assert_num_queries):
    write_brand_note(host=host, body="Merci", by=None)
    client = portal_client(host)
    client.get("/portal/notes/")  # the first visit marks them read; compare unread pages
    write_brand_note(host=host, body="Encore merci", by=None)
    with CaptureQueriesContext(connection) as one:
        client.get("/portal/notes/")
    for _ in range(5):
        write_brand_note(host=host, body="Toujours merci", gift_amount=Decimal("1.00"), by=None)
        write_brand_note(host=HostFactory(), body="Pour une autre", by=None)
    with django_assert_num_queries(len(one.captured_queries)):
        client.get("/portal/notes/")
