"""Sending a delivery: one signed POST, its answer logged, the next attempt planned.

A 2xx answer within `WEBHOOK_TIMEOUT_SECONDS` is a success; anything else (another status, a
redirect, a timeout, a refused connection, an address no longer public) is a failure, retried after
1 minute, then 2, 4, ... at most an hour apart, until the delivery's `retry_until` (a day after the
event); then the delivery has failed. The endpoint counts its failures since its last success: failing
for `WEBHOOK_DISABLE_AFTER_HOURS` and `WEBHOOK_DISABLE_AFTER_FAILURES` attempts in a row, it is disabled
and the admins are e-mailed. Events may arrive in any order, and more than once: receivers dedupe by
the event id.

Attempts are tasks: the first is queued when the event's transaction commits, each retry with
`run_after` where the task backend can defer; `send_due_webhooks` (a task and a command, run every
minute) sends whatever is due, so a lost task only delays a delivery. A delivery is claimed before
its request (a conditional update), so two workers never send the same attempt.
"""

import json
import time
from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from backend.errors import Invalid
from backend.mail import send_email_on_commit
from webhooks.addresses import check_endpoint_url
from webhooks.emails import admins_to_tell, endpoint_disabled_email
from webhooks.models import Delivery, DeliveryAttempt, DeliveryStatus, Endpoint
from webhooks.signing import EVENT_ID_HEADER, SIGNATURE_HEADER, signature_header

FIRST_RETRY_SECONDS = 60
LONGEST_RETRY_SECONDS = 3600
USER_AGENT = "Soiree-Webhooks/1"


def retry_delay(failed_attempts: int) -> timedelta:
    """How long after its n-th failed attempt a delivery is tried again: 1 min, 2, 4, ... at most 1 h."""
    return timedelta(
        seconds=min(FIRST_RETRY_SECONDS * 2 ** max(failed_attempts - 1, 0), LONGEST_RETRY_SECONDS)
    )


def delivery_body(delivery: Delivery) -> bytes:
    """The JSON sent: the event's stable id, type, creation time (unix seconds) and data."""
    event = delivery.event
    body = {
        "id": event.public_id,
        "type": event.type,
        "created": int(event.created_at.timestamp()),
        "data": event.payload,
    }
    return json.dumps(body, separators=(",", ":"), sort_keys=True).encode()


def queue_attempt(*, delivery_id: int, at: datetime | None = None) -> None:
    """Queue an attempt once the current transaction commits (deferred to `at` where the backend can)."""

    def enqueue() -> None:
        if at is None:
            deliver_webhook.enqueue(delivery_id=delivery_id)
        elif deliver_webhook.get_backend().supports_defer:
            deliver_webhook.using(run_after=at).enqueue(delivery_id=delivery_id)

    transaction.on_commit(enqueue)


def _claim(delivery_id: int, at: datetime) -> bool:
    """Take the delivery if it is due (pushing its next attempt past this one's longest wait)."""
    lease = timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS + 60)
    endpoint_id = Delivery.objects.filter(pk=delivery_id).values_list("endpoint_id", flat=True).first()
    if endpoint_id is None or not Endpoint.objects.filter(pk=endpoint_id, is_active=True).exists():
        return False
    # The row's own columns only: a join would make the update an `IN (subquery)` that PostgreSQL does
    # not check again once a concurrent claim commits, and both workers would send.
    return bool(
        Delivery.objects.filter(
            pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=at
        ).update(next_attempt_at=at + lease)
    )


def _post(delivery: Delivery, at: datetime) -> tuple[int | None, str]:
    """Send the request: the status code (None without an answer) and what went wrong, if anything."""
    endpoint = delivery.endpoint
    try:
        check_endpoint_url(endpoint.url)
    except Invalid as refused:
        return None, f"address refused: {refused.code}"
    body = delivery_body(delivery)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        EVENT_ID_HEADER: delivery.event.public_id,
        SIGNATURE_HEADER: signature_header(secret=endpoint.secret, timestamp=int(at.timestamp()), body=body),
    }
    try:
        response = requests.post(
            endpoint.url,
            data=body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.Timeout:
        return None, "timeout"
    except requests.RequestException as error:
        return None, f"request failed: {type(error).__name__}"
    response.close()
    return response.status_code, "" if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"


def attempt_delivery(*, delivery_id: int, at: datetime | None = None) -> DeliveryAttempt | None:
    """Send the delivery if it is due and its endpoint active; log the attempt and plan what follows.
    None when there was nothing to send (already sent, not due, endpoint disabled)."""
    at = at or timezone.now()
    if not _claim(delivery_id, at):
        return None
    delivery = Delivery.objects.select_related("event", "endpoint").get(pk=delivery_id)
    started = time.monotonic()
    status_code, error = _post(delivery, at)
    duration_ms = round((time.monotonic() - started) * 1000)
    return _record_attempt(delivery_id, at=at, status_code=status_code, error=error, duration_ms=duration_ms)


@transaction.atomic
def _record_attempt(
    delivery_id: int, *, at: datetime, status_code: int | None, error: str, duration_ms: int
) -> DeliveryAttempt:
    delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
    endpoint = Endpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
    succeeded = not error
    attempt = DeliveryAttempt.objects.create(
        delivery=delivery,
        at=at,
        status_code=status_code,
        duration_ms=duration_ms,
        succeeded=succeeded,
        error=error[:200],
    )
    delivery.attempt_count += 1
    delivery.last_status_code = status_code
    delivery.last_attempt_at = at
    gave_up = False
    if succeeded:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.delivered_at = at
        delivery.next_attempt_at = None
        endpoint.failing_since = None
        endpoint.consecutive_failures = 0
    else:
        retry_at = at + retry_delay(delivery.attempt_count)
        gave_up = retry_at > delivery.retry_until
        if gave_up:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = retry_at
            queue_attempt(delivery_id=delivery.pk, at=retry_at)
        endpoint.failing_since = endpoint.failing_since or at
        endpoint.consecutive_failures += 1
    delivery.save(
        update_fields=[
            "attempt_count",
            "last_status_code",
            "last_attempt_at",
            "status",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    endpoint.save(update_fields=["failing_since", "consecutive_failures"])
    if not succeeded and endpoint.is_active and _failing_for_too_long(endpoint, at, gave_up=gave_up):
        _disable_failing_endpoint(endpoint, at)
    return attempt


def _failing_for_too_long(endpoint: Endpoint, at: datetime, *, gave_up: bool) -> bool:
    """Sustained failure: enough attempts in a row, failing for long enough or until a delivery gave up."""
    if (
        endpoint.failing_since is None
        or endpoint.consecutive_failures < settings.WEBHOOK_DISABLE_AFTER_FAILURES
    ):
        return False
    return gave_up or at - endpoint.failing_since >= timedelta(hours=settings.WEBHOOK_DISABLE_AFTER_HOURS)


def _disable_failing_endpoint(endpoint: Endpoint, at: datetime) -> None:
    endpoint.is_active = False
    endpoint.disabled_at = at
    endpoint.disabled_reason = f"{endpoint.consecutive_failures} attempts in a row failed since {endpoint.failing_since:%Y-%m-%d %H:%M} UTC"
    endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason"])
    for user_id in admins_to_tell():
        send_email_on_commit(build=endpoint_disabled_email, object_id=f"{endpoint.pk}:{user_id}")


def send_due_deliveries(*, at: datetime | None = None) -> int:
    """Attempt every delivery due by `at` to an active endpoint, oldest first; returns how many were sent."""
    at = at or timezone.now()
    due = Delivery.objects.filter(
        status=DeliveryStatus.PENDING, next_attempt_at__lte=at, endpoint__is_active=True
    ).order_by("next_attempt_at", "pk")
    return sum(
        attempt_delivery(delivery_id=delivery_id, at=at) is not None
        for delivery_id in due.values_list("pk", flat=True)[:1000]
    )


@task()
def deliver_webhook(*, delivery_id: int) -> None:
    attempt_delivery(delivery_id=delivery_id)


@task()
def send_due_webhooks() -> int:
    return send_due_deliveries()
