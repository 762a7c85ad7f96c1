"""The one way a shop's webhook delivery is answered; `orders.shopify.views` and
`orders.woocommerce.views` say which headers their platform uses."""

import logging

from django.http import HttpRequest, JsonResponse

from backend.errors import error_body
from orders.models import ShopEventStatus
from orders.shops.deliveries import (
    DeliveryRejected,
    TopicHandler,
    get_endpoint,
    process_delivery,
    verify_delivery,
)

logger = logging.getLogger(__name__)


def answer_delivery(
    request: HttpRequest,
    *,
    slug: str,
    platform: str,
    signature_header: str,
    delivery_header: str,
    topic_header: str,
    handlers: dict[str, TopicHandler],
) -> JsonResponse:
    try:
        endpoint = get_endpoint(slug=slug, platform=platform)
        payload = verify_delivery(
            endpoint=endpoint, body=request.body, signature=request.headers.get(signature_header)
        )
        delivery_id = (request.headers.get(delivery_header) or "").strip()[:255]
        topic = (request.headers.get(topic_header) or "").strip()[:100]
        if not delivery_id or not topic:
            raise DeliveryRejected(
                f"The {delivery_header} and {topic_header} headers are required.", "bad_headers", 400
            )
    except DeliveryRejected as rejected:
        logger.log(
            logging.ERROR if rejected.misconfigured else logging.WARNING,
            "shop webhook rejected",
            extra={"platform": platform, "slug": slug, "code": rejected.code, "reason": rejected.reason},
        )
        return JsonResponse(
            error_body(rejected.code, rejected.message, status_code=rejected.status), status=rejected.status
        )
    stored, repeated = process_delivery(
        endpoint=endpoint, delivery_id=delivery_id, topic=topic, payload=payload, handlers=handlers
    )
    if stored.status == ShopEventStatus.FAILED:
        return JsonResponse(
            error_body(
                "processing_failed", "The delivery could not be processed; retry later.", status_code=500
            ),
            status=500,
        )
    return JsonResponse({"received": True, "status": stored.status, "duplicate": repeated})
