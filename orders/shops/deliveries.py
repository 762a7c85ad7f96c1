"""Shops' webhook deliveries (Shopify, WooCommerce): verify, store once, dispatch by topic (SPEC §6, §15).

Both platforms sign the raw body the same way: base64 of its HMAC-SHA256 with the shop's secret.
- A missing or wrong signature answers 401 and writes nothing (`DeliveryRejected`); so does, with
  the very same answer, an unknown endpoint or one whose secret no longer decrypts: nobody learns
  from outside which addresses have a secret (the log says which case it was). Once signed, a body
  that is not a JSON object answers 400.
- Each delivery is stored once per (endpoint, delivery id) by a unique constraint; a repeated
  delivery answers 200 and changes nothing. A topic without a handler is stored and acknowledged.
- A handler's `DomainError` (e.g. a refund above what was paid) is kept on the event as `refused`
  and answered 200: the shop would retry forever, then drop the subscription. Any other failure is
  recorded as `failed` and answered 500, so the shop retries (an order not yet arrived, a crash).
"""

import base64
import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from typing import Any

from cryptography.fernet import InvalidToken
from django.db import transaction
from django.utils import timezone

from backend.errors import DomainError
from backend.prepared import Prepared
from orders.deliveries_store import insert_unless_stored, record_unsuccessful_attempt
from orders.models import ShopEndpoint, ShopEvent, ShopEventStatus
from orders.shops.secrets import decrypt_secret

logger = logging.getLogger(__name__)

# A handler receives the endpoint and the delivery's JSON object, and answers the outcome.
TopicHandler = Callable[[ShopEndpoint, dict[str, Any]], str]


class DeliveryRejected(Exception):
    """`message`, `code` and `status` answer the sender; `reason` is for the log only."""

    def __init__(
        self, message: str, code: str, status: int, *, reason: str = "", misconfigured: bool = False
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.reason = reason or message
        self.misconfigured = misconfigured  # our side is wrong, not the sender: logged as an error


def _bad_signature(reason: str, *, misconfigured: bool = False) -> DeliveryRejected:
    """The one answer when no configured secret signed the delivery: a wrong or missing signature,
    an endpoint that does not exist (no secret for that address) or a secret that no longer
    decrypts all look the same from outside; `reason` tells the operator which it was."""
    return DeliveryRejected(
        "The signature is missing or wrong.", "bad_signature", 401, reason=reason, misconfigured=misconfigured
    )


# Read on every delivery: compiled once (see backend.prepared).
_ENDPOINT: Prepared[ShopEndpoint] = Prepared(
    ShopEndpoint, lambda platform, slug: ShopEndpoint.objects.filter(platform=platform, slug=slug).order_by()
)


def get_endpoint(*, slug: str, platform: str) -> ShopEndpoint:
    found = _ENDPOINT.run(platform, slug)  # the slug is unique: one row at most
    if not found:
        raise _bad_signature(f"no {platform} endpoint has the slug {slug!r}")
    return found[0]


def signature_of(*, body: bytes, secret: str) -> str:
    """base64(HMAC-SHA256(body, secret)): how Shopify and WooCommerce sign a delivery."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def verify_delivery(*, endpoint: ShopEndpoint, body: bytes, signature: str | None) -> dict[str, Any]:
    """The delivery's JSON object once its signature is checked (constant time), or DeliveryRejected."""
    try:
        secret = decrypt_secret(endpoint.encrypted_secret)
    except InvalidToken:
        raise _bad_signature(
            f"the secret of endpoint {endpoint.slug!r} does not decrypt: SECRET_KEY changed without "
            "the old key in SECRET_KEY_FALLBACKS; set the secret again",
            misconfigured=True,
        ) from None
    expected = signature_of(body=body, secret=secret)
    if not signature or not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise _bad_signature("the signature is missing or wrong")
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise DeliveryRejected("The body is not JSON.", "bad_payload", 400) from None
    if not isinstance(payload, dict):
        raise DeliveryRejected("The body is not a JSON object.", "bad_payload", 400)
    return payload


class _HandlerFailed(Exception):
    """A handler raised `error`: its transaction is undone, the outcome recorded apart."""

    def __init__(self, error: Exception):
        super().__init__(str(error))
        self.error = error


def process_delivery(
    *,
    endpoint: ShopEndpoint,
    delivery_id: str,
    topic: str,
    payload: dict[str, Any],
    handlers: dict[str, TopicHandler],
) -> tuple[ShopEvent, bool]:
    """Store the delivery once and apply it; returns (stored event, was this a repeated delivery).

    The event row is locked while it is processed, so concurrent deliveries of one event wait and
    then find it done. A failure rolls back the handler's writes but keeps the event.

    A new delivery is inserted as the outcome its handler most often has (processed, or ignored
    when no handler takes its topic) and changed only when the handler answers otherwise: one
    write. A refusal or a failure undoes the whole transaction, the delivery's row included, and is
    then recorded on its own (`record_unsuccessful_attempt`): the success path needs no savepoint.
    """
    handler = handlers.get(topic)
    expected = ShopEventStatus.PROCESSED if handler else ShopEventStatus.IGNORED
    try:
        with transaction.atomic():
            stored = ShopEvent(
                endpoint=endpoint,
                delivery_id=delivery_id,
                topic=topic,
                payload=payload,
                status=expected,
                attempts=1,
                processed_at=timezone.now(),
            )
            if insert_unless_stored(stored, unique_fields=("endpoint", "delivery_id")):
                outcome = _apply(handler, endpoint, payload)
                if outcome != stored.status:
                    stored.status = outcome
                    stored.save(update_fields=["status"])
                return stored, False
            stored = ShopEvent.objects.select_for_update().get(endpoint=endpoint, delivery_id=delivery_id)
            if stored.status != ShopEventStatus.FAILED:
                return stored, True
            stored.attempts += 1
            stored.status = _apply(handler, endpoint, payload)
            stored.error = ""
            stored.processed_at = timezone.now()
            stored.save(update_fields=["status", "error", "attempts", "processed_at"])
            return stored, False
    except _HandlerFailed as failed:
        error = failed.error
    stored = ShopEvent(endpoint=endpoint, delivery_id=delivery_id, topic=topic, payload=payload, attempts=1)
    if isinstance(error, DomainError):
        stored.status = ShopEventStatus.REFUSED
        stored.error = f"{error.code}: {error.message}"[:2000]
        stored.processed_at = timezone.now()
    else:
        logger.exception(
            "shop delivery processing failed",
            extra={"endpoint": endpoint.slug, "delivery": delivery_id},
            exc_info=error,
        )
        stored.status = ShopEventStatus.FAILED
        stored.error = f"{type(error).__name__}: {error}"[:2000]
    record_unsuccessful_attempt(
        stored, unique_fields=("endpoint", "delivery_id"), failed_status=ShopEventStatus.FAILED
    )
    return stored, False


def _apply(handler: TopicHandler | None, endpoint: ShopEndpoint, payload: dict[str, Any]) -> str:
    """The handler's outcome; any exception it raises (a refusal too) becomes `_HandlerFailed`."""
    if handler is None:
        return ShopEventStatus.IGNORED
    try:
        return handler(endpoint, payload)
    except Exception as error:
        raise _HandlerFailed(error) from error
