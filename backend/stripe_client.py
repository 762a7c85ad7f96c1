"""The one configured Stripe client for every app that talks to Stripe.

`STRIPE_API_BASE` points it at a local fake server in tests; the library retries network failures
itself (with the same idempotency key), twice.
"""

from typing import Any

import stripe
from django.conf import settings


def stripe_configured() -> bool:
    """Whether a secret key is set: without one, nothing is sent to Stripe."""
    return bool(settings.STRIPE_SECRET_KEY)


def stripe_client() -> stripe.StripeClient:
    options: dict[str, Any] = {"max_network_retries": 2}
    if settings.STRIPE_API_BASE:
        options["base_addresses"] = {"api": settings.STRIPE_API_BASE}
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, **options)
