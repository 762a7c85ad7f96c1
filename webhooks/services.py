"""The brand's endpoints, and the events recorded for them.

An event is recorded in the transaction that made its fact (a receiver of the lower app's signal), with
one delivery per active endpoint subscribed to its type; the first attempt is queued once that
transaction commits, so a rolled-back fact is never announced.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.errors import Conflict, Invalid
from backend.models import User
from webhooks.addresses import check_endpoint_url
from webhooks.models import Delivery, DeliveryStatus, Endpoint, Event, EventType
from webhooks.sending import queue_attempt
from webhooks.signing import new_endpoint_secret
from webhooks.subscriptions import may_be_wanted


def _checked_events(events: Sequence[str]) -> list[str]:
    chosen = list(dict.fromkeys(events))
    unknown = [event for event in chosen if event not in EventType.values]
    if unknown or not chosen:
        raise Invalid(
            _("Choose one or more of the events: %(events)s.") % {"events": ", ".join(EventType.values)},
            code="invalid_choice" if unknown else "required",
            field="events",
        )
    return chosen


def _description(description: str) -> str:
    description = (description or "").strip()
    if len(description) > 200:
        raise Invalid(_("At most 200 characters."), code="max_length", field="description")
    return description


@transaction.atomic
def create_endpoint(*, url: str, events: Sequence[str], by: User | None, description: str = "") -> Endpoint:
    """Register an endpoint with a fresh secret (the API shows it this once)."""
    return Endpoint.objects.create(
        url=check_endpoint_url(url),
        events=_checked_events(events),
        description=_description(description),
        secret=new_endpoint_secret(),
        created_by=by,
    )


@transaction.atomic
def update_endpoint(
    *,
    endpoint: Endpoint,
    by: User | None,
    url: str | None = None,
    events: Sequence[str] | None = None,
    description: str | None = None,
    is_active: bool | None = None,
) -> Endpoint:
    """Change what was given. Enabling a disabled endpoint starts its failure count afresh; disabling
    one stops its deliveries (they wait, and resume if it is enabled within their retry period)."""
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    changed: list[str] = []
    if url is not None:
        endpoint.url = check_endpoint_url(url)
        changed.append("url")
    if events is not None:
        endpoint.events = _checked_events(events)
        changed.append("events")
    if description is not None:
        endpoint.description = _description(description)
        changed.append("description")
    if is_active is not None and is_active != endpoint.is_active:
        endpoint.is_active = is_active
        endpoint.disabled_at = None if is_active else timezone.now()
        endpoint.disabled_reason = "" if is_active else "disabled by staff"
        endpoint.failing_since = None
        endpoint.consecutive_failures = 0
        changed += ["is_active", "disabled_at", "disabled_reason", "failing_since", "consecutive_failures"]
    if changed:
        endpoint.save(update_fields=changed)
    if is_active:
        _queue_due_deliveries(endpoint)
    return endpoint


def _queue_due_deliveries(endpoint: Endpoint) -> None:
    for delivery_id in Delivery.objects.filter(
        endpoint=endpoint, status=DeliveryStatus.PENDING, retry_until__gt=timezone.now()
    ).values_list("pk", flat=True):
        queue_attempt(delivery_id=delivery_id)


@transaction.atomic
def delete_endpoint(*, endpoint: Endpoint, by: User | None) -> None:
    """The endpoint goes with its deliveries and their log (the events stay for other endpoints)."""
    Endpoint.objects.filter(pk=endpoint.pk).delete()


def record_event(*, type: str, payloads: Sequence[dict[str, Any]], at: datetime | None = None) -> list[Event]:
    """Record one event per payload, and a delivery of each to every active endpoint subscribed to
    `type`, in the caller's transaction; attempts are queued on commit. Nothing is written when no
    endpoint wants the type, and nothing is read either when the shared cache knows that no active
    endpoint subscribes to it (`webhooks.subscriptions`)."""
    if not may_be_wanted(type):
        return []
    endpoints = [endpoint for endpoint in Endpoint.objects.filter(is_active=True) if type in endpoint.events]
    if not endpoints or not payloads:
        return []
    at = at or timezone.now()
    retry_until = at + timedelta(hours=settings.WEBHOOK_RETRY_HOURS)
    events = Event.objects.bulk_create(
        Event(type=type, payload=dict(payload), created_at=at) for payload in payloads
    )
    deliveries = Delivery.objects.bulk_create(
        Delivery(endpoint=endpoint, event=event, next_attempt_at=at, retry_until=retry_until, created_at=at)
        for event in events
        for endpoint in endpoints
    )
    for delivery in deliveries:
        queue_attempt(delivery_id=delivery.pk)
    return events


@transaction.atomic
def resend_delivery(*, delivery: Delivery, by: User | None) -> Delivery:
    """Send the event again now, with the same event id (the receiver dedupes), whatever came of it
    before; a failure is retried for a new retry period."""
    delivery = Delivery.objects.select_for_update().select_related("endpoint").get(pk=delivery.pk)
    if not delivery.endpoint.is_active:
        raise Conflict(_("The endpoint is disabled: enable it first."), code="endpoint_disabled")
    now = timezone.now()
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = now
    delivery.retry_until = now + timedelta(hours=settings.WEBHOOK_RETRY_HOURS)
    delivery.save(update_fields=["status", "next_attempt_at", "retry_until"])
    queue_attempt(delivery_id=delivery.pk)
    return delivery
