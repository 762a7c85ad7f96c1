"""Ingestion figures of SPEC §12 on the built programme (`bench/build.py`, 1M orders), each printed
through `bench.figures.emit` beside its baseline measured in the same run, interleaved with it:

- order ingestion through the import API (`POST /api/v1/orders/`, batches of 1,000, API key,
  validation, idempotency, attribution and rewards, two thirds of the orders credited) in orders/s —
  target ≥ 25 % of the baseline: a plain bulk INSERT of the same rows (`Order.objects.bulk_create`),
  one batch of each in turn;
- one Stripe webhook (`checkout.session.completed`, signed, verified, stored, order created,
  attributed, rewarded) p50 server time — target ≤ 10× the baseline: `GET /healthz` (one
  `SELECT 1`) of the same server, one request of each in turn; the line says where the time goes
  (queries and their time, the signature check, the rest is Python);
- one Shopify webhook (`orders/paid`, HMAC-signed, secret decrypted, verified, stored, order
  created, attributed) p50 server time, the same way.

Requests run in this process through Django's handler (no network), so "server time" is the full
Django stack, configured as production serves: with the cache every process shares (`REDIS_URL`, a
local Redis's database 11 unless set), which keeps throttles and which outgoing-webhook types are
subscribed. Everything runs in one transaction rolled back at the end, so the programme is left
as built (other benchmarks read it at the same time): each request's own transaction is a savepoint
of it, and what a commit would run after it (`on_commit`) runs at the end of each request, timed.
Each import batch with its baseline, and every 50 webhook deliveries, are undone as they end (a
savepoint rolled back), so the locks of thousands of orders are never held together.

    DATABASE_URL=postgres://soiree:soiree@127.0.0.1:5432/soiree_bench .venv/bin/python bench/ingest.py \\
        [--orders 20000] [--events 300]
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
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/11")
os.environ["STRIPE_WEBHOOK_SECRET"] = "whsec_bench"
os.environ["STRIPE_SECRET_KEY"] = ""

import django  # noqa: E402

django.setup()

from collections.abc import Callable, Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client, TestCase  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.figures import emit  # noqa: E402
from bench.payloads import checkout_completed, import_order  # noqa: E402
from orders.models import Order, ShopApiKey  # noqa: E402

IMPORT_RATIO = 0.25  # of the plain bulk INSERT's rate
WEBHOOK_RATIO = 10.0  # times the /healthz round trip


class Rollback(Exception):
    """Raised at the end of the run: the programme is left as built."""


class Queries:
    """Counts the statements of a request and the time spent executing them (driver and server)."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute: Callable, sql: str, params: object, many: bool, context: object) -> object:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


@contextmanager
def undone() -> Iterator[None]:
    """A savepoint rolled back at the end: what the block wrote is gone, and so are its locks (one
    advisory lock per order: thousands held to the end would fill the server's shared lock table)."""
    savepoint = transaction.savepoint()
    try:
        yield
    finally:
        transaction.savepoint_rollback(savepoint)


@contextmanager
def committed() -> Iterator[None]:
    """What a commit would run after a request (`on_commit`), run at its end, inside the timing."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        yield


def make_codes(count: int) -> list[str]:
    """Hosts selected weeks ago with referral codes, under a reward plan, so that attribution and
    rewards have real work to do: the orders that carry a code are credited and earn."""
    from referrals.codes.services import issue_host_code
    from referrals.rewards.services import set_reward_plan
    from tests.factories import CampaignFactory, HostFactory

    # A campaign of its own, its year the current one, so the orders' time is within it.
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


def bench_import_api(total: int, codes: list[str]) -> None:
    _, key = ShopApiKey.objects.create_key(name="bench")
    client = Client(HTTP_AUTHORIZATION=f"Api-Key {key}")
    # A process loads its URL configuration and every view's module on its first request, once in
    # its life: a server's cost, not a batch's (0.7 s, 4 % of the timed batches when it fell in them).
    assert client.get("/healthz").status_code == 200
    placed_at = (timezone.now() - timedelta(hours=1)).isoformat()
    batches = [
        [
            import_order(i, codes=codes, placed_at=placed_at, prefix="INGEST")
            for i in range(start, min(start + 1000, total))
        ]
        for start in range(0, total, 1000)
    ]
    rows = [
        [
            Order(
                source="csv",
                external_id=f"INGEST-BASE-{i:08d}",
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
            for i in range(start, min(start + 1000, total))
        ]
        for start in range(0, total, 1000)
    ]
    api_seconds = baseline_seconds = cpu_seconds = 0.0
    for batch, plain in zip(batches, rows, strict=True):
        with undone():
            started, cpu = time.perf_counter(), time.process_time()
            with committed():
                response = client.post("/api/v1/orders/", {"orders": batch}, content_type="application/json")
            api_seconds += time.perf_counter() - started
            cpu_seconds += time.process_time() - cpu
            assert response.status_code == 200 and response.json()["created"] == len(batch), [
                r for r in response.json()["results"] if r["error"]
            ][:1]
            started = time.perf_counter()
            with transaction.atomic():
                Order.objects.bulk_create(plain)
            baseline_seconds += time.perf_counter() - started
    emit(
        figure="order ingestion, import API with attribution and rewards, batches of 1,000, on 1M orders",
        measured=total / api_seconds,
        unit="orders/s",
        baseline=total / baseline_seconds,
        baseline_what="plain bulk INSERT of the same rows",
        target_ratio=IMPORT_RATIO,
        better="higher",
        orders=total,
        python_cpu_ms_per_order=round(cpu_seconds / total * 1000, 3),
    )


def p50_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def bench_webhook(
    name: str, requests: list[Callable[[], HttpResponse]], check: Callable[[], float], client: Client
) -> None:
    """Each delivery, then one `/healthz`, in turn; where the delivery's time goes."""
    samples, baseline, query_seconds, query_counts = [], [], [], []
    for first in range(0, len(requests), 50):
        with undone():  # a few locks per delivery: undone every 50
            for request in requests[first : first + 50]:
                queries = Queries()
                started = time.perf_counter()
                with committed(), connection.execute_wrapper(queries):
                    response = request()
                samples.append(time.perf_counter() - started)
                assert response.status_code == 200 and response.json()["status"] == "processed", (
                    response.content
                )
                query_seconds.append(queries.seconds)
                query_counts.append(queries.count)
                started = time.perf_counter()
                assert client.get("/healthz").status_code == 200
                baseline.append(time.perf_counter() - started)
    signature = [check() for _ in range(len(requests))]
    server, in_queries, in_signature = p50_ms(samples), p50_ms(query_seconds), p50_ms(signature)
    emit(
        figure=f"{name} webhook, one delivery creating a credited and rewarded order, p50 server time",
        measured=server,
        unit="ms (p50)",
        baseline=p50_ms(baseline),
        baseline_what="GET /healthz (SELECT 1), same server",
        target_ratio=WEBHOOK_RATIO,
        better="lower",
        events=len(requests),
        p95_ms=round(sorted(samples)[int(len(samples) * 0.95)] * 1000, 2),
        queries=statistics.median(query_counts),
        queries_ms=round(in_queries, 2),
        signature_check_ms=round(in_signature, 3),
        python_ms=round(server - in_queries - in_signature, 2),
    )


def stripe_requests(count: int, codes: list[str], client: Client) -> tuple[list, Callable[[], float]]:
    now = int(time.time())
    requests = []
    for i in range(count):
        body, header = checkout_completed(i, codes=codes, now=now, prefix="bench", secret="whsec_bench")
        requests.append(
            lambda body=body, header=header: client.post(
                "/webhooks/stripe/", data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
            )
        )

    def check() -> float:
        from orders.stripe.events import verify_event

        started = time.perf_counter()
        verify_event(payload=body.encode(), signature=header, secret="whsec_bench")
        return time.perf_counter() - started

    return requests, check


def shopify_requests(count: int, codes: list[str], client: Client) -> tuple[list, Callable[[], float]]:
    """A shop's `orders/paid` deliveries, shaped as tests/fixtures/shopify/order.json."""
    from orders.shops.deliveries import signature_of, verify_delivery
    from orders.shops.services import create_shop_endpoint

    secret = "shpss_bench_secret_0123456789"
    endpoint = create_shop_endpoint(name="Bench shop", slug="bench-shop", platform="shopify", secret=secret)
    template = json.loads((ROOT / "tests" / "fixtures" / "shopify" / "order.json").read_text())
    placed_at = (timezone.now() - timedelta(minutes=5)).isoformat()
    requests = []
    for i in range(count):
        order = {
            **template,
            "id": 5_000_000_000_000 + i,
            "email": f"buyer{i}@example.com",
            "created_at": placed_at,
            "processed_at": placed_at,
            "currency": "EUR",
            "discount_codes": [{"code": codes[i % len(codes)], "amount": "5.00", "type": "fixed_amount"}]
            if codes
            else [],
            "landing_site": f"/?ref=token{i:010d}",
        }
        body = json.dumps(order).encode()
        headers = {
            "HTTP_X_SHOPIFY_TOPIC": "orders/paid",
            "HTTP_X_SHOPIFY_HMAC_SHA256": signature_of(body=body, secret=secret),
            "HTTP_X_SHOPIFY_WEBHOOK_ID": f"bench-{i:08d}",
        }
        requests.append(
            lambda body=body, headers=headers: client.post(
                "/webhooks/shopify/bench-shop/", data=body, content_type="application/json", **headers
            )
        )

    def check() -> float:
        started = time.perf_counter()
        verify_delivery(endpoint=endpoint, body=body, signature=headers["HTTP_X_SHOPIFY_HMAC_SHA256"])
        return time.perf_counter() - started

    return requests, check


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--hosts", type=int, default=200)
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/ingest.py measures PostgreSQL: set DATABASE_URL=postgres://...")
    if not Order.objects.exists():
        sys.exit("No programme here: run bench/build.py first (the figures are taken on 1M orders).")
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    try:
        with transaction.atomic():
            codes = make_codes(options.hosts)
            bench_import_api(options.orders, codes)
            client = Client()
            for name, make in (("Stripe", stripe_requests), ("Shopify", shopify_requests)):
                requests, check = make(options.events, codes, client)
                bench_webhook(name, requests, check, client)
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
