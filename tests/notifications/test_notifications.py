"""Notifications: each sent once, in its recipient's language, with the right content; the guests'
invitation carries the party as a calendar event; every kind can be turned off by its recipient;
a cancelled party's guests are told; the scheduling job run again sends nothing more."""

import re
import threading
from datetime import timedelta
from decimal import Decimal

import icalendar
import pytest
from django.core import mail
from django.core.management import call_command
from django.db import close_old_connections
from django.utils import timezone

from ambassadors.models import Guest, PartyStatus
from ambassadors.parties.services import cancel_party, close_party
from kits.catalogue.services import set_kit_template
from kits.models import Shipment, ShipmentStatus
from kits.shipments import services as kits
from kits.stock.services import receive_stock
from notifications.models import OptOut, SentNotification
from notifications.services import notify_party_cancelled, send_due_notifications
from notifications.tokens import OptOutRequest, opt_out_token
from privacy.erasure import erase_personal_data
from privacy.export import export_personal_data
from referrals.codes.services import issue_party_code
from referrals.models import EntryKind, LedgerEntry, Payout
from referrals.payouts.services import mark_payout_paid, run_payouts
from referrals.rewards.services import adjust_rewards, set_reward_plan
from tests.factories import GuestFactory, HostFactory, ItemFactory, PartyFactory, UserFactory

pytestmark = pytest.mark.django_db

GREETING = {"en": "Hello Lou,", "fr": "Bonjour Lou,"}


def host_in(language: str, **kwargs):
    host = HostFactory(first_name="Clara", **kwargs)
    host.user.language = language
    host.user.save(update_fields=["language"])
    return host


def run_job(capture, at=None) -> dict[str, int]:
    with capture(execute=True):
        return send_due_notifications(at=at)


def opt_out_link(body: str) -> str:
    return re.search(r"https?://\S+/notifications/stop/\S+/", body).group(0)


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_invitation_tells_the_party_in_the_guests_language_with_a_calendar_event(
    language, django_capture_on_commit_callbacks
):
    party = PartyFactory(
        title="Apéro tricot & vin",
        city="Lyon",
        postal_code="69003",
        starts_at=timezone.now() + timedelta(days=5),
    )
    guest = GuestFactory(party=party, language=language)

    assert run_job(django_capture_on_commit_callbacks) == {"guest_invitation": 1}

    (message,) = mail.outbox
    assert message.to == [guest.email]
    assert "Apéro tricot & vin" in message.subject and "&amp;" not in message.body
    assert message.subject.startswith({"en": "Your invitation", "fr": "Votre invitation"}[language])
    assert GREETING[language] in message.body
    local = timezone.localtime(party.starts_at)
    day = {"en": local.strftime("%b"), "fr": "déc" if local.month == 12 else ""}[language]
    assert day in message.body
    assert f"/p/withdraw/{guest.withdrawal_token}/" in message.body
    (filename, content, mimetype), *_ = message.attachments
    assert (filename, mimetype) == ("soiree.ics", "text/calendar")
    calendar = icalendar.Calendar.from_ical(content)
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == party.starts_at.replace(microsecond=0)
    assert str(event["SUMMARY"]) == "Apéro tricot & vin"
    assert str(event["LOCATION"]) == "69003 Lyon"
    assert {"en": "hosted by Clara", "fr": "organisée par Clara"}[language] in str(event["DESCRIPTION"])

    assert run_job(django_capture_on_commit_callbacks) == {}
    assert len(mail.outbox) == 1


def test_the_reminder_goes_the_day_before_to_guests_listed_before_then(django_capture_on_commit_callbacks):
    now = timezone.now()
    party = PartyFactory(starts_at=now + timedelta(days=3))
    early = GuestFactory(party=party, language="fr")
    late = GuestFactory(party=party)
    Guest.objects.filter(pk=early.pk).update(created_at=now - timedelta(days=2))
    run_job(django_capture_on_commit_callbacks, at=now)  # invitations
    mail.outbox = []

    assert run_job(django_capture_on_commit_callbacks, at=now + timedelta(days=1)) == {}  # two days before
    Guest.objects.filter(pk=late.pk).update(created_at=now + timedelta(days=2, hours=1))
    day_before = now + timedelta(days=2, hours=2)
    assert run_job(django_capture_on_commit_callbacks, at=day_before) == {"guest_reminder": 1}

    (message,) = mail.outbox
    assert message.to == [early.email]
    assert message.subject == f"Demain : {party.title}"
    assert f"{party.postal_code} {party.city}" in message.body and f"/p/{party.public_token}/" in message.body
    assert run_job(django_capture_on_commit_callbacks, at=day_before + timedelta(hours=1)) == {}
    assert len(mail.outbox) == 1


def test_the_thank_you_carries_the_partys_link_to_guests_who_asked_for_news(
    django_capture_on_commit_callbacks,
):
    party = PartyFactory(starts_at=timezone.now() - timedelta(days=1), status=PartyStatus.HELD)
    code = issue_party_code(party=party)
    fan = GuestFactory(party=party, marketing_consent_at=timezone.now(), language="fr")
    GuestFactory(party=party)  # no consent to the brand's news: no thank-you with a shop link

    assert run_job(django_capture_on_commit_callbacks) == {"guest_thanks": 1}

    (message,) = mail.outbox
    assert message.to == [fan.email]
    assert message.subject.startswith("Merci pour votre venue")
    assert f"/r/{code.code}" in message.body and code.code in message.body
    assert run_job(django_capture_on_commit_callbacks) == {}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_cancelled_partys_guests_are_told(language, django_capture_on_commit_callbacks):
    party = PartyFactory(title="Soirée laine", starts_at=timezone.now() + timedelta(days=4))
    guests = [GuestFactory(party=party, language=language) for _ in range(2)]
    GuestFactory(party=party, email="", phone="+33612345678")  # no e-mail: nobody to write to

    with django_capture_on_commit_callbacks(execute=True):
        cancel_party(party=party, by=party.host.user, reason="ill")

    assert sorted(message.to[0] for message in mail.outbox) == sorted(guest.email for guest in guests)
    message = mail.outbox[0]
    assert message.subject == {"en": "Cancelled: Soirée laine", "fr": "Annulée : Soirée laine"}[language]
    assert {"en": "has cancelled", "fr": "a annulé"}[language] in message.body
    assert run_job(django_capture_on_commit_callbacks) == {}  # no invitation or reminder after that
    assert len(mail.outbox) == 2


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_host_is_reminded_to_report_a_party_once_it_is_over(language, django_capture_on_commit_callbacks):
    host = host_in(language)
    party = PartyFactory(host=host, title="Apéro laine", starts_at=timezone.now() - timedelta(hours=13))
    PartyFactory(host=host, starts_at=timezone.now() - timedelta(hours=2))  # just started: not yet
    PartyFactory(host=HostFactory(status="banned"), starts_at=timezone.now() - timedelta(days=1))

    assert run_job(django_capture_on_commit_callbacks) == {"host_report_reminder": 1}

    (message,) = mail.outbox
    assert message.to == [host.user.email]
    assert (
        message.subject
        == {"en": "How was Apéro laine?", "fr": "Comment s’est passée votre soirée « Apéro laine » ?"}[
            language
        ]
    )
    assert f"/portal/parties/{party.pk}/held/" in message.body
    assert "/portal/notifications/" in message.body
    assert run_job(django_capture_on_commit_callbacks) == {}


def delivered_kit(host, *, due_in_days: int) -> Shipment:
    coat = ItemFactory()
    set_kit_template(campaign=host.campaign, lines=[(coat, 1)], by=None)
    receive_stock(item=coat, quantity=1, by=None)
    shipment = kits.mark_packed(shipment=kits.allocate_kit(host=host, by=None), by=None)
    shipment = kits.mark_shipped(shipment=shipment, carrier="Colissimo", tracking_number="6A1", by=None)
    Shipment.objects.filter(pk=shipment.pk).update(
        status=ShipmentStatus.DELIVERED, return_due_on=timezone.localdate() + timedelta(days=due_in_days)
    )
    shipment.refresh_from_db()
    return shipment


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_host_is_told_the_kits_return_date(language, django_capture_on_commit_callbacks):
    host = host_in(language)
    shipment = delivered_kit(host, due_in_days=5)

    assert run_job(django_capture_on_commit_callbacks) == {}  # not yet: three days before
    Shipment.objects.filter(pk=shipment.pk).update(return_due_on=timezone.localdate() + timedelta(days=2))
    assert run_job(django_capture_on_commit_callbacks) == {"host_kit_return": 1}

    (message,) = mail.outbox
    assert message.subject.startswith(
        {"en": "Your kit is due back by", "fr": "Votre kit est à renvoyer"}[language]
    )
    assert f"/portal/kit/{shipment.number}/" in message.body
    assert run_job(django_capture_on_commit_callbacks) == {}


@pytest.mark.parametrize(("language", "amount"), [("en", "€64.28"), ("fr", "64,28\u00a0€")])
def test_the_host_is_told_what_a_closed_party_earned(language, amount, django_capture_on_commit_callbacks):
    host = host_in(language)
    party = PartyFactory(host=host, title="Apéro laine", starts_at=timezone.now() - timedelta(days=40))
    party.status = PartyStatus.HELD
    party.attribution_ends_at = timezone.now() - timedelta(days=1)
    party.save()
    for value in ("70.00", "-5.72"):
        LedgerEntry.objects.create(
            host=host, campaign=host.campaign, kind=EntryKind.ACCRUAL, basis=f"party:{party.pk}",
            amount=Decimal(value), currency="EUR", description="party", approvable_at=timezone.now(),
        )  # fmt: skip
    quiet = PartyFactory(host=host, starts_at=timezone.now() - timedelta(days=40), status=PartyStatus.HELD)
    quiet.attribution_ends_at = timezone.now() - timedelta(days=1)
    quiet.save()

    with django_capture_on_commit_callbacks(execute=True):
        close_party(party=party)
        close_party(party=quiet)  # earned nothing: nothing to say

    (message,) = mail.outbox
    assert message.to == [host.user.email]
    assert amount in message.body
    assert amount.replace("\u00a0", " ") in message.subject  # a subject is one line of plain spaces
    assert "/portal/earnings/" in message.body
    assert SentNotification.objects.count() == 1


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_host_is_told_a_payout_is_sent(language, settings, django_capture_on_commit_callbacks):
    settings.STRIPE_SECRET_KEY = ""
    host = host_in(language)
    set_reward_plan(campaign=host.campaign, by=None, payout_minimum=Decimal("20.00"))
    adjust_rewards(host=host, amount=Decimal("25.00"), reason="great party photos", by=None)
    run_payouts()
    payout = Payout.objects.get()
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        mark_payout_paid(payout=payout, by=UserFactory())

    (message,) = mail.outbox
    assert message.subject == {"en": "Payout sent: €25.00", "fr": "Versement envoyé : 25,00 €"}[language]
    assert {"en": "Bank transfer", "fr": "Virement bancaire"}[language] in message.body
    assert "/portal/payouts/" in message.body


def test_a_guest_stops_the_e_mails_about_their_party_from_the_link_without_signing_in(
    client, django_capture_on_commit_callbacks
):
    now = timezone.now()
    party = PartyFactory(starts_at=now + timedelta(days=3))
    guest = GuestFactory(party=party)
    Guest.objects.filter(pk=guest.pk).update(created_at=now - timedelta(days=1))
    run_job(django_capture_on_commit_callbacks, at=now)
    link = path_of(opt_out_link(mail.outbox[0].body))

    page = client.get(link)  # a link scanner opening it turns nothing off
    assert page.status_code == 200 and party.title in page.content.decode()
    assert not OptOut.objects.exists()
    assert client.post(link).status_code == 200

    assert run_job(django_capture_on_commit_callbacks, at=party.starts_at - timedelta(hours=3)) == {}
    with django_capture_on_commit_callbacks(execute=True):
        cancel_party(party=party, by=party.host.user)
    assert len(mail.outbox) == 1
    assert client.post(link).status_code == 200  # twice changes nothing


def test_a_host_stops_one_kind_from_its_link_and_keeps_the_others(client, django_capture_on_commit_callbacks):
    host = host_in("en")
    PartyFactory(host=host, starts_at=timezone.now() - timedelta(days=1))
    run_job(django_capture_on_commit_callbacks)
    assert client.post(path_of(opt_out_link(mail.outbox[0].body))).status_code == 200

    PartyFactory(host=host, starts_at=timezone.now() - timedelta(days=2))
    assert run_job(django_capture_on_commit_callbacks) == {}
    delivered_kit(host, due_in_days=1)
    assert run_job(django_capture_on_commit_callbacks) == {"host_kit_return": 1}


def test_a_host_chooses_their_e_mails_in_the_portal(client, settings, django_capture_on_commit_callbacks):
    settings.STRIPE_SECRET_KEY = ""
    host = host_in("fr")
    client.force_login(host.user)
    client.cookies["django_language"] = "fr"
    assert 'href="/portal/notifications/"' in client.get("/portal/profile/").content.decode()
    page = client.get("/portal/notifications/").content.decode()
    assert page.count('type="checkbox"') == 4 and page.count("checked") == 4
    response = client.post(
        "/portal/notifications/", {"wanted": ["host_report_reminder", "host_kit_return", "host_earned"]}
    )
    assert response.status_code == 302
    assert client.get("/portal/notifications/").content.decode().count("checked") == 3

    set_reward_plan(campaign=host.campaign, by=None, payout_minimum=Decimal("20.00"))
    adjust_rewards(host=host, amount=Decimal("25.00"), reason="photos", by=None)
    run_payouts()
    with django_capture_on_commit_callbacks(execute=True):
        mark_payout_paid(payout=Payout.objects.get(), by=UserFactory())
    assert mail.outbox == []
    assert client.post("/portal/notifications/", {"wanted": ["bogus"]}).status_code == 400


def test_a_forged_or_edited_opt_out_link_turns_nothing_off(client, django_capture_on_commit_callbacks):
    host = host_in("en")
    PartyFactory(host=host, starts_at=timezone.now() - timedelta(days=1))
    run_job(django_capture_on_commit_callbacks)
    token = opt_out_link(mail.outbox[0].body).rstrip("/").rsplit("/", 1)[1]
    edited = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")

    unknown_account = opt_out_token(OptOutRequest(kind="host_earned", user_id=host.user_id + 1000))
    for bad in (edited, "eyJrIjoiaG9zdF9lYXJuZWQiLCJ1IjoxfQ:forged:sig", "nope", unknown_account):
        assert client.post(f"/notifications/stop/{bad}/").status_code == 404
    assert not OptOut.objects.exists()


def test_a_message_turned_off_after_it_was_queued_is_not_sent(django_capture_on_commit_callbacks):
    guest = GuestFactory(party=PartyFactory(starts_at=timezone.now() + timedelta(days=5)))
    with django_capture_on_commit_callbacks() as queued:
        send_due_notifications()  # queued; the e-mail task has not run yet
    OptOut.objects.create(kind="guest_invitation", guest=guest)
    assert len(queued) == 1
    queued[0]()  # the task runs
    assert mail.outbox == []


def test_the_job_run_again_sends_nothing_more(django_capture_on_commit_callbacks):
    now = timezone.now()
    host = host_in("fr")
    soon = PartyFactory(host=host, starts_at=now + timedelta(hours=20))
    for _ in range(3):
        guest = GuestFactory(party=soon)
        Guest.objects.filter(pk=guest.pk).update(created_at=now - timedelta(days=3))
    held = PartyFactory(host=host, starts_at=now - timedelta(days=2), status=PartyStatus.HELD)
    GuestFactory(party=held, marketing_consent_at=now)
    PartyFactory(host=host, starts_at=now - timedelta(days=1))
    delivered_kit(host, due_in_days=0)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = len(mail.outbox)
    assert first == 3 + 3 + 1 + 1 + 1  # invitations, reminders, thank-you, report reminder, kit
    for _ in range(2):
        assert run_job(django_capture_on_commit_callbacks) == {}
    assert len(mail.outbox) == first


def test_export_shows_and_erasure_removes_what_notifications_hold_and_nothing_is_sent_again(
    django_capture_on_commit_callbacks,
):
    email = "zoe@example.com"
    host = host_in("fr", application__email=email)
    party = PartyFactory(host=host, starts_at=timezone.now() - timedelta(days=1))
    other = PartyFactory(starts_at=timezone.now() + timedelta(days=5))
    guest = GuestFactory(party=other, email=email)
    run_job(django_capture_on_commit_callbacks)
    OptOut.objects.create(kind="host_earned", user=host.user)
    OptOut.objects.create(kind="guest_thanks", guest=guest)
    bystander = GuestFactory(party=other)
    run_job(django_capture_on_commit_callbacks)
    assert SentNotification.objects.filter(guest=bystander).exists()
    mail.outbox = []
    exported = export_personal_data(email=email, by=UserFactory())
    assert exported["hosts"][0]["notifications_sent"][0]["kind"] == "host_report_reminder"
    assert exported["account"]["notifications_turned_off"][0]["kind"] == "host_earned"
    [registration] = exported["guest_registrations"]
    assert [sent["kind"] for sent in registration["notifications_sent"]] == ["guest_invitation"]
    assert [off["kind"] for off in registration["notifications_turned_off"]] == ["guest_thanks"]

    summary = erase_personal_data(email=email, by=UserFactory(), reason="asked")

    assert summary.notifications == 4  # the report reminder, the invitation and two choices
    assert not SentNotification.objects.filter(host=host).exists()
    assert not SentNotification.objects.filter(guest=guest).exists()
    assert (
        not OptOut.objects.filter(user=host.user).exists() and not OptOut.objects.filter(guest=guest).exists()
    )
    assert SentNotification.objects.filter(guest=bystander).exists()
    assert run_job(django_capture_on_commit_callbacks) == {}
    assert party.pk and mail.outbox == []


def test_a_fact_announced_twice_is_told_once(django_capture_on_commit_callbacks):
    party = PartyFactory(starts_at=timezone.now() + timedelta(days=4), status=PartyStatus.CANCELLED)
    GuestFactory(party=party)

    with django_capture_on_commit_callbacks(execute=True):
        assert notify_party_cancelled(party=party) == 1
        assert notify_party_cancelled(party=party) == 0

    assert len(mail.outbox) == 1
    assert SentNotification.objects.get().about == f"party:{party.pk}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_jobs_running_at_the_same_time_send_each_notification_once():
    party = PartyFactory(starts_at=timezone.now() + timedelta(days=4))
    guests = [GuestFactory(party=party) for _ in range(5)]
    barrier = threading.Barrier(4)
    errors = []

    def run():
        try:
            barrier.wait()
            send_due_notifications()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(message.to[0] for message in mail.outbox) == sorted(guest.email for guest in guests)
    assert SentNotification.objects.count() == len(guests)
