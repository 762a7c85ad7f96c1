"""Portal and payout figures of SPEC §12 on the built programme (`bench/build.py`), JSON lines:

- every host portal page for the busiest host at full scale: queries per page and p95 — target
  p95 ≤ 50 ms, queries independent of data size; baseline: the same page for a host with nothing
  yet (the query count must be the same);
- a payout run for one campaign's hosts against a local fake of the Stripe API: Stripe calls per
  paid host (target: one) and seconds; then the run again, as after a crash: calls it makes
  (target: none) — the baseline being one call per host.

Everything runs in one transaction rolled back at the end: the programme stays as built.

    DATABASE_URL=postgres://soiree:soiree@127.0.0.1:5432/soiree_bench .venv/bin/python bench/portal_and_payouts.py
"""

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
os.environ.setdefault("TASKS_BACKEND", "immediate")
os.environ.setdefault("EMAIL_URL", "locmem://")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("CSRF_COOKIE_SECURE", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")
os.environ.setdefault("LOG_LEVEL", "ERROR")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from ambassadors.models import Host  # noqa: E402

PAGES = [
    "/portal/",
    "/portal/profile/",
    "/portal/kit/",
    "/portal/parties/",
    "/portal/share/",
    "/portal/earnings/",
    "/portal/payouts/",
]


def emit(**figure: object) -> None:
    print(json.dumps(figure), flush=True)


def _measure(client: Client, path: str, runs: int) -> tuple[int, int, float]:
    status = client.get(path).status_code  # warm
    # Counted with an execution wrapper: each request resets Django's own query log.
    queries: list[str] = []
    with connection.execute_wrapper(
        lambda execute, sql, *args: (queries.append(sql), execute(sql, *args))[1]
    ):
        client.get(path)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(path)
        samples.append(time.perf_counter() - started)
    return status, len(queries), sorted(samples)[max(int(len(samples) * 0.95) - 1, 0)] * 1000


def _give_a_copy_of_the_first_kit(source: Host, host: Host) -> None:
    """The baseline host gets a kit like the busiest host's first one (one line), so both pages take
    the same branch: what is compared is data size, not having a kit or not."""
    from kits.models import Shipment

    kit = Shipment.objects.filter(host=source).first()
    if kit is None:
        return
    line = kit.lines.first()
    kit.pk, kit.host, kit.number = None, host, f"KIT-BENCH-{host.pk}"
    kit.save()
    if line is not None:
        line.pk, line.shipment = None, kit
        line.save()


def bench_portal(runs: int = 40) -> None:
    from tests.factories import HostFactory

    busiest = Host.objects.annotate(n=Count("attributions")).order_by("-n").first()
    assert busiest is not None, "No programme here: run bench/build.py first."
    newcomer = HostFactory(application__campaign=busiest.campaign)
    _give_a_copy_of_the_first_kit(busiest, newcomer)
    full, empty = Client(), Client()
    full.force_login(busiest.user)
    empty.force_login(newcomer.user)
    for path in PAGES:
        status, queries, p95 = _measure(full, path, runs)
        base_status, base_queries, base_p95 = _measure(empty, path, runs)
        if status == 404 and base_status == 404:
            emit(figure="portal page", page=path, measured=False, why="page not present")
            continue
        emit(
            figure="portal page at full scale",
            page=path,
            status=status,
            queries=queries,
            value=round(p95, 1),
            unit="ms (p95)",
            target="<= 50, queries independent of data",
            met=p95 <= 50 and queries == base_queries and status == 200,
            baseline={
                "what": "same page, a new host with one one-line kit and nothing else",
                "queries": base_queries,
                "p95_ms": round(base_p95, 1),
            },
        )


def bench_payouts() -> None:
    try:
        from referrals.payouts.services import run_payouts
    except ImportError:
        emit(figure="payout run", measured=False, why="referrals/payouts/services.py is not there yet")
        return
    from referrals.models import EntryState, LedgerEntry, PayoutAccount
    from tests.fakes.stripe_api import start_fake_stripe

    fake, server = start_fake_stripe()
    settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE = "sk_test_bench", fake.url
    try:
        campaign_id = Host.objects.order_by("-campaign_id").values_list("campaign_id", flat=True).first()
        hosts = list(Host.objects.filter(campaign_id=campaign_id).values_list("pk", "user_id"))
        PayoutAccount.objects.bulk_create(
            PayoutAccount(user_id=user_id, stripe_account_id=f"acct_bench{pk}", payouts_enabled=True)
            for pk, user_id in hosts
        )
        LedgerEntry.objects.filter(campaign_id=campaign_id, state=EntryState.PENDING).update(
            state=EntryState.APPROVED
        )
        started = time.perf_counter()
        first = run_payouts(campaign_id=campaign_id)
        seconds = time.perf_counter() - started
        calls = len(fake.calls("POST", "/v1/transfers"))
        again = run_payouts(campaign_id=campaign_id)
        calls_again = len(fake.calls("POST", "/v1/transfers")) - calls
        paid = len(first.paid)
        emit(
            figure="payout run, one campaign",
            hosts=len(hosts),
            paid=paid,
            skipped=len(first.skipped_hosts),
            failed=len(first.failed),
            value=round(calls / paid, 2) if paid else None,
            unit="Stripe transfer calls per paid host",
            seconds=round(seconds, 2),
            second_run_calls=calls_again,
            second_run_paid=len(again.paid),
            target="1 call per host; a second run pays nobody twice",
            met=paid > 0 and calls == paid and calls_again == 0,
            baseline={"what": "one call per host", "value": 1.0},
        )
    finally:
        server.shutdown()


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("bench/portal_and_payouts.py measures PostgreSQL: set DATABASE_URL=postgres://...")
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            bench_portal()
            bench_payouts()
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
