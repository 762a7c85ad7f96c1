"""Ingestion figures of SPEC §12, on PostgreSQL, each printed as one JSON line beside its baseline:

- order ingestion through the import API (`POST /api/v1/orders/`, batches of 1,000, API key,
  validation, idempotency, attribution listeners) in orders/s — target ≥ 2,000; baseline: a plain
  bulk INSERT of the same rows;
- one Stripe webhook (`checkout.session.completed`, signed, verified, stored, order created,
  attributed) p50 server time — target ≤ 10 ms; baseline: `/healthz` (one `SELECT 1`);
- one Shopify webhook (`orders/paid`, HMAC-signed, secret decrypted, verified, stored, order
  created, attributed) p50 server time — target ≤ 10 ms and ≤ 10× the same `/healthz` baseline.

Requests run in this process through Django's handler (no network), so "server time" is the full
Django stack. Usage:

    DATABASE_URL=postgres://soiree:soiree@127.0.0.1:5432/soiree python bench/ingest.py [--orders 20000] [--events 500]

A throw-away database (`<name>_ingest`) is created and dropped; nothing else is touched.
"""

import argparse
import json
import os
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
os.environ.setdefault("TASKS_BACKEND", "immediate")
os.environ.setdefault("EMAIL_URL", "locmem://")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")
os.environ.setdefault("LOG_LEVEL", "ERROR")
os.environ["STRIPE_WEBHOOK_SECRET"] = "whsec_bench"
os.environ["STRIPE_SECRET_KEY"] = ""

import django  # noqa: E402

django.setup()

import stripe  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from orders.models import Order, ShopApiKey  # noqa: E402


def emit(**figure: object) -> None:
    print(json.dumps(figure), flush=True)


def make_codes(count: int) -> list[str]:
    """Hosts selected weeks ago with referral codes, under a reward plan, so that attribution and
    rewards have real work to do: the orders that carry a code are credited and earn."""
    from referrals.codes.services import issue_host_code
    from referrals.rewards.services import set_reward_plan
    from tests.factories import CampaignFactory, HostFactory

    campaign = CampaignFactory(status="running")
    set_reward_plan(
        campaign=campaign,
        by=None,
        party_brackets=[{"up_to": "500", "rate": "0.10"}, {"up_to": None, "rate": "0.15"}],
        host_code_rate=Decimal("0.05"),
        cap_per_host=Decimal("1000"),
    )
    selected_at = timezone.now() - timedelta(days=30)
    return [
        issue_host_code(host=HostFactory(application__campaign=campaign, selected_at=selected_at)).code
        for _ in range(count)
    ]


def order_item(index: int, codes: list[str], placed_at: str) -> dict:
    return {
        "external_id": f"BENCH-{index:08d}",
        "placed_at": placed_at,
        "customer_email": f"buyer{index % 5000}@example.com",
        "currency": "EUR",
        "subtotal": "120.00",
        "discount": "24.00",
        "shipping": "5.00",
        "tax": "17.00",
        "total": "118.00",
        # two thirds of the orders carry a host's code, the others none (unattributed)
        "code": codes[index % len(codes)] if codes and index % 3 else "",
        "lines": [{"sku": "JKT-42", "quantity": 1, "unit_price": "90.00"}],
    }


def bench_import_api(total: int, codes: list[str]) -> None:
    _, key = ShopApiKey.objects.create_key(name="bench")
    client = Client(HTTP_AUTHORIZATION=f"Api-Key {key}")
    placed_at = (timezone.now() - timedelta(hours=1)).isoformat()
    batches = [
        [order_item(i, codes, placed_at) for i in range(start, min(start + 1000, total))]
        for start in range(0, total, 1000)
    ]
    started = time.perf_counter()
    for batch in batches:
        response = client.post("/api/v1/orders/", {"orders": batch}, content_type="application/json")
        assert response.status_code == 200 and response.json()["created"] == len(batch), response.content[
            :500
        ]
    api_rate = total / (time.perf_counter() - started)

    rows = [
        Order(
            source="csv",
            external_id=f"BASE-{i:08d}",
            placed_at=timezone.now(),
            customer_email=f"buyer{i % 5000}@example.com",
            currency="EUR",
            subtotal=Decimal("120.00"),
            discount=Decimal("24.00"),
            shipping=Decimal("5.00"),
            tax=Decimal("17.00"),
            total=Decimal("118.00"),
            commissionable_amount=Decimal("96.00"),
            code="",
            fingerprint="0" * 64,
        )
        for i in range(total)
    ]
    started = time.perf_counter()
    for start in range(0, total, 1000):
        Order.objects.bulk_create(rows[start : start + 1000])
    baseline_rate = total / (time.perf_counter() - started)
    emit(
        figure="order ingestion through the import API, with attribution",
        orders=total,
        value=round(api_rate),
        unit="orders/s",
        target=">= 2000",
        met=api_rate >= 2000,
        ratio_to_baseline=round(api_rate / baseline_rate, 3),
        baseline={
            "what": "plain bulk INSERT of the same rows",
            "value": round(baseline_rate),
            "unit": "orders/s",
        },
    )


def p50_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)


def bench_webhook(count: int, codes: list[str]) -> None:
    client = Client()
    now = int(time.time())
    samples = []
    for i in range(count):
        session = {
            "id": f"cs_bench_{i:08d}",
            "object": "checkout.session",
            "amount_subtotal": 12000,
            "amount_total": 11800,
            "created": now - 60,
            "currency": "eur",
            "customer_details": {"email": f"buyer{i}@example.com", "name": "Camille Bernard"},
            "discounts": [{"coupon": None, "promotion_code": {"code": codes[i % len(codes)]}}]
            if codes
            else [],
            "metadata": {"ref": f"token{i:010d}"},
            "mode": "payment",
            "payment_intent": f"pi_bench_{i:08d}",
            "payment_status": "paid",
            "status": "complete",
            "total_details": {"amount_discount": 2400, "amount_shipping": 500, "amount_tax": 1700},
        }
        body = json.dumps(
            {
                "id": f"evt_bench_{i:08d}",
                "object": "event",
                "api_version": "2024-06-20",
                "created": now,
                "data": {"object": session},
                "livemode": False,
                "type": "checkout.session.completed",
            }
        )
        header = stripe.WebhookSignature.generate_signature_header(body, "whsec_bench")
        started = time.perf_counter()
        response = client.post(
            "/webhooks/stripe/", data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
        )
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content
    baseline = []
    for _ in range(count):
        started = time.perf_counter()
        assert client.get("/healthz").status_code == 200
        baseline.append(time.perf_counter() - started)
    emit(
        figure="Stripe webhook, one checkout.session.completed event",
        events=count,
        value=p50_ms(samples),
        unit="ms (p50 server time)",
        p95=round(sorted(samples)[int(len(samples) * 0.95)] * 1000, 2),
        target="<= 10",
        met=p50_ms(samples) <= 10,
        ratio_to_baseline=round(p50_ms(samples) / p50_ms(baseline), 1),
        baseline={"what": "GET /healthz (SELECT 1)", "value": p50_ms(baseline), "unit": "ms (p50)"},
    )


def healthz_p50(client: Client, count: int) -> float:
    baseline = []
    for _ in range(count):
        started = time.perf_counter()
        assert client.get("/healthz").status_code == 200
        baseline.append(time.perf_counter() - started)
    return p50_ms(baseline)


def bench_shopify_webhook(count: int, codes: list[str]) -> None:
    """A shop's `orders/paid` deliveries, shaped as tests/fixtures/shopify/order.json."""
    from orders.shops.deliveries import signature_of
    from orders.shops.services import create_shop_endpoint

    secret = "shpss_bench_secret_0123456789"
    create_shop_endpoint(name="Bench shop", slug="bench-shop", platform="shopify", secret=secret)
    order = json.loads((ROOT / "tests" / "fixtures" / "shopify" / "order.json").read_text())
    placed_at = (timezone.now() - timedelta(minutes=5)).isoformat()
    client = Client()
    samples = []
    for i in range(count):
        order.update(
            id=5_000_000_000_000 + i,
            email=f"buyer{i}@example.com",
            created_at=placed_at,
            processed_at=placed_at,
            currency="EUR",
            discount_codes=[{"code": codes[i % len(codes)], "amount": "5.00", "type": "fixed_amount"}]
            if codes
            else [],
            landing_site=f"/?ref=token{i:010d}",
        )
        body = json.dumps(order).encode()
        headers = {
            "HTTP_X_SHOPIFY_TOPIC": "orders/paid",
            "HTTP_X_SHOPIFY_HMAC_SHA256": signature_of(body=body, secret=secret),
            "HTTP_X_SHOPIFY_WEBHOOK_ID": f"bench-{i:08d}",
        }
        started = time.perf_counter()
        response = client.post(
            "/webhooks/shopify/bench-shop/", data=body, content_type="application/json", **headers
        )
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200 and response.json()["status"] == "processed", response.content
    baseline = healthz_p50(client, count)
    emit(
        figure="Shopify webhook, one orders/paid delivery",
        events=count,
        value=p50_ms(samples),
        unit="ms (p50 server time)",
        p95=round(sorted(samples)[int(len(samples) * 0.95)] * 1000, 2),
        target="<= 10 and <= 10x baseline",
        met=p50_ms(samples) <= 10 and p50_ms(samples) <= 10 * baseline,
        ratio_to_baseline=round(p50_ms(samples) / baseline, 1),
        baseline={"what": "GET /healthz (SELECT 1)", "value": baseline, "unit": "ms (p50)"},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--hosts", type=int, default=200)
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/ingest.py measures PostgreSQL: set DATABASE_URL=postgres://...")
    setup_test_environment()
    # A database of its own, apart from the built programme and from the test suite's.
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{connection.settings_dict['NAME']}_ingest"
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        codes = make_codes(options.hosts)
        bench_import_api(options.orders, codes)
        bench_webhook(options.events, codes)
        bench_shopify_webhook(options.events, codes)
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
