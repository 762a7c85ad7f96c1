"""Export and erasure of a person's data (SPEC §13): everything out, then nothing personal left,
with the aggregates, attributions and money unchanged."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from ambassadors.models import Application, Guest, Host, Party, PartyPhoto
from backend.errors import Conflict, Invalid
from backend.models import User
from backend.privacy import pseudonymous_email
from kits.models import Shipment
from orders.models import Order, StripeEvent
from privacy.erasure import erase_personal_data
from privacy.export import export_personal_data
from referrals.models import (
    Attribution,
    EntryKind,
    EntryState,
    LedgerEntry,
    PrivacyRequest,
    ScopeBuyer,
)
from referrals.reports.csv import row_values
from referrals.reports.facts import rebuild_report_facts, refresh_attributed_sale
from referrals.reports.filters import ReportFilters
from referrals.reports.query import attribution_report
from tests import factories
from tests.privacy.conftest import EMAIL, LAST_NAME, PHONE, STREET

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(db):
    return factories.UserFactory(email="dpo@staff.example.com")


def database_dump() -> str:
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return out.getvalue().lower()


def report_figures(campaign) -> dict:
    report = attribution_report(filters=ReportFilters(campaign_id=campaign.pk), group_by="party")
    return {"totals": row_values(report.totals), "rows": [row_values(row) for row in report.rows]}


def test_export_gathers_everything_held_about_the_person(person, officer):
    data = export_personal_data(email="  Zoe.Privacy@EXAMPLE.com ", by=officer)

    text = json.dumps(data)  # JSON-ready as it is
    assert data["email"] == EMAIL
    assert data["account"]["last_name"] == LAST_NAME
    assert data["account"]["social_accounts"][0]["uid"] == "17841"
    [application] = data["applications"]
    assert (application["phone"], application["address_line1"]) == (PHONE, STREET)
    assert application["social"]["handle"] == "@zoe_wojc"
    assert application["consents"]["terms_accepted_at"].endswith("Z")
    [host] = data["hosts"]
    assert host["referral_codes"][0]["kind"] == "host"
    assert host["parties"][0]["photos"] and host["parties"][0]["notes"]
    assert host["shipments"][0]["ship_to"]["phone"] == PHONE
    assert [guest["last_name"] for guest in data["guest_registrations"]] == [LAST_NAME]
    assert sorted(order["total"] for order in data["orders"]) == ["100.00", "100.00"]
    # Other people stay out: the other guest, the other host's party title and name.
    assert "ann@example.com" not in text
    assert person.other_party.title not in text and "Bea" not in text
    assert PrivacyRequest.objects.get().kind == "export"
    assert PrivacyRequest.objects.get().subject == pseudonymous_email(EMAIL)


def test_export_of_an_unknown_person_is_empty(db, officer):
    data = export_personal_data(email="nobody@example.com", by=officer)
    assert data["account"] is None
    assert data["applications"] == data["hosts"] == data["guest_registrations"] == data["orders"] == []


def test_erasure_leaves_no_email_phone_or_last_name_anywhere_in_the_database(person, officer):
    # given
    before = database_dump()
    assert all(value.lower() in before for value in (EMAIL, PHONE, LAST_NAME, STREET, "zoe_wojc"))

    # when
    erase_personal_data(email=EMAIL, by=officer, reason="Asked by e-mail on 2 March")

    # then
    after = database_dump()
    for value in (EMAIL, PHONE, LAST_NAME, STREET, "zoe_wojc", "17841"):
        assert value.lower() not in after, value
    assert not PartyPhoto.objects.exists()


def test_erasure_keeps_report_totals_orders_attributions_and_rewards_identical(person, officer):
    # given: a guest sale of the other host's party and a self-referral through the person's own code
    assert sorted(Attribution.objects.values_list("method", "reason")) == [
        ("code", "self_referral"),
        ("guest", ""),
        ("guest", ""),
    ]
    figures = report_figures(person.campaign)
    attributions = sorted(
        Attribution.objects.values_list("order_id", "method", "host_id", "party_id", "earns")
    )
    amounts = sorted(Order.objects.values_list("pk", "total", "commissionable_amount", "status"))
    ledger = sorted(LedgerEntry.objects.values_list("host_id", "basis", "amount"))
    guests = Guest.objects.count()

    # when
    erase_personal_data(email=EMAIL, by=officer, reason="request")

    # then
    assert report_figures(person.campaign) == figures
    assert sorted(Attribution.objects.values_list("order_id", "method", "host_id", "party_id", "earns")) == (
        attributions
    )
    assert sorted(Order.objects.values_list("pk", "total", "commissionable_amount", "status")) == amounts
    assert sorted(LedgerEntry.objects.values_list("host_id", "basis", "amount")) == ledger
    assert Guest.objects.count() == guests
    # The report's distinct-buyer sets followed the pseudonym's key: as recomputed from the rows.
    kept = sorted(ScopeBuyer.objects.values_list("scope", "buyer", "sales"))
    rebuild_report_facts()
    assert sorted(ScopeBuyer.objects.values_list("scope", "buyer", "sales")) == kept
    # A later refresh of one of the person's orders (a refund, a re-attribution) keeps one buyer.
    refresh_attributed_sale(order=Order.objects.get(pk=person.orders[0].pk))
    assert report_figures(person.campaign) == figures


def test_erasure_pseudonymises_every_row_of_the_person_the_same_way(person, officer):
    summary = erase_personal_data(email=EMAIL, by=officer, reason="request")

    pseudonym = pseudonymous_email(EMAIL)
    assert summary.pseudonym == pseudonym
    assert pseudonym.endswith("@erased.invalid") and pseudonym != pseudonymous_email("other@example.com")
    assert set(
        Order.objects.filter(pk__in=[o.pk for o in person.orders[:2]]).values_list(
            "customer_email", flat=True
        )
    ) == {pseudonym}
    assert Guest.objects.get(email=pseudonym).last_name == ""
    application = Application.objects.get(email=pseudonym)
    assert (application.last_name, application.social_profile_url, application.motivation) == ("", "", "")
    assert application.postal_code == "75"  # the postal area of reports survives
    host = Host.objects.get(pk=person.host.pk)
    assert (host.last_name, host.address_line1, str(host.phone)) == ("", "", "")
    assert Party.objects.filter(host=host, notes="").count() == 1
    assert Shipment.objects.get(host=host).ship_to_line1 == ""
    event = StripeEvent.objects.get()
    assert event.payload["data"]["object"]["customer_details"]["email"] == pseudonym
    assert event.payload["data"]["object"]["customer_details"]["address"] is None
    assert event.payload["data"]["object"]["amount_total"] == 11800  # the money facts stay
    assert (summary.orders, summary.guests, summary.applications, summary.hosts) == (2, 1, 1, 1)
    record = PrivacyRequest.objects.get(kind="erasure")
    assert (record.by, record.reason, record.subject) == (officer, "request", pseudonym)


def test_erasure_closes_the_account(person, officer):
    erase_personal_data(email=EMAIL, by=officer, reason="request")

    user = User.objects.get(pk=person.host.user_id)
    assert user.email == pseudonymous_email(EMAIL)
    assert not user.is_active and not user.has_usable_password()
    assert not user.socialaccount_set.exists() and not user.emailaddress_set.exists()
    assert not user.auth_token_set.exists()


def test_erasing_twice_changes_nothing_the_second_time(person, officer):
    erase_personal_data(email=EMAIL, by=officer, reason="request")
    dump = database_dump()

    again = erase_personal_data(email=EMAIL, by=officer, reason="asked again")

    assert again.as_dict() | {"pseudonym": 0} == dict.fromkeys(again.as_dict(), 0)
    assert _without_privacy_requests(database_dump()) == _without_privacy_requests(dump)


def _without_privacy_requests(dump: str) -> list:
    return [row for row in json.loads(dump) if row["model"] != "referrals.privacyrequest"]


def test_erasure_is_refused_while_the_person_is_owed_money(person, officer):
    # given: approved rewards not yet paid
    LedgerEntry.objects.create(
        host=person.host,
        campaign=person.campaign,
        kind=EntryKind.ACCRUAL,
        state=EntryState.APPROVED,
        basis="party:1",
        amount=Decimal("42.00"),
        currency="EUR",
        description="party rewards",
        approvable_at=timezone.now(),
    )

    # when
    with pytest.raises(Conflict) as refused:
        erase_personal_data(email=EMAIL, by=officer, reason="request")

    # then
    assert refused.value.code == "money_owed"
    assert refused.value.extra == {"pending_payouts": 0, "unpaid_balance": {"EUR": "42.00"}}
    assert Application.objects.filter(email=EMAIL).exists()
    assert not PrivacyRequest.objects.exists()


def test_a_negative_balance_does_not_block_erasure(person, officer):
    LedgerEntry.objects.create(
        host=person.host,
        campaign=person.campaign,
        kind=EntryKind.KIT_DEDUCTION,
        state=EntryState.APPROVED,
        basis="kit:1",
        amount=Decimal("-15.00"),
        currency="EUR",
        description="missing kit items",
        approvable_at=timezone.now(),
    )
    assert erase_personal_data(email=EMAIL, by=officer, reason="request").hosts == 1


def test_erasure_needs_an_email_and_a_reason(db, officer):
    with pytest.raises(Invalid) as no_email:
        erase_personal_data(email="  ", by=officer, reason="request")
    with pytest.raises(Invalid) as no_reason:
        erase_personal_data(email=EMAIL, by=officer, reason=" ")
    assert (no_email.value.field, no_reason.value.field) == ("email", "reason")


def test_only_the_guest_rows_of_a_guest_are_erased(db, officer):
    guest = factories.GuestFactory(email="nina@example.com", last_name="Roux")
    other = factories.GuestFactory(party=guest.party, email="lou@example.com", last_name="Blanc")

    summary = erase_personal_data(email="nina@example.com", by=officer, reason="request")

    assert (summary.guests, summary.accounts, summary.hosts) == (1, 0, 0)
    other.refresh_from_db()
    assert (other.email, other.last_name) == ("lou@example.com", "Blanc")
    assert Guest.objects.filter(party=guest.party).count() == 2
