"""Stripe webhook events: verify the signature, store each event once, dispatch by type (SPEC §6).

`POST /webhooks/stripe/` (`orders.stripe.views`):
- the `Stripe-Signature` header is checked by the `stripe` library against STRIPE_WEBHOOK_SECRET
  (the platform's endpoint) or STRIPE_CONNECT_WEBHOOK_SECRET (the Connect endpoint, whose events
  are the connected accounts' and have their own handlers), with a 300 s tolerance both ways (the library only refuses old timestamps; we refuse future ones
  too); any bad case answers 400 and writes nothing, and a missing signing secret is answered
  exactly like a wrong signature (the operator learns it from the log and `check --deploy`);
- the event is stored once by its id (unique constraint); a repeated delivery answers 200 and
  changes nothing; an event whose processing failed is processed again when Stripe retries;
- a processing failure is recorded on the event and answered 500, so Stripe retries.
"""

import json
import logging
import time
from typing import Any

import stripe
from django.db import transaction
from django.utils import timezone

from orders.deliveries_store import insert_unless_stored, record_unsuccessful_attempt
from orders.models import StripeEvent, StripeEventStatus
from orders.stripe.handlers import CONNECT_HANDLERS, HANDLERS, Handler, from_timestamp

logger = logging.getLogger(__name__)

SIGNATURE_TOLERANCE_SECONDS = 300


# Every signature failure, a missing signing secret included, gives the sender this one answer:
# whether a secret is configured is the operator's business (the log, `check --deploy`).
BAD_SIGNATURE_MESSAGE = "The signature is missing or wrong."


class WebhookRejected(Exception):
    """`message` and `code` answer the sender; `reason` is for the log only."""

    def __init__(self, message: str, code: str, *, reason: str = ""):
        super().__init__(message)
        self.message = message
        self.code = code
        self.reason = reason or message


def _signature_timestamp(header: str) -> int | None:
    for item in header.split(","):
        key, _, value = item.partition("=")
        if key.strip() == "t":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def verify_event(*, payload: bytes, signature: str | None, secret: str) -> dict[str, Any]:
    """The verified event as a plain dict, or WebhookRejected."""
    if not secret:
        raise WebhookRejected(
            BAD_SIGNATURE_MESSAGE, "bad_signature", reason="no signing secret is configured"
        )
    # The library checks the signature; the body is then read as the JSON it is (the library's
    # `construct_event` would build Stripe objects of it, only for us to turn them back into a dict).
    try:
        stripe.WebhookSignature.verify_header(
            payload, signature, secret, tolerance=SIGNATURE_TOLERANCE_SECONDS
        )
        data = json.loads(payload.decode("utf-8") if isinstance(payload, bytes) else payload)
    except stripe.SignatureVerificationError as error:
        raise WebhookRejected(
            BAD_SIGNATURE_MESSAGE, "bad_signature", reason=str(error.user_message or error)
        ) from None
    except (ValueError, UnicodeDecodeError, AttributeError, TypeError):
        raise WebhookRejected("The body is not a Stripe event.", "bad_payload") from None
    # What the library refuses to build: a body that is not an object, a thin (v2) notification.
    if not isinstance(data, dict) or data.get("object") == "v2.core.event":
        raise WebhookRejected("The body is not a Stripe event.", "bad_payload")
    timestamp = _signature_timestamp(signature or "")
    if timestamp is None or timestamp > time.time() + SIGNATURE_TOLERANCE_SECONDS:
        raise WebhookRejected("The signature timestamp is in the future.", "bad_signature")
    if not isinstance(data.get("id"), str) or not isinstance(data.get("type"), str):
        raise WebhookRejected("The event has no id or type.", "bad_payload")
    if not isinstance((data.get("data") or {}).get("object"), dict):
        raise WebhookRejected("The event has no data object.", "bad_payload")
    return data


def verify_delivery(
    *, payload: bytes, signature: str | None, secret: str, connect_secret: str
) -> tuple[dict[str, Any], bool]:
    """(the verified event, whether it came signed with the Connect endpoint's secret).

    The platform's endpoint and the Connect endpoint may share the URL: the signature says which
    one delivered. A delivery neither secret signed is refused by the first secret's reason.
    """
    try:
        return verify_event(payload=payload, signature=signature, secret=secret), False
    except WebhookRejected as rejected:
        if not connect_secret or rejected.code != "bad_signature":
            raise
        try:
            return verify_event(payload=payload, signature=signature, secret=connect_secret), True
        except WebhookRejected:
            raise rejected from None


class _HandlerFailed(Exception):
    """A handler raised `error`: its transaction is undone, the failure recorded apart."""

    def __init__(self, error: Exception):
        super().__init__(str(error))
        self.error = error


def process_event(*, event: dict[str, Any], connect: bool = False) -> tuple[StripeEvent, bool]:
    """Store the event once and apply it; returns (stored event, was this a repeated delivery).

    The event row is locked while it is processed, so concurrent deliveries of one event wait and
    then find it done. A failure rolls back the handler's writes but keeps the event, marked failed.

    A new event is inserted as the outcome its handler most often has (processed, or ignored when
    no handler wants its type) and changed only when the handler answers otherwise: one write. A
    failure undoes the whole transaction, the event's row included, and is then recorded in one of
    its own (`record_unsuccessful_attempt`): the success path needs no savepoint.
    """
    handler = (CONNECT_HANDLERS if connect else HANDLERS).get(event["type"])
    expected = StripeEventStatus.PROCESSED if handler else StripeEventStatus.IGNORED
    try:
        with transaction.atomic():
            # Insert-or-nothing on the unique id: a concurrent delivery of the same event waits on the
            # new row until the first one has committed, then reads and locks it, and finds it done.
            stored = _event_row(event, connect=connect, status=expected, attempts=1)
            stored.processed_at = timezone.now()
            if insert_unless_stored(stored, unique_fields=("event_id",)):
                outcome = _apply(handler, event)
                if outcome != stored.status:
                    stored.status = outcome
                    stored.save(update_fields=["status"])
                return stored, False
            stored = StripeEvent.objects.select_for_update().get(event_id=event["id"])
            if stored.status in (StripeEventStatus.PROCESSED, StripeEventStatus.IGNORED):
                return stored, True
            stored.attempts += 1
            stored.status = _apply(handler, event)
            stored.error = ""
            stored.processed_at = timezone.now()
            stored.save(update_fields=["status", "error", "attempts", "processed_at"])
            return stored, False
    except _HandlerFailed as failed:
        error = failed.error
    logger.exception("stripe event processing failed", extra={"event_id": event["id"]}, exc_info=error)
    stored = _event_row(event, connect=connect, status=StripeEventStatus.FAILED, attempts=1)
    stored.error = f"{type(error).__name__}: {error}"[:2000]
    record_unsuccessful_attempt(stored, unique_fields=("event_id",), failed_status=StripeEventStatus.FAILED)
    return stored, False


def _event_row(event: dict[str, Any], *, connect: bool, status: str, attempts: int) -> StripeEvent:
    return StripeEvent(
        event_id=event["id"],
        type=event["type"],
        livemode=bool(event.get("livemode")),
        stripe_created_at=from_timestamp(event.get("created")),
        payload=event,
        status=status,
        attempts=attempts,
        connect=connect,
    )


def _apply(handler: Handler | None, event: dict[str, Any]) -> str:
    """The handler's outcome; any exception it raises becomes `_HandlerFailed`."""
    if handler is None:
        return StripeEventStatus.IGNORED
    try:
        return handler(event["data"]["object"])
    except Exception as error:
        raise _HandlerFailed(error) from error
