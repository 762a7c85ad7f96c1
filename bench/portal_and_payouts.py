"""Portal and payout figures of SPEC §12 on the built programme (`bench/build.py`), JSON lines:

- every host portal page for the busiest host at full scale: queries per page and p95 — target
  p95 ≤ 50 ms, queries independent of data size; baseline: the same page for a new host with one
  thing of each kind (a one-line kit, one earnings line about a party and one about an order; the
  query count must be the same);
- a payout run for one campaign's hosts against a local fake of the Stripe API that really crashes:
  run in a process of its own, killed (SIGKILL) once Stripe has answered the transfer call of the
  middle host and before that answer was committed; then run again here. Counted at the fake
  server: transfers per paid host (target: one; the crashed host's transfer, whose outcome the run
  did not know, is looked up at Stripe by its transfer group and adopted, not sent again), seconds
  of the second run, and calls of a third run (target: none) — the baseline being one transfer per
  host.

The portal figures run in one transaction rolled back at the end. The payout run in another
process must see committed data: its set-up is committed, and everything it changed is put back
as built at the end (payouts, payout lines, the entries' states, the payout accounts).

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
from bench.figures import emit  # noqa: E402

# A page of the busiest host may take at most twice the time of the same page for a new host: its
# cost must not grow with a host's history (and its query count must be the same).
PORTAL_RATIO = 2.0

PAGES = [
    "/portal/",  # the dashboard (backend.dashboard)
    "/portal/profile/",
    "/portal/kit/",
    "/portal/parties/",
    "/portal/share/",
    "/portal/earnings/",
    "/portal/payouts/",
]


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


def _give_one_ledger_line_of_each_kind(source: Host, host: Host) -> None:
    """The baseline host gets one earnings line about a party and one about an order, copied from the
    busiest host's lines not paid out, so the earnings page takes the same branches for both (it reads
    parties and orders only when some line is about them): what is compared is data size."""
    from referrals.models import LedgerEntry

    for kind in ("party:", "order:"):
        entry = LedgerEntry.objects.filter(host=source, basis__startswith=kind, payout__isnull=True).first()
        if entry is not None:
            entry.pk, entry.host = None, host
            entry.save()


def bench_portal(runs: int = 40) -> None:
    from tests.factories import HostFactory

    busiest = Host.objects.annotate(n=Count("attributions")).order_by("-n").first()
    assert busiest is not None, "No programme here: run bench/build.py first."
    newcomer = HostFactory(application__campaign=busiest.campaign)
    _give_a_copy_of_the_first_kit(busiest, newcomer)
    _give_one_ledger_line_of_each_kind(busiest, newcomer)
    full, empty = Client(), Client()
    full.force_login(busiest.user)
    empty.force_login(newcomer.user)
    # the party page: the busiest host's party with the most sales, and a new party of the newcomer
    from tests.factories import PartyFactory

    busiest_party = busiest.parties.annotate(n=Count("attributions")).order_by("-n").first()
    pairs = [(path, path) for path in PAGES]
    if busiest_party is not None:
        pairs.append(
            (f"/portal/parties/{busiest_party.pk}/", f"/portal/parties/{PartyFactory(host=newcomer).pk}/")
        )
    for path, base_path in pairs:
        status, queries, p95 = _measure(full, path, runs)
        base_status, base_queries, base_p95 = _measure(empty, base_path, runs)
        if status == 404 and base_status == 404:
            print(
                json.dumps({"figure": "portal page", "page": path, "measured": False, "why": "not present"})
            )
            continue
        emit(
            figure=f"portal page {path} at full scale, busiest host",
            measured=p95,
            unit="ms (p95)",
            baseline=base_p95,
            baseline_what="same page, a new host with a one-line kit, one party and one order line of earnings",
            target_ratio=PORTAL_RATIO,
            better="lower",
            holds={"same queries as the new host": queries == base_queries, "200": status == 200},
            page=path,
            queries=queries,
            baseline_queries=base_queries,
        )


def _undo_payouts(*, campaign_id: int, entries: list[tuple], account_ids: list[int]) -> None:
    """Put the campaign's ledger back as built: no payout, each entry in its state, no payout account."""
    from referrals.models import EntryKind, LedgerEntry, Payout, PayoutAccount

    with transaction.atomic():
        payouts = Payout.objects.filter(campaign_id=campaign_id)
        LedgerEntry.objects.filter(payout__in=payouts, kind=EntryKind.PAYOUT).delete()
        by_state: dict[tuple, list[int]] = {}
        for pk, *state in entries:
            by_state.setdefault(tuple(state), []).append(pk)
        for (state, paid_at, payout_id), pks in by_state.items():
            LedgerEntry.objects.filter(pk__in=pks).update(state=state, paid_at=paid_at, payout_id=payout_id)
        payouts.delete()
        PayoutAccount.objects.filter(pk__in=account_ids).delete()


def bench_payouts() -> None:
    try:
        from referrals.payouts.services import hosts_with_approved_balance, run_payouts
    except ImportError:
        print(json.dumps({"figure": "payout run", "measured": False, "why": "no payouts module"}))
        return
    from referrals.models import EntryState, LedgerEntry, Payout, PayoutAccount, PayoutStatus
    from tests.fakes.payout_crash import run_payouts_killed_after_transfer
    from tests.fakes.stripe_api import start_fake_stripe

    campaign_id = Host.objects.order_by("-campaign_id").values_list("campaign_id", flat=True).first()
    if Payout.objects.filter(campaign_id=campaign_id).exists():
        sys.exit("A payout benchmark did not finish and left payouts behind: rebuild (BENCH_REBUILD=1).")
    hosts = list(Host.objects.filter(campaign_id=campaign_id).values_list("pk", "user_id"))
    unpaid = LedgerEntry.objects.filter(
        campaign_id=campaign_id, state__in=[EntryState.PENDING, EntryState.APPROVED]
    )
    entries = list(unpaid.values_list("pk", "state", "paid_at", "payout_id"))
    fake, server = start_fake_stripe()
    settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE = "sk_test_bench", fake.url
    account_ids: list[int] = []
    try:
        with transaction.atomic():  # committed: the run in the other process reads it
            account_ids = [
                account.pk
                for account in PayoutAccount.objects.bulk_create(
                    PayoutAccount(user_id=user_id, stripe_account_id=f"acct_bench{pk}", payouts_enabled=True)
                    for pk, user_id in hosts
                )
            ]
            unpaid.update(state=EntryState.APPROVED)
        middle = max(len(hosts_with_approved_balance(campaign_id=campaign_id)) // 2, 1)
        crash = run_payouts_killed_after_transfer(
            fake, database=connection.settings_dict, campaign_id=campaign_id, nth=middle
        )
        started = time.perf_counter()
        again = run_payouts(campaign_id=campaign_id)
        seconds = time.perf_counter() - started
        calls = fake.calls("POST", "/v1/transfers")
        third = run_payouts(campaign_id=campaign_id)
        third_calls = len(fake.calls("POST", "/v1/transfers")) - len(calls)
        payouts = list(
            Payout.objects.filter(campaign_id=campaign_id).values_list("status", "stripe_transfer_id")
        )
        paid = sum(1 for status, _ in payouts if status == PayoutStatus.PAID)
        transfers = [obj for obj in fake.objects.values() if obj["object"] == "transfer"]
        per_host = {transfer["destination"] for transfer in transfers}
        keys = [call.idempotency_key for call in calls]
        one_per_host = len(transfers) == len(per_host) == paid == len(payouts) and {
            transfer_id for _, transfer_id in payouts
        } == {transfer["id"] for transfer in transfers}
        emit(
            figure="payout run, one campaign, killed after a transfer and run again",
            measured=len(transfers) / paid if paid else 0.0,
            unit="Stripe transfers per paid host",
            baseline=1.0,
            baseline_what="one transfer per host",
            target_ratio=1.0,
            better="lower",
            holds={
                "the run was killed after a transfer": crash.killed,
                "some host paid": paid > 0,
                "one transfer per payout": one_per_host,
                "the crashed transfer's key sent once": keys.count(crash.idempotency_key) == 1,
                "one call per paid host": len(keys) == paid,
                "a third run calls nobody": third_calls == 0,
            },
            hosts=len(hosts),
            paid=paid,
            skipped=len(again.skipped_hosts),
            failed=len(again.failed),
            killed=crash.killed,
            killed_after_transfer_call=middle,
            transfer_calls=len(keys),
            crashed_key_sent=keys.count(crash.idempotency_key),
            seconds=round(seconds, 2),
            third_run_calls=third_calls,
            third_run_paid=len(third.paid),
        )
    finally:
        server.shutdown()
        _undo_payouts(campaign_id=campaign_id, entries=entries, account_ids=account_ids)


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
            raise Rollback
    except Rollback:
        pass
    bench_payouts()


if __name__ == "__main__":
    main()
