"""`POST /webhooks/shopify/<endpoint slug>/`: a shop's order webhooks, authenticated by
`X-Shopify-Hmac-Sha256` and deduplicated by `X-Shopify-Webhook-Id` (`orders.shops.deliveries`)."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from orders.models import ShopPlatform
from orders.shopify.handlers import HANDLERS
from orders.shops.views import answer_delivery


@csrf_exempt
@require_POST
def shopify_webhook(request: HttpRequest, slug: str) -> JsonResponse:
    return answer_delivery(
        request,
        slug=slug,
        platform=ShopPlatform.SHOPIFY,
        signature_header="X-Shopify-Hmac-Sha256",
        delivery_header="X-Shopify-Webhook-Id",
        topic_header="X-Shopify-Topic",
        handlers=HANDLERS,
    )
