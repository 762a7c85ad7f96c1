"""Outgoing webhooks: the brand's endpoints, the facts they are told about, and every delivery.

An `Event` is written in the transaction that made the fact, with a stable public id; one `Delivery`
per endpoint subscribed to its type; one `DeliveryAttempt` per HTTP request sent (the log). Payloads
carry ids (join keys) and amounts, never a person's name or address: erasure has nothing to clear here.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    APPLICATION_RECEIVED = "application.received", _("An application was received")
    HOST_SELECTED = "host.selected", _("An applicant was selected as a host")
    KIT_SHIPPED = "kit.shipped", _("A host's kit was shipped")
    PARTY_HELD = "party.held", _("A host reported a party as held")
    ORDER_ATTRIBUTED = "order.attributed", _("An order was credited to a host")
    REWARD_APPROVED = "reward.approved", _("A reward ledger line was approved")
    PAYOUT_PAID = "payout.paid", _("A payout was paid")


class Endpoint(models.Model):
    """A URL of the brand's that receives the events it subscribed to, signed with its own secret.

    `failing_since` and `consecutive_failures` count the attempts that failed since the last success;
    past both thresholds (settings) the endpoint is disabled (`is_active` off, `disabled_at` set)."""

    url = models.CharField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list)
    secret = models.CharField(max_length=80)
    is_active = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    failing_since = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return self.url


class Event(models.Model):
    """One fact, once: `event_id` is what receivers dedupe by (a resend or a retry repeats it)."""

    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(max_length=40, choices=EventType.choices)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.type} {self.public_id}"

    @property
    def public_id(self) -> str:
        return f"evt_{self.event_id.hex}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for its next attempt")
    SUCCEEDED = "succeeded", _("The endpoint answered 2xx")
    FAILED = "failed", _("Every attempt failed for the whole retry period")


class Delivery(models.Model):
    """One event for one endpoint: attempted until a 2xx answer, retried with backoff until
    `retry_until` (a resend restarts the period)."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempt_count = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    retry_until = models.DateTimeField()
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_once_per_endpoint")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due")]

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint}"


class DeliveryAttempt(models.Model):
    """One request sent: the answer's status code (none on a timeout or a refused connection), how
    long it took, and what went wrong. The answer's body is not kept (it is the receiver's data)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts")
    at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField()
    succeeded = models.BooleanField()
    error = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"attempt {self.pk} of delivery {self.delivery_id}"
