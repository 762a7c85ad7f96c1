"""Background tasks keep no personal data (SPEC §13): their stored arguments are ids, e-mails are built
when they leave, and finished results are purged like the rest. Checked by reading every table."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from ambassadors.models import Application, CampaignStatus, CampaignStatusChange
from ambassadors.recruitment.selection import select_application
from ambassadors.recruitment.services import reject_application
from backend.task_results import purge_task_results, purge_task_results_task
from referrals.tasks import purge_clicks_task
from tests import factories

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Two people whose data the retention purges remove (unusual words, so a find is theirs).
APPLICANT = {"first_name": "Zephyrine", "last_name": "Quillonet", "email": "zephyrine.q@example.com"}
APPLICANT_PHONE = "+33611223344"
GUEST = {"first_name": "Ombeline", "last_name": "Vartanian", "email": "ombeline.v@example.org"}
GUEST_PHONE = "+33699887766"


def every_table_as_text() -> dict[str, str]:
    """Every row of every table of the database, as text, by table."""
    dump = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - our own table names
            dump[table] = "\n".join(repr(row) for row in cursor.fetchall())
    return dump


def tables_holding(dump: dict[str, str], *needles: str) -> dict[str, list[str]]:
    found = {table: [n for n in needles if n.lower() in text.lower()] for table, text in dump.items()}
    return {table: needles for table, needles in found.items() if needles}


def apply(campaign, person: dict[str, str], phone: str) -> Application:
    response = APIClient().post(
        f"/api/v1/public/campaigns/{campaign.slug}/applications/",
        {
            **person,
            "phone": phone,
            "address_line1": "3 impasse des Tilleuls",
            "postal_code": "44000",
            "city": "Nantes",
            "country": "FR",
            "expected_guests": 12,
            "accept_terms": True,
            "social_network": "instagram",
            "social_handle": "@someone",
            "social_profile_url": "https://instagram.com/someone",
            "follower_count": 1500,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    return Application.objects.get(email=person["email"])


def run_the_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")


@pytest.mark.django_db(transaction=True)
def test_after_the_purges_no_table_holds_a_purged_persons_data_or_a_signin_link(settings):
    # given tasks stored in the database and run by the worker, as in production
    settings.TASKS = DATABASE_TASKS
    campaign = factories.CampaignFactory()
    rejected = apply(campaign, APPLICANT, APPLICANT_PHONE)
    chosen = apply(
        campaign, {"first_name": "Clara", "last_name": "Host", "email": "clara@example.com"}, "+33600000001"
    )
    reject_application(application=rejected, by=None, reason="Too far from a shop")
    host = select_application(application=chosen, by=None)
    party = factories.PartyFactory(host=host)
    response = APIClient().post(
        f"/api/v1/public/parties/{party.public_token}/guests/",
        {**GUEST, "phone": GUEST_PHONE, "accept_terms": True},
        format="json",
    )
    assert response.status_code == 201, response.json()
    run_the_worker()

    # the e-mails said what they always said, to whom they always went
    sent = {message.to[0]: message for message in mail.outbox}
    assert set(sent) == {APPLICANT["email"], "clara@example.com", GUEST["email"]}
    assert len(mail.outbox) == 5  # two "received", the rejection, the invitation, the guest's
    applicant_mails = [m.body for m in mail.outbox if m.to == [APPLICANT["email"]]]
    assert all("Hello Zephyrine," in body for body in applicant_mails)
    assert any("Too far from a shop" in body for body in applicant_mails)
    assert "Hello Ombeline," in sent[GUEST["email"]].body and "/p/withdraw/" in sent[GUEST["email"]].body
    signin_link = re.search(r"http://testserver/signin/\S+", sent["clara@example.com"].body)
    assert signin_link, sent["clara@example.com"].body
    token = signin_link.group(0).rstrip("/").rsplit("/", 1)[-1]
    assert DBTaskResult.objects.successful().count() == 5
    assert tables_holding(every_table_as_text(), APPLICANT["email"])  # the dump does see rows

    # when the campaign closed long ago and the retention purges run
    CampaignStatusChange.objects.create(
        campaign=campaign,
        from_status=campaign.status,
        to_status=CampaignStatus.CLOSED,
        at=timezone.now() - timedelta(days=1000),
    )
    campaign.__class__.objects.filter(pk=campaign.pk).update(status=CampaignStatus.CLOSED)
    call_command("purge_applications")
    call_command("purge_guests")

    # then no table, the task results included, holds either person's data, nor the one-time link
    purged_people = [*APPLICANT.values(), *GUEST.values(), APPLICANT_PHONE[3:], GUEST_PHONE[3:]]
    assert tables_holding(every_table_as_text(), *purged_people, token) == {}


@pytest.fixture
def results(db, settings):
    """Task results of every state and age, in the database backend's table."""
    settings.TASKS = DATABASE_TASKS
    now = timezone.now()

    def result(status: str, finished_days_ago: int | None) -> str:
        row = DBTaskResult.objects.get(pk=purge_clicks_task.enqueue().id)
        finished_at = None if finished_days_ago is None else now - timedelta(days=finished_days_ago)
        DBTaskResult.objects.filter(pk=row.pk).update(status=status, finished_at=finished_at)
        return str(row.pk)

    return {
        "old successful": result("SUCCESSFUL", 20),
        "old failed": result("FAILED", 15),
        "recent successful": result("SUCCESSFUL", 2),
        "ready": result("READY", None),
        "running": result("RUNNING", None),
    }


def remaining(results: dict[str, str]) -> set[str]:
    ids = {str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)}
    return {name for name, pk in results.items() if pk in ids}


def test_finished_task_results_older_than_the_retention_period_are_deleted_once(results, settings):
    settings.TASK_RESULT_RETENTION_DAYS = 14

    assert (purge_task_results(), purge_task_results()) == (2, 0)

    assert remaining(results) == {"recent successful", "ready", "running"}


def test_the_task_results_purge_runs_as_a_command_and_a_task(results, settings):
    settings.TASK_RESULT_RETENTION_DAYS = 14
    call_command("purge_task_results")
    assert remaining(results) == {"recent successful", "ready", "running"}

    call_command("purge_task_results", "--days", "1")
    assert remaining(results) == {"ready", "running"}

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert purge_task_results_task.enqueue().return_value == 0
