"""A payout run that really crashes: `run_payouts` in a child process, killed with SIGKILL once the
fake Stripe server has answered one of its transfer calls and before the run could commit the answer.

How the moment is pinned down (PostgreSQL): just before the fake answers the chosen transfer call,
the payout's row is locked from another connection; the child gets its answer, opens the
transaction that records it and waits on that lock; once it is seen waiting, it is killed, then
the lock is released. The killed process never sends its UPDATE nor its COMMIT, and PostgreSQL
rolls its transaction back: Stripe made the transfer, the database does not know. Used by the
payout tests and by the payout benchmark.
"""

import itertools
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg

from tests.fakes.stripe_api import FakeStripe, RecordedRequest

ROOT = Path(__file__).resolve().parents[2]
CHILD = """
import sys
import django
django.setup()
from referrals.payouts.services import run_payouts
run_payouts(campaign_id=int(sys.argv[1]) if sys.argv[1] else None)
"""


@dataclass
class Crash:
    payout_id: int | None = None  # the payout whose transfer Stripe made and the run never recorded
    idempotency_key: str | None = None  # the key of that transfer call
    was_recording: bool = False  # when killed, the run had Stripe's answer and waited to record it
    returncode: int | None = None  # -SIGKILL when it was killed
    error: BaseException | None = None  # what went wrong in the server's thread, if anything

    @property
    def killed(self) -> bool:
        return self.returncode == -signal.SIGKILL and self.was_recording and self.error is None


def database_url(settings_dict: dict[str, Any]) -> str:
    """The DATABASE_URL of a Django PostgreSQL connection (e.g. the test database)."""
    user, password = (
        quote(settings_dict["USER"] or "", safe=""),
        quote(settings_dict["PASSWORD"] or "", safe=""),
    )
    host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432
    return f"postgres://{user}:{password}@{host}:{port}/{quote(settings_dict['NAME'], safe='')}"


def _connect(settings_dict: dict[str, Any], **options: Any) -> psycopg.Connection:
    return psycopg.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"] or None,
        password=settings_dict["PASSWORD"] or None,
        host=settings_dict["HOST"] or "127.0.0.1",
        port=settings_dict["PORT"] or 5432,
        **options,
    )


def _wait_until_blocked_by(settings_dict: dict[str, Any], locker_pid: int, timeout: float) -> bool:
    with _connect(settings_dict, autocommit=True) as watcher:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            row = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", [locker_pid]
            ).fetchone()
            if row and row[0]:
                return True
            time.sleep(0.01)
    return False


def run_payouts_killed_after_transfer(
    fake: FakeStripe,
    *,
    database: dict[str, Any],
    campaign_id: int | None = None,
    nth: int = 1,
    timeout: float = 600.0,
) -> Crash:
    """Run `run_payouts(campaign_id=…)` in a child process against `fake` and the database of
    `database` (a Django connection's settings_dict), and kill it with SIGKILL after Stripe has
    answered its `nth` transfer call, before that answer is committed. Data the child must see has
    to be committed first. Returns what happened; `crash.killed` says the crash really happened."""
    crash = Crash()
    calls = itertools.count(1)
    held: dict[str, Any] = {}

    def before(request: RecordedRequest) -> None:
        if request.method != "POST" or next(calls) != nth:
            return
        try:
            crash.payout_id = int(request.params["metadata[soiree_payout_id]"])
            crash.idempotency_key = request.idempotency_key
            lock = held["lock"] = _connect(database)
            lock.execute("SELECT id FROM referrals_payout WHERE id = %s FOR UPDATE", [crash.payout_id])
        except BaseException as error:
            crash.error = error

    def after(request: RecordedRequest) -> None:
        lock = held.pop("lock", None)
        if lock is None:
            return
        try:
            crash.was_recording = _wait_until_blocked_by(database, lock.info.backend_pid, timeout=60)
            held["child"].send_signal(signal.SIGKILL)
            crash.returncode = held["child"].wait()
        except BaseException as error:
            crash.error = error
        finally:
            lock.rollback()
            lock.close()

    fake.on_answer("/v1/transfers", before=before, after=after)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        "DATABASE_URL": database_url(database),
        "STRIPE_SECRET_KEY": "sk_test_fake",
        "STRIPE_API_BASE": fake.url,
        "LOG_LEVEL": "ERROR",
    }
    child = held["child"] = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(campaign_id or "")], cwd=ROOT, env=env
    )
    try:
        returncode = child.wait(timeout=timeout)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        fake.clear_hooks()
    crash.returncode = returncode
    return crash
