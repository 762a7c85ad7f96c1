"""Scale-out figure: 4 gunicorn workers and 2 task workers on PostgreSQL and Redis, 8 clients at once.

The bench starts everything it measures, in a temporary directory it removes at the end:

- a PostgreSQL primary (its own cluster, so nothing of another database is touched) and a streaming
  replica of it (`pg_basebackup -R`), with the reports read from the replica (`DATABASE_REPLICA_URL`,
  `backend/db_router.py`) — the replica's own statistics prove the reads went there;
- gunicorn with 4 workers and 2 `manage.py db_worker` task workers, the cache and throttles on Redis;
- 8 clients over HTTP: 3 sending import batches (`POST /api/v1/orders/`, 100 orders each), 3 sending
  signed Stripe `checkout.session.completed` events, 2 reading the attribution report by host.

Each kind of client first runs alone, back to back, then all eight together for as long: the mix's
`work per CPU second` is the work it does, each kind counted as a fraction of its own rate alone,
over what those parts do alone for the same busy CPU time (≥ 0.8). Back to back, each kind alone
keeps every core of a small machine busy, so the mix can never reach the plain sum of three
full-speed parts: their rates are printed beside that line, not judged.

The mix "holds throughput within 20 % of the sum of its parts" is judged at a fixed offered load
(open loop): each kind's clients send at a set pace, a third of that kind's rate alone, so the
three kinds together ask for what the machine gave any one of them alone; first each kind alone,
then all together. `scale-out mix at a fixed offered load, the sum of its parts` sums over kinds
the rate served in the mix over the rate served alone, against the number of kinds (≥ 0.8 × 3).
A rate served is the work of the sends made in the window over the window: a client that fell
behind its pace catches up at once, but what it could not send before the window closed is not
served. If the parts' costs add up, the mix serves its whole load; what they lose to each other
(locks, connections, the queue, the cores) shows as load not served, and in the answer times
printed beside it. Every phase starts with an empty task queue.

At the end the bench waits for the task queue to drain, then checks that nothing was lost: every
order sent is stored once, every credited order has its one reward line, every task succeeded, and
the replica, caught up, gives the report the primary gives.

    .venv/bin/python bench/scale_out.py [--seconds 20]

Needs PostgreSQL's server programs (`initdb`, `pg_ctl`, `pg_basebackup`: on PATH or in the
distribution's versioned directory) and Redis (`REDIS_URL`, default database 15 of the local server,
flushed). Run as root, the clusters belong to the `postgres` user.
"""

import argparse
import glob
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.figures import emit  # noqa: E402
from bench.payloads import checkout_completed, checkout_session_id, import_order  # noqa: E402
from tests.fakes.stripe_api import FakeStripe, start_fake_stripe  # noqa: E402

KINDS = {"import": 3, "webhook": 3, "report": 2}
# The reading at a fixed load: each kind is offered this share of its rate alone, so that together
# they ask for what the machine gave any one kind with nothing else running: if their costs add up,
# the mix serves it all; what they lose to each other shows as load not served.
OFFERED_SHARE = 1 / len(KINDS)
BATCH = 100
WEBHOOK_SECRET = "whsec_scale_out"


def pg_program(name: str) -> str:
    found = shutil.which(name) or sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))[-1:]
    if not found:
        sys.exit(f"bench/scale_out.py needs PostgreSQL's {name}")
    return found if isinstance(found, str) else found[0]


def as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_busy() -> tuple[float, float]:
    """(busy, total) jiffies of every core since boot, from /proc/stat."""
    fields = [float(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


# ---------------------------------------------------------------- the servers


class Cluster:
    """A PostgreSQL primary and its streaming replica in a temporary directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.primary_port = free_port()
        self.replica_port = free_port()

    def run(self, *command: str) -> str:
        return subprocess.run(
            as_postgres(list(command)), check=True, capture_output=True, text=True, timeout=600
        ).stdout

    def psql(self, port: int, sql: str, database: str = "postgres") -> str:
        return self.run(
            pg_program("psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", database,
            "-Atc", sql,
        ).strip()  # fmt: skip

    def start(self) -> None:
        primary = self.directory / "primary"
        self.run(pg_program("initdb"), "-D", str(primary), "-A", "trust", "-U", "postgres", "--no-sync")
        with (primary / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {self.primary_port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.directory}'\nwal_level = replica\n"
                "max_wal_senders = 4\nhot_standby = on\nmax_connections = 100\n"
            )
        self.run(
            pg_program("pg_ctl"), "-D", str(primary), "-l", str(self.directory / "primary.log"), "-w", "start"
        )
        self.psql(self.primary_port, "CREATE ROLE soiree LOGIN PASSWORD 'soiree'")
        self.psql(self.primary_port, "CREATE DATABASE soiree_scale OWNER soiree")

    def start_replica(self) -> None:
        replica = self.directory / "replica"
        self.run(
            pg_program("pg_basebackup"), "-D", str(replica), "-R", "-X", "stream", "-h", "127.0.0.1",
            "-p", str(self.primary_port), "-U", "postgres",
        )  # fmt: skip
        with (replica / "postgresql.auto.conf").open("a") as conf:
            conf.write(f"port = {self.replica_port}\n")
        self.run(
            pg_program("pg_ctl"), "-D", str(replica), "-l", str(self.directory / "replica.log"), "-w", "start"
        )
        deadline = time.monotonic() + 60
        while (
            self.psql(self.primary_port, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")
            != "1"
        ):
            if time.monotonic() > deadline:
                sys.exit("the replica does not stream")
            time.sleep(0.5)

    def stop(self) -> None:
        for name in ("replica", "primary"):
            if (self.directory / name / "postmaster.pid").exists():
                subprocess.run(
                    as_postgres(
                        [pg_program("pg_ctl"), "-D", str(self.directory / name), "-m", "fast", "stop"]
                    ),
                    capture_output=True,
                    timeout=120,
                )

    def url(self, port: int) -> str:
        return f"postgres://soiree:soiree@127.0.0.1:{port}/soiree_scale"

    def replica_reads(self) -> int:
        """Transactions the replica has run on the programme's database (its own statistics)."""
        return int(
            self.psql(
                self.replica_port, "SELECT xact_commit FROM pg_stat_database WHERE datname = 'soiree_scale'"
            )
        )

    def replay_caught_up(self) -> bool:
        primary_lsn = self.psql(self.primary_port, "SELECT pg_current_wal_lsn()")
        return (
            self.psql(self.replica_port, f"SELECT pg_last_wal_replay_lsn() >= '{primary_lsn}'::pg_lsn") == "t"
        )


def server_env(cluster: Cluster, redis_url: str, stripe_url: str) -> dict[str, str]:
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "VIRTUAL_ENV"}
    return {
        **{key: value for key, value in os.environ.items() if key in keep},
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        "PYTHONPATH": str(ROOT),
        "SECRET_KEY": "scale-out-bench-secret-key-" + "x" * 30,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": cluster.url(cluster.primary_port),
        "DATABASE_REPLICA_URL": cluster.url(cluster.replica_port),
        "REDIS_URL": redis_url,
        "TASKS_BACKEND": "database",
        "EMAIL_URL": "locmem://",
        "STATIC_MANIFEST": "0",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "ERROR",
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        # A Stripe key makes every Stripe order ask the task workers for its lines (from the fake).
        "STRIPE_SECRET_KEY": "sk_test_scale_out",
        "STRIPE_API_BASE": stripe_url,
        "PYTHONWARNINGS": "ignore",
    }


@contextmanager
def processes(commands: list[list[str]], env: dict[str, str]) -> Iterator[None]:
    started = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=sys.stderr) for command in commands]
    try:
        yield
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_for(port: int) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    sys.exit("gunicorn did not answer within 90 s")


# ---------------------------------------------------------------- the programme (child process)


def setup_django() -> None:
    """Django on the bench's database, tasks run at once: the set-up and the checks are not the load."""
    import django

    os.environ["TASKS_BACKEND"] = "immediate"
    django.setup()


def prepare() -> None:
    """In a child process on the bench's database: hosts with codes, an API key, a marketing token."""
    setup_django()
    from django.contrib.auth.models import Group
    from knox.models import AuthToken

    from ambassadors.models import Campaign
    from bench.ingest import make_codes
    from orders.models import ShopApiKey
    from tests.factories import UserFactory

    codes = make_codes(200)
    _, key = ShopApiKey.objects.create_key(name="scale-out")
    user = UserFactory(email="marketing@scale.example.com")
    user.groups.add(Group.objects.get(name="marketing"))
    _, token = AuthToken.objects.create(user)
    campaign = Campaign.objects.order_by("-pk").values_list("pk", flat=True).first()
    print(json.dumps({"codes": codes, "api_key": key, "token": token, "campaign": campaign}))


def verify(sent_orders: int, sent_events: int) -> None:
    """In a child process, once the queue is drained: nothing lost, nothing twice."""
    setup_django()

    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from backend.db_router import report_reads
    from orders.models import Order
    from referrals.models import EntryKind, LedgerEntry
    from referrals.reports.csv import row_values
    from referrals.reports.filters import ReportFilters
    from referrals.reports.query import attribution_report

    imported = Order.objects.filter(external_id__startswith="SCALE-").count()
    from_stripe = Order.objects.filter(external_id__startswith="cs_scale_").count()
    stripe_with_lines = (
        Order.objects.filter(external_id__startswith="cs_scale_", lines__isnull=False).distinct().count()
    )
    coded = Order.objects.filter(attribution__earns=True).count()
    order_lines = (
        LedgerEntry.objects.filter(kind=EntryKind.ACCRUAL, basis__startswith="order:")
        .values("basis")
        .annotate(n=Count("id"))
    )
    reward_lines = order_lines.count()
    repeated = order_lines.filter(n__gt=1).count()
    tasks = dict(DBTaskResult.objects.values_list("status").annotate(n=Count("id")))
    campaign = Order.objects.filter(attribution__earns=True).values_list("attribution__campaign", flat=True)[
        0
    ]
    filters = ReportFilters(campaign_id=campaign)
    primary = [row_values(row) for row in attribution_report(filters=filters, group_by="host").rows]
    with report_reads():
        replica = [row_values(row) for row in attribution_report(filters=filters, group_by="host").rows]
    print(
        json.dumps(
            {
                "orders_sent": sent_orders,
                "orders_imported": imported,
                "events_sent": sent_events,
                "orders_from_stripe": from_stripe,
                "stripe_orders_with_their_lines": stripe_with_lines,
                "credited_orders": coded,
                "order_reward_lines": reward_lines,
                "orders_with_two_reward_lines": repeated,
                "tasks": tasks,
                "replica_report_equals_primary": primary == replica,
            },
            default=str,
        )
    )


def child(*arguments: str, env: dict[str, str]) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, *arguments], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


# ---------------------------------------------------------------- the clients


@dataclass
class Tally:
    work: int = 0  # orders, events or report reads done
    requests: int = 0
    last_answer: float = 0.0  # monotonic time of the latest answer
    seconds_waited: list[float] = field(default_factory=list)  # each answer's time after its send
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, work: int, sent: float) -> None:
        answered = time.monotonic()
        with self.lock:
            self.work += work
            self.requests += 1
            self.last_answer = max(self.last_answer, answered)
            self.seconds_waited.append(answered - sent)


class Load:
    """Makes each client's next request; ids are unique across the whole run."""

    def __init__(self, programme: dict, stripe: FakeStripe) -> None:
        self.programme = programme
        self.stripe = stripe
        self.sequence = 0
        self.lock = threading.Lock()
        self.orders_sent = 0
        self.events_sent = 0

    def next_id(self, count: int = 1) -> int:
        with self.lock:
            first = self.sequence
            self.sequence += count
            return first

    def import_batch(self) -> tuple[str, str, bytes, dict[str, str], int]:
        codes = self.programme["codes"]
        first = self.next_id(BATCH)
        placed_at = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() - 3600))
        orders = [
            import_order(index, codes=codes, placed_at=placed_at, prefix="SCALE")
            for index in range(first, first + BATCH)
        ]
        headers = {
            "Authorization": f"Api-Key {self.programme['api_key']}",
            "Content-Type": "application/json",
        }
        return "POST", "/api/v1/orders/", json.dumps({"orders": orders}).encode(), headers, BATCH

    def stripe_event(self) -> tuple[str, str, bytes, dict[str, str], int]:
        index = self.next_id()
        # What Stripe answers when the task worker asks for the session's line items (Stripe's
        # "Retrieve a Checkout Session's line items": a list of `item` objects).
        self.stripe.session_lines[checkout_session_id(index, prefix="scale")] = [
            {
                "id": f"li_scale_{index:09d}",
                "object": "item",
                "amount_discount": 0,
                "amount_subtotal": 9000,
                "amount_tax": 0,
                "amount_total": 9000,
                "currency": "eur",
                "description": "Veste en lin",
                "price": {
                    "id": "price_scale_jkt42",
                    "object": "price",
                    "currency": "eur",
                    "lookup_key": "JKT-42",
                    "product": "prod_scale_jkt42",
                    "unit_amount": 9000,
                },
                "quantity": 1,
            }
        ]
        body, signature = checkout_completed(
            index, codes=self.programme["codes"], now=int(time.time()), prefix="scale", secret=WEBHOOK_SECRET
        )
        headers = {"Content-Type": "application/json", "Stripe-Signature": signature}
        return "POST", "/webhooks/stripe/", body.encode(), headers, 1

    def report_read(self) -> tuple[str, str, bytes, dict[str, str], int]:
        path = f"/api/v1/reports/attribution/?campaign={self.programme['campaign']}&group_by=host"
        return "GET", path, b"", {"Authorization": f"Token {self.programme['token']}"}, 1


def client_loop(
    port: int,
    make: Callable[[], tuple[str, str, bytes, dict[str, str], int]],
    tally: Tally,
    until: float,
    pace: tuple[float, float] | None = None,
) -> None:
    """Send requests until `until`: back to back, or at the pace (first send, seconds between
    sends) of an offered load, catching up at once when an answer came late. A request is sent
    only before `until`; its answer is waited for."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    next_send = pace[0] if pace else 0.0
    while True:
        if pace:
            if next_send >= until:
                return
            time.sleep(max(next_send - time.monotonic(), 0))
            next_send += pace[1]
        sent = time.monotonic()
        if sent >= until:
            return
        method, path, body, headers, work = make()
        try:
            connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            answer = response.read()
        except (OSError, http.client.HTTPException) as error:
            tally.failures.append(f"{path}: {error!r}")
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            continue
        if response.status != 200:
            tally.failures.append(f"{path}: {response.status} {answer[:200]!r}")
            continue
        tally.add(work, sent)


WORK_PER_REQUEST = {"import": BATCH, "webhook": 1, "report": 1}


@dataclass
class Phase:
    rates: dict[str, float]  # work per second of each kind
    p50_ms: dict[str, float]  # each kind's median answer time
    cpu_busy: float  # share of every core busy during the phase


def run_phase(
    port: int, load: Load, kinds: dict[str, int], seconds: float, offered: dict[str, float] | None = None
) -> Phase:
    """Clients of the given kinds for `seconds`, back to back or each kind at its `offered` work per
    second. A kind's rate is its work over the time to its own last answer (back to back), or over
    the `seconds` its sends were scheduled in (offered: sends that fell behind the pace are late or
    never made, and count less)."""
    makers = {"import": load.import_batch, "webhook": load.stripe_event, "report": load.report_read}
    tallies = {kind: Tally() for kind in kinds}
    busy_before, total_before = cpu_busy()
    started = time.monotonic()
    until = started + seconds
    threads = []
    for kind, count in kinds.items():
        for client in range(count):
            pace = None
            if offered:
                between = count * WORK_PER_REQUEST[kind] / offered[kind]  # one client's seconds per request
                pace = (started + between * client / count, between)
            threads.append(
                threading.Thread(target=client_loop, args=(port, makers[kind], tallies[kind], until, pace))
            )
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    busy_after, total_after = cpu_busy()
    for kind, tally in tallies.items():
        if tally.failures:
            sys.exit(f"{kind}: {len(tally.failures)} failed requests, first: {tally.failures[0]}")
    load.orders_sent += tallies["import"].work if "import" in tallies else 0
    load.events_sent += tallies["webhook"].work if "webhook" in tallies else 0
    return Phase(
        rates={
            kind: tally.work / (seconds if offered else tally.last_answer - started)
            for kind, tally in tallies.items()
        },
        p50_ms={kind: statistics.median(tally.seconds_waited) * 1000 for kind, tally in tallies.items()},
        cpu_busy=(busy_after - busy_before) / (total_after - total_before),
    )


def drain(cluster: Cluster, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    sql = "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('READY', 'RUNNING')"
    while cluster.psql(cluster.primary_port, sql, "soiree_scale") != "0":
        if time.monotonic() > deadline:
            sys.exit("the task workers did not drain the queue")
        time.sleep(0.5)


def _rounded(rates: dict[str, float]) -> dict[str, float]:
    return {kind: round(rate, 1) for kind, rate in rates.items()}


def measure(seconds: float) -> None:
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    directory = Path(tempfile.mkdtemp(prefix="soiree-scale-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    cluster = Cluster(directory)
    try:
        cluster.start()
        stripe, stripe_server = start_fake_stripe()
        env = server_env(cluster, redis_url, stripe.url)
        subprocess.run([sys.executable, "-c", "import redis,sys; redis.Redis.from_url(sys.argv[1]).flushdb()", redis_url], check=True, env=env)  # fmt: skip
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        programme = child("--prepare", env=env)
        cluster.start_replica()
        port = free_port()
        web = [sys.executable, "-m", "gunicorn", "backend.wsgi:application", f"--bind=127.0.0.1:{port}",
               "--workers=4", "--log-level=warning"]  # fmt: skip
        worker = [sys.executable, "manage.py", "db_worker"]
        with processes([web, worker, worker], env):
            wait_for(port)
            load = Load(programme, stripe)
            run_phase(port, load, {"report": 1, "webhook": 1}, 3)  # warm every worker's imports
            # each phase starts with an empty task queue: a part's tasks are its own work
            alone = {}
            for kind, count in KINDS.items():
                drain(cluster)
                alone[kind] = run_phase(port, load, {kind: count}, seconds)
            drain(cluster)
            replica_before = cluster.replica_reads()
            mixed = run_phase(port, load, KINDS, seconds)
            replica_transactions = cluster.replica_reads() - replica_before
            offered = {kind: phase.rates[kind] * OFFERED_SHARE for kind, phase in alone.items()}
            served_alone = {}
            for kind, count in KINDS.items():
                drain(cluster)
                served_alone[kind] = run_phase(port, load, {kind: count}, seconds, offered)
            drain(cluster)
            served_mixed = run_phase(port, load, KINDS, seconds, offered)
            drain(cluster)
            deadline = time.monotonic() + 60
            while not cluster.replay_caught_up() and time.monotonic() < deadline:
                time.sleep(0.2)
            checks = child("--verify", str(load.orders_sent), str(load.events_sent), env=env)
        shares = {kind: mixed.rates[kind] / alone[kind].rates[kind] for kind in KINDS}
        per_cpu = sum(shares[kind] * alone[kind].cpu_busy for kind in KINDS) / mixed.cpu_busy
        served = {kind: served_mixed.rates[kind] / served_alone[kind].rates[kind] for kind in KINDS}
        lost = (
            checks["orders_imported"] != checks["orders_sent"]
            or checks["orders_from_stripe"] != checks["events_sent"]
            or checks["stripe_orders_with_their_lines"] != checks["events_sent"]
            or checks["order_reward_lines"] != checks["credited_orders"]
            or checks["orders_with_two_reward_lines"] != 0
            or set(checks["tasks"]) - {"SUCCESSFUL"}
            or not checks["replica_report_equals_primary"]
        )
        common = {
            "clients": KINDS,
            "cores": os.cpu_count(),
            "replica_transactions_during_mix": replica_transactions,
            "checks": checks,
        }
        emit(
            figure="scale-out mix, work per CPU second (4 gunicorn + 2 task workers, 8 clients, reports on the replica)",
            measured=per_cpu,
            unit="share of the parts' work per busy CPU second",
            baseline=1.0,
            baseline_what="each part alone, same servers, same run",
            target_ratio=0.8,
            better="higher",
            holds={"nothing lost": not lost},
            rates_alone=_rounded({kind: phase.rates[kind] for kind, phase in alone.items()}),
            rates_mixed=_rounded(mixed.rates),
            shares_of_rate_alone={kind: round(value, 3) for kind, value in shares.items()},
            cpu_busy_alone={kind: round(phase.cpu_busy, 2) for kind, phase in alone.items()},
            cpu_busy_mixed=round(mixed.cpu_busy, 2),
            **common,
        )
        emit(
            figure="scale-out mix at a fixed offered load, the sum of its parts",
            measured=sum(served.values()),
            unit=f"sum over kinds of rate served mixed / alone, each offered {OFFERED_SHARE:.2f} of its full rate",
            baseline=float(len(KINDS)),
            baseline_what="each kind alone at the same offered load, same servers, same run",
            target_ratio=0.8,
            better="higher",
            holds={"nothing lost": not lost},
            offered=_rounded(offered),
            served_alone=_rounded({kind: phase.rates[kind] for kind, phase in served_alone.items()}),
            served_mixed=_rounded(served_mixed.rates),
            shares={kind: round(value, 3) for kind, value in served.items()},
            p50_ms_alone=_rounded({kind: phase.p50_ms[kind] for kind, phase in served_alone.items()}),
            p50_ms_mixed=_rounded(served_mixed.p50_ms),
            cpu_busy_alone={kind: round(phase.cpu_busy, 2) for kind, phase in served_alone.items()},
            cpu_busy_mixed=round(served_mixed.cpu_busy, 2),
            **common,
        )
        if lost:
            sys.exit(f"something was lost or doubled: {json.dumps(checks)}")
        if replica_transactions < mixed.rates["report"] * seconds * 0.9:
            sys.exit(
                f"the replica ran {replica_transactions} transactions for the report reads: not serving them"
            )
    finally:
        if "stripe_server" in locals():
            stripe_server.shutdown()
        cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--verify", nargs=2, type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.prepare:
        prepare()
    elif options.verify:
        verify(*options.verify)
    else:
        measure(options.seconds)


if __name__ == "__main__":
    main()
