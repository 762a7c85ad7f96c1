"""`POST /webhooks/woocommerce/<endpoint slug>/`: a shop's order webhooks, authenticated by
`X-WC-Webhook-Signature` and deduplicated by `X-WC-Webhook-Delivery-ID` (`orders.shops.deliveries`).

When a webhook is saved, WooCommerce checks the URL with an unsigned ping whose whole body is
`webhook_id=<id>`: it is answered 200 and writes nothing, so the shop can save its webhook; an
unknown slug gets the same answer (and a warning in the log).
"""

import logging
import re

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from orders.models import ShopEndpoint, ShopPlatform
from orders.shops.views import answer_delivery
from orders.woocommerce.handlers import HANDLERS

logger = logging.getLogger(__name__)

_PING = re.compile(rb"webhook_id=\d{1,20}")


@csrf_exempt
@require_POST
def woocommerce_webhook(request: HttpRequest, slug: str) -> JsonResponse:
    if "X-WC-Webhook-Signature" not in request.headers and _PING.fullmatch(request.body):
        # Answered alike whatever the slug, so the ping tells nobody which endpoints exist.
        if not ShopEndpoint.objects.filter(slug=slug, platform=ShopPlatform.WOOCOMMERCE).exists():
            logger.warning("woocommerce ping for an unknown endpoint", extra={"slug": slug})
        return JsonResponse({"received": True, "ping": True})
    return answer_delivery(
        request,
        slug=slug,
        platform=ShopPlatform.WOOCOMMERCE,
        signature_header="X-WC-Webhook-Signature",
        delivery_header="X-WC-Webhook-Delivery-ID",
        topic_header="X-WC-Webhook-Topic",
        handlers=HANDLERS,
    )
