"""Deployment checks of the orders app (`manage.py check --deploy`)."""

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def stripe_webhook_secret_check(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """Stripe is called but its deliveries cannot be verified: every one is refused, and the webhook
    answers Stripe exactly as it answers a forged delivery, so only this check and the log say why."""
    if settings.STRIPE_SECRET_KEY and not settings.STRIPE_WEBHOOK_SECRET:
        return [
            checks.Warning(
                "STRIPE_SECRET_KEY is set but STRIPE_WEBHOOK_SECRET is not: every Stripe webhook delivery "
                "is refused.",
                hint="Set STRIPE_WEBHOOK_SECRET to the endpoint's signing secret (whsec_...).",
                id="orders.W001",
            )
        ]
    return []
