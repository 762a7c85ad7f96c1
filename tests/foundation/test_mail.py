"""E-mails go through a task that holds a builder's path and an id (`backend.mail`)."""

import pytest
from django.core import mail

from ambassadors.models import Guest
from ambassadors.parties.services import register_guest
from backend.mail import Email, send_built_email, send_email_on_commit
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_email_task_calls_nothing_but_an_email_builder():
    # a stored task naming any other function (here: one that would delete data) fails, calling nothing
    result = send_built_email.enqueue(builder="backend.task_results.purge_task_results", object_id=0)
    assert result.status == "FAILED"
    assert "is not an e-mail builder" in str(result.errors[0].traceback)

    def not_marked(object_id: int) -> Email:
        return Email(to="someone@example.com", template="application_received")

    with pytest.raises(ValueError, match="not a module-level function marked with @email_builder"):
        send_email_on_commit(build=not_marked, object_id=1)
    assert mail.outbox == []


def test_no_email_goes_to_someone_gone_before_the_task_ran(django_capture_on_commit_callbacks):
    # given a guest's confirmation queued, not yet sent
    party = factories.PartyFactory()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        guest = register_guest(party=party, first_name="Nina", email="nina@example.com", accept_terms=True)
    assert len(queued) == 1
    # when the guest withdraws before the worker gets to it
    Guest.objects.filter(pk=guest.pk).delete()
    result = send_built_email.enqueue(
        builder="ambassadors.parties.emails.guest_confirmation_email", object_id=guest.pk
    )
    # then the task ends well and nothing is sent (the address is no longer known)
    assert result.status == "SUCCESSFUL"
    assert mail.outbox == []


def test_plain_text_emails_keep_what_was_typed_unescaped(django_capture_on_commit_callbacks):
    # given a party whose title and guest name hold characters HTML would escape
    party = factories.PartyFactory(title="Apéro tricot & vin <chez moi>", city="Lille")
    with django_capture_on_commit_callbacks(execute=True):
        register_guest(party=party, first_name='Zoé "Zo" O\'Neil', email="zoe@example.com", accept_terms=True)
    # then the subject and the plain-text body read exactly as typed
    (message,) = mail.outbox
    assert "Apéro tricot & vin <chez moi>" in message.subject
    assert "Apéro tricot & vin <chez moi>" in message.body
    assert 'Zoé "Zo" O\'Neil' in message.body
    assert "&amp;" not in message.subject + message.body
    assert "&#x27;" not in message.body and "&quot;" not in message.body
