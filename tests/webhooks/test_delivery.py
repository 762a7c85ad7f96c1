"""The sender against a local receiver over real HTTP: signed as README says, retried with backoff
after 500s and timeouts, given up after a day, the endpoint disabled with the admins told, resent."""

import json
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.db import transaction

from backend.models import User
from referrals.rewards.services import adjust_rewards
from tests.factories import HostFactory
from webhooks.models import Delivery, DeliveryStatus, Endpoint, Event
from webhooks.sending import send_due_deliveries

README = Path(__file__).resolve().parents[2] / "README.md"
pytestmark = pytest.mark.django_db


def readme_verifier():
    """The verification snippet exactly as README shows it, run as a receiver would paste it."""
    text = README.read_text()
    marker = text.index("<!-- webhook-verification-snippet")
    code = re.search(r"```python\n(.*?)```", text[marker:], re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "README snippet", "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace["verify_soiree_webhook"]


def approve_a_reward(django_capture_on_commit_callbacks, host=None):
    """A real fact (a manual adjustment is approved at once); its delivery leaves on commit."""
    host = host or HostFactory()
    with django_capture_on_commit_callbacks(execute=True):
        entry = adjust_rewards(host=host, amount=Decimal("12.50"), reason="great photos", by=None)
    return entry


def retry_due(django_capture_on_commit_callbacks, delivery):
    delivery.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_due_deliveries(at=delivery.next_attempt_at)
    delivery.refresh_from_db()
    return sent


def test_a_delivery_is_signed_as_the_readme_snippet_verifies(
    receiver, endpoint, django_capture_on_commit_callbacks
):
    # when
    entry = approve_a_reward(django_capture_on_commit_callbacks)

    # then the receiver got one POST, and README's own code accepts it with the endpoint's secret
    (request,) = receiver.received
    verify = readme_verifier()
    event = verify(request.body, request.headers["Soiree-Signature"], endpoint.secret)
    stored = Event.objects.get()
    assert event["id"] == request.headers["Soiree-Event-Id"] == stored.public_id
    assert event["type"] == "reward.approved"
    assert event["data"] == {
        "ledger_entry_id": entry.pk,
        "host_id": entry.host_id,
        "campaign_id": entry.campaign_id,
        "kind": "adjustment",
        "amount": "12.50",
        "currency": "EUR",
    }
    assert request.headers["Content-Type"] == "application/json"
    # ...and refuses a body changed in transit, another secret, a forged header
    with pytest.raises(ValueError):
        verify(request.body.replace(b"12.50", b"99.50"), request.headers["Soiree-Signature"], endpoint.secret)
    with pytest.raises(ValueError):
        verify(request.body, request.headers["Soiree-Signature"], "whsec_someone-else")
    with pytest.raises(ValueError):
        verify(request.body, "v1=deadbeef", endpoint.secret)
    assert Delivery.objects.get().status == DeliveryStatus.SUCCEEDED


def test_nothing_is_sent_or_recorded_when_the_fact_rolls_back(
    receiver, endpoint, django_capture_on_commit_callbacks
):
    host = HostFactory()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        adjust_rewards(host=host, amount=Decimal("5.00"), reason="a mistake", by=None)
        raise RuntimeError("the transaction fails after the fact")

    assert receiver.received == []
    assert not Event.objects.exists() and not Delivery.objects.exists()


def test_a_500_is_retried_with_exponential_backoff_until_it_succeeds(
    receiver, endpoint, django_capture_on_commit_callbacks
):
    # given the receiver fails twice
    receiver.answer_next(500, 503)
    approve_a_reward(django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    first = delivery.last_attempt_at
    assert (delivery.status, delivery.last_status_code) == (DeliveryStatus.PENDING, 500)
    assert delivery.next_attempt_at == first + timedelta(minutes=1)

    # when the worker looks before the retry is due, nothing is sent
    assert send_due_deliveries(at=first + timedelta(seconds=59)) == 0

    # then the retries come 1 minute, then 2 minutes after the failures
    assert retry_due(django_capture_on_commit_callbacks, delivery) == 1
    assert delivery.next_attempt_at == first + timedelta(minutes=1 + 2)
    assert retry_due(django_capture_on_commit_callbacks, delivery) == 1
    assert (delivery.status, delivery.attempt_count, delivery.last_status_code) == (
        DeliveryStatus.SUCCEEDED,
        3,
        200,
    )
    # the same event each time: the receiver dedupes by its id
    assert len(set(receiver.event_ids)) == 1 and len(receiver.received) == 3
    assert Endpoint.objects.get().consecutive_failures == 0


def test_a_timeout_counts_as_a_failure_and_is_retried(receiver, endpoint, django_capture_on_commit_callbacks):
    receiver.answer_next(("sleep", 1.0, 200))  # answers after the sender's 0.5 s

    approve_a_reward(django_capture_on_commit_callbacks)

    delivery = Delivery.objects.get()
    attempt = delivery.attempts.get()
    assert (attempt.succeeded, attempt.status_code, attempt.error) == (False, None, "timeout")
    assert attempt.duration_ms >= 500
    assert delivery.status == DeliveryStatus.PENDING
    retry_due(django_capture_on_commit_callbacks, delivery)
    assert delivery.status == DeliveryStatus.SUCCEEDED


def test_a_redirect_is_a_failure_not_followed(receiver, endpoint, django_capture_on_commit_callbacks):
    receiver.answer_next(302)

    approve_a_reward(django_capture_on_commit_callbacks)

    attempt = Delivery.objects.get().attempts.get()
    assert (attempt.succeeded, attempt.status_code, attempt.error) == (False, 302, "HTTP 302")


def test_a_failing_endpoint_is_given_up_after_a_day_then_disabled_and_the_admins_told(
    receiver, endpoint, admin_user_role, django_capture_on_commit_callbacks
):
    # given a French-speaking superuser besides the admin, and a receiver that always fails
    User.objects.create_superuser(email="root@staff.example.com", password="x", language="fr")
    receiver.plan.extend([500] * 40)
    approve_a_reward(django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    started = delivery.last_attempt_at

    # when the worker sends every retry as it falls due
    while delivery.status == DeliveryStatus.PENDING:
        assert retry_due(django_capture_on_commit_callbacks, delivery) == 1
        if delivery.attempt_count == 20:  # the threshold of failures, but only 17 hours of them
            assert Endpoint.objects.get().is_active

    # then it was tried for (nearly) a day: 1, 2, 4 ... 32 minutes apart, then hourly
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempt_count == 29 == len(receiver.received)
    assert timedelta(hours=23) <= delivery.last_attempt_at - started <= timedelta(hours=24)
    endpoint = Endpoint.objects.get()
    assert not endpoint.is_active and endpoint.disabled_at == delivery.last_attempt_at
    assert endpoint.consecutive_failures == 29
    assert sorted(message.to[0] for message in mail.outbox) == [
        "admin@staff.example.com",
        "root@staff.example.com",
    ]
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert by_recipient["admin@staff.example.com"].subject == "A webhook endpoint was disabled"
    assert (
        by_recipient["root@staff.example.com"].subject == "Un point de réception de webhooks a été désactivé"
    )
    assert endpoint.url in by_recipient["admin@staff.example.com"].body

    # and a new fact is no longer sent to it
    approve_a_reward(django_capture_on_commit_callbacks)
    assert len(receiver.received) == 29


def test_events_arrive_in_any_order_each_once_delivered(
    receiver, endpoint, django_capture_on_commit_callbacks
):
    # given the first event's first attempt fails, the second event goes through at once
    receiver.answer_next(500)
    host = HostFactory()
    approve_a_reward(django_capture_on_commit_callbacks, host=host)
    approve_a_reward(django_capture_on_commit_callbacks, host=host)
    first, second = Delivery.objects.order_by("event__created_at", "pk")

    # when the first is retried
    retry_due(django_capture_on_commit_callbacks, first)

    # then the receiver saw the second event before the first one succeeded
    bodies = [json.loads(request.body) for request in receiver.received]
    assert [body["id"] for body in bodies] == [
        first.event.public_id,
        second.event.public_id,
        first.event.public_id,
    ]
    assert bodies[1]["created"] >= bodies[0]["created"]  # `created` orders them, not the arrival


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_on_one_due_delivery_send_it_once(receiver, endpoint):
    import threading

    from django.db import connection

    from webhooks.sending import attempt_delivery

    # given a delivery due now, and a slow receiver
    with transaction.atomic():
        adjust_rewards(
            host=HostFactory(), amount=Decimal("4.00"), reason="x", by=None
        )  # attempt queued, then sent
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING, next_attempt_at=delivery.created_at
    )
    receiver.received.clear()
    receiver.answer_next(("sleep", 0.3, 200))
    results = []

    def work():
        try:
            results.append(attempt_delivery(delivery_id=delivery.pk))
        finally:
            connection.close()

    # when two workers take it at once
    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    # then one sent it, the other found it taken
    assert len(receiver.received) == 1
    assert sorted(result is None for result in results) == [False, True]
