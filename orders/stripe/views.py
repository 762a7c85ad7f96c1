"""`POST /webhooks/stripe/`: Stripe's deliveries, authenticated by their signature (`orders.stripe.events`)."""

import logging

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from backend.errors import error_body
from orders.models import StripeEventStatus
from orders.stripe.events import WebhookRejected, process_event, verify_delivery

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> JsonResponse:
    try:
        event, connect = verify_delivery(
            payload=request.body,
            signature=request.headers.get("Stripe-Signature"),
            secret=settings.STRIPE_WEBHOOK_SECRET,
            connect_secret=settings.STRIPE_CONNECT_WEBHOOK_SECRET,
        )
    except WebhookRejected as rejected:
        if not settings.STRIPE_WEBHOOK_SECRET:
            logger.error(
                "stripe webhook refused: STRIPE_WEBHOOK_SECRET is not set",
                extra={"code": rejected.code, "reason": rejected.reason},
            )
        else:
            logger.warning(
                "stripe webhook rejected", extra={"code": rejected.code, "reason": rejected.reason}
            )
        return JsonResponse(error_body(rejected.code, rejected.message, status_code=400), status=400)
    stored, repeated = process_event(event=event, connect=connect)
    if stored.status == StripeEventStatus.FAILED:
        return JsonResponse(
            error_body(
                "processing_failed", "The event could not be processed; retry later.", status_code=500
            ),
            status=500,
        )
    return JsonResponse({"received": True, "status": stored.status, "duplicate": repeated})
