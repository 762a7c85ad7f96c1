"""The password-reset page tells nobody whether an address has an account, not even by its timing.

Proof without a stopwatch: the request never sends the e-mail itself. With the database task
backend, a known and an unknown address both leave the outbox empty and queue exactly one task
holding account ids only — no address, no link — and get the same answer; the worker sends the mail.
"""

import json
import re

import pytest
from allauth.account.forms import ResetPasswordForm
from django.core import mail
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from tests.factories import HostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_tasks(settings):
    """Tasks queued in the database, as in production, instead of run on enqueue."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def ask_for_a_reset(client, email: str):
    before = set(DBTaskResult.objects.values_list("pk", flat=True))
    response = client.post(reverse("portal:password-reset"), {"email": email})
    queued = list(DBTaskResult.objects.exclude(pk__in=before))
    return response, queued


def test_a_known_and_an_unknown_address_get_the_same_answer_and_no_mail_is_sent_in_the_request(
    client, database_tasks
):
    host = HostFactory()

    known, known_tasks = ask_for_a_reset(client, host.user.email)
    unknown, unknown_tasks = ask_for_a_reset(client, "nobody@example.com")

    # the same answer
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known["Location"] == reverse("portal:password-reset-sent")
    # nothing sent by the request, one task queued each time
    assert mail.outbox == []
    assert len(known_tasks) == len(unknown_tasks) == 1
    assert known_tasks[0].task_path == unknown_tasks[0].task_path
    # holding ids only: neither the address nor a link sits in the queue
    for queued in (known_tasks[0], unknown_tasks[0]):
        stored = json.dumps(queued.args_kwargs)
        assert "@" not in stored and "/password/reset/" not in stored
    assert known_tasks[0].args_kwargs["kwargs"] == {"user_ids": [host.user.pk]}
    assert unknown_tasks[0].args_kwargs["kwargs"] == {"user_ids": []}


def test_the_worker_sends_a_link_that_lets_the_host_choose_a_password(client, database_tasks, monkeypatch):
    # The worker closes stale connections between tasks; here its connection is the test's transaction.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    host = HostFactory()
    host.user.language = "fr"
    host.user.save()
    ask_for_a_reset(client, host.user.email)
    ask_for_a_reset(client, "nobody@example.com")

    call_command("db_worker", batch=True, no_startup_delay=True)

    assert [message.to for message in mail.outbox] == [[host.user.email]]
    assert "mot de passe" in mail.outbox[0].subject.lower()  # in the host's language
    link = re.search(r"http://testserver(/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-new-Secret-42", "new_password2": "a-new-Secret-42"},
    )
    assert done.status_code == 302
    host.user.refresh_from_db()
    assert host.user.check_password("a-new-Secret-42")


def test_allauths_reset_never_mails_an_address_that_has_no_account(db):
    # Its page is not routed; were its form reached, it still writes to nobody it does not know.
    form = ResetPasswordForm(data={"email": "nobody@example.com"})
    assert form.is_valid()

    form.save(RequestFactory().post("/"))

    assert mail.outbox == []
