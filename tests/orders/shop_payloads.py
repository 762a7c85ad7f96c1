"""Shopify and WooCommerce webhook deliveries built from the providers' documented payloads
(tests/fixtures/shopify/, tests/fixtures/woocommerce/), signed as each provider signs them."""

import base64
import copy
import hashlib
import hmac
import itertools
import json
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.test import Client
from django.utils import timezone

from orders.models import ShopEndpoint, ShopPlatform
from orders.shops.services import create_shop_endpoint

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SHOPIFY_SECRET = "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"
WOOCOMMERCE_SECRET = "wc-webhook-secret-7Yx2Qp9Lm4Rt8Vb1"
_deliveries = itertools.count(1)


@cache
def _fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


def fixture(name: str) -> dict[str, Any]:
    return copy.deepcopy(_fixture(name))


def sign(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def shop(
    slug: str = "maison", platform: str = ShopPlatform.SHOPIFY, secret: str | None = None
) -> ShopEndpoint:
    if secret is None:
        secret = SHOPIFY_SECRET if platform == ShopPlatform.SHOPIFY else WOOCOMMERCE_SECRET
    return create_shop_endpoint(name=slug.title(), slug=slug, platform=platform, secret=secret)


def recent(hours: float = 1) -> datetime:
    return (timezone.now() - timedelta(hours=hours)).replace(microsecond=0)


# Shopify


def shopify_order(
    *, code: str | None = None, ref: str | None = None, when: datetime | None = None, **fields: Any
) -> dict[str, Any]:
    """The documented order, placed an hour ago unless told, with its values changed as asked."""
    order = fixture("shopify/order.json")
    moment = (when or recent()).astimezone(UTC).isoformat()
    order.update(created_at=moment, processed_at=moment, updated_at=moment)
    if code is not None:
        order["discount_codes"] = [{"code": code, "amount": "5.00", "type": "fixed_amount"}] if code else []
        for application in order["discount_applications"]:
            application["code"] = code
    if ref is not None:
        order["landing_site"] = f"/?ref={ref}" if ref else "/"
    order.update(fields)
    return order


def shopify_refund(*, order_id: Any = None, amount: str = "199.00", **fields: Any) -> dict[str, Any]:
    refund = fixture("shopify/refund.json")
    moment = recent(0.5).astimezone(UTC).isoformat()
    refund.update(created_at=moment, processed_at=moment)
    if order_id is not None:
        refund["order_id"] = order_id
    for transaction in refund["transactions"]:
        transaction.update(amount=amount, created_at=moment, processed_at=moment)
    refund.update(fields)
    return refund


def post_shopify(
    client: Client,
    payload: dict[str, Any] | bytes,
    *,
    topic: str = "orders/paid",
    slug: str = "maison",
    secret: str = SHOPIFY_SECRET,
    webhook_id: str | None = None,
    signature: str | None = None,
) -> Any:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {
        "HTTP_X_SHOPIFY_TOPIC": topic,
        "HTTP_X_SHOPIFY_HMAC_SHA256": sign(body, secret) if signature is None else signature,
        "HTTP_X_SHOPIFY_SHOP_DOMAIN": f"{slug}.myshopify.com",
        "HTTP_X_SHOPIFY_API_VERSION": "2025-01",
        "HTTP_X_SHOPIFY_WEBHOOK_ID": webhook_id or f"b54557e4-bdd9-4b37-8a5f-bf7d70{next(_deliveries):06d}",
    }
    return client.post(f"/webhooks/shopify/{slug}/", data=body, content_type="application/json", **headers)


# WooCommerce


def _gmt(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat()


def woocommerce_order(
    name: str = "woocommerce/order.json",
    *,
    status: str | None = None,
    code: str | None = None,
    ref: str | None = None,
    when: datetime | None = None,
    modified: datetime | None = None,
    **fields: Any,
) -> dict[str, Any]:
    order = fixture(name)
    placed = when or recent()
    order.update(
        date_created=_gmt(placed),
        date_created_gmt=_gmt(placed),
        date_modified_gmt=_gmt(modified or placed + timedelta(minutes=5)),
    )
    if order.get("date_paid_gmt"):
        order["date_paid_gmt"] = _gmt(placed + timedelta(seconds=6))
    if status is not None:
        order["status"] = status
    if code:
        order["coupon_lines"] = [
            {"id": 321, "code": code, "discount": "0.00", "discount_tax": "0.00", "meta_data": []}
        ]
    if ref:
        order["meta_data"].append({"id": 13107, "key": "ref", "value": ref})
    order.update(fields)
    return order


def post_woocommerce(
    client: Client,
    payload: dict[str, Any] | bytes,
    *,
    topic: str = "order.created",
    slug: str = "boutique",
    secret: str = WOOCOMMERCE_SECRET,
    delivery_id: str | None = None,
    signature: str | None = None,
) -> Any:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    resource, _, event = topic.partition(".")
    headers = {
        "HTTP_X_WC_WEBHOOK_SOURCE": "https://example.com/",
        "HTTP_X_WC_WEBHOOK_TOPIC": topic,
        "HTTP_X_WC_WEBHOOK_RESOURCE": resource,
        "HTTP_X_WC_WEBHOOK_EVENT": event,
        "HTTP_X_WC_WEBHOOK_SIGNATURE": sign(body, secret) if signature is None else signature,
        "HTTP_X_WC_WEBHOOK_ID": "12",
        "HTTP_X_WC_WEBHOOK_DELIVERY_ID": delivery_id or f"{next(_deliveries):032x}",
    }
    return client.post(
        f"/webhooks/woocommerce/{slug}/", data=body, content_type="application/json", **headers
    )
