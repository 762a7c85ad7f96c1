"""The shared data builder of every benchmark: a realistic programme on PostgreSQL (SPEC §12).

10 campaigns (one a season), 10,000 hosts, 50,000 held parties, 500,000 guests, 1,000,000 orders
(code 45 %, link 25 %, guest 15 %, unattributed 15 %; 5 % refunded in part or in full, 1 %
cancelled), a click behind every link order plus as many that did not convert, kits shipped with
returns, ledger lines in every state — and the report rollup of every order, built with the same
function the application uses at ingestion, then the report's facts filled from it by SQL.

Rows are generated in Python and loaded with COPY (no ORM call, no model instance per row), the
orders in chunks of 250,000 with their report rows, so memory stays flat at any size. The tables that
grow with the orders are loaded without their secondary indexes and keys, built again once at the
end, and each chunk is COPYed by a thread while the next is generated. The build line gives the
seconds of each phase. The database named by DATABASE_URL is flushed first: point it at a database
of its own. Usage:

    DATABASE_URL=postgres://soiree:soiree@127.0.0.1:5432/soiree_bench .venv/bin/python bench/build.py \\
        [--scale 1.0] [--history 1.0]

`--scale 0.01` builds a hundredth of it (a quick check); `--scale 10` ten times everything.
`--history 10` keeps the people and parties and multiplies the orders: 10M orders on the same
10,000 hosts, the programme after more seasons of sales, where a report by host returns the same
rows from ten times the history. `bench/run` builds once and reuses it.
"""

import argparse
import json
import operator
import os
import random
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
os.environ.setdefault("TASKS_BACKEND", "immediate")
os.environ.setdefault("EMAIL_URL", "locmem://")
os.environ.setdefault("LOG_LEVEL", "ERROR")

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from psycopg import sql  # noqa: E402
from psycopg.types.json import Jsonb  # noqa: E402

from ambassadors.models import Application, Campaign, Guest, Host, Party  # noqa: E402
from backend.models import User  # noqa: E402
from backend.money import round_money  # noqa: E402
from kits.models import Item, Shipment, ShipmentLine  # noqa: E402
from orders.models import CurrencyStatus, Order, Refund  # noqa: E402
from referrals.models import (  # noqa: E402
    AttributedSale,
    Attribution,
    Click,
    HostSales,
    LedgerEntry,
    PartyGuestCount,
    ReferralCode,
    SaleFact,
    ScopeBuyer,
    ScopeBuyers,
)
from referrals.reports.facts import ROLLUP_COLUMNS, attributed_sale_values, rebuild_report_facts  # noqa: E402

CAMPAIGNS, HOSTS, PARTIES_PER_HOST, GUESTS_PER_PARTY, ORDERS = 10, 10_000, 5, 10, 1_000_000
WINDOW_DAYS = 30
ORDER_CHUNK = 250_000  # orders generated, then loaded with theirs, at a time: memory stays flat at 10M
BUILD_LIMIT_MINUTES = 30  # the 10M-order programme (`--history 10`) is built in less


class Copier:
    """COPY rows of one model: the columns given per row; every other column at its model default,
    which PostgreSQL fills in (each is the column's default while the rows load, none after), so a
    row costs only the columns that vary."""

    def __init__(self, model: type[models.Model], names: Sequence[str]) -> None:
        self.table = model._meta.db_table
        fields = {f.attname: f for f in model._meta.concrete_fields}
        now = timezone.now()
        self.defaults: list[tuple[str, Any]] = []
        for attname, f in fields.items():
            if attname in names:
                continue
            if f.has_default():
                value = f.get_default()
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            elif f.null:
                continue  # NULL: PostgreSQL's own default
            else:
                value = "" if isinstance(f, models.CharField | models.TextField) else None
            self.defaults.append((f.column, Jsonb(value) if isinstance(f, models.JSONField) else value))
        columns = sql.SQL(", ").join(sql.Identifier(fields[name].column) for name in names)
        self.copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(self.table), columns)

    @contextmanager
    def defaults_set(self) -> Iterator[None]:
        """The model defaults as the columns' defaults, in a transaction (a savepoint inside one)."""
        with transaction.atomic(), connection.cursor() as cursor:
            alter = "ALTER TABLE {} ALTER COLUMN {} "
            for column, value in self.defaults:
                statement = sql.SQL(alter + "SET DEFAULT {}").format(
                    sql.Identifier(self.table), sql.Identifier(column), sql.Literal(value)
                )
                cursor.execute(statement.as_string(cursor.connection))
            yield
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the rows' key checks, before ALTER TABLE
            for column, _value in self.defaults:
                statement = sql.SQL(alter + "DROP DEFAULT").format(
                    sql.Identifier(self.table), sql.Identifier(column)
                )
                cursor.execute(statement.as_string(cursor.connection))

    def copy(self, rows: Iterable[Sequence[Any]], into: psycopg.Connection[Any]) -> int:
        """COPY the rows on a connection whose defaults are set (any thread: no Django state)."""
        count = 0
        with into.cursor() as cursor, cursor.copy(self.copy_sql) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count

    def load(self, rows: Iterable[Sequence[Any]]) -> int:
        with self.defaults_set():
            return self.copy(rows, connection.connection)


# The tables that grow with the orders: loaded without their secondary indexes and constraints, which
# are built again once, from the loaded rows (see `_indexes_built_after`).
ORDER_TABLES = (
    Order,
    Click,
    Refund,
    Attribution,
    AttributedSale,
    SaleFact,
    HostSales,
    ScopeBuyer,
    ScopeBuyers,
)


@contextmanager
def _indexes_built_after(tables: Sequence[type[models.Model]]) -> Iterator[None]:
    """Load the tables without their secondary indexes, unique and foreign-key constraints, then
    build each again from the loaded rows: one sort per index and one join per foreign key instead
    of an index insertion and a key check per row (at 10M orders, most of the loading time).

    All in one transaction, so a build that stops half-way leaves the schema as migrated. Primary
    keys stay (foreign keys from elsewhere need them), and so do partial indexes: each row costs
    them a test of their condition at most, while building one again scans the whole table (and
    would come back with its condition spelled otherwise). Each is re-created by the definition
    PostgreSQL reports. The sorts and joins get memory enough to stay out of temporary files."""
    names = [model._meta.db_table for model in tables]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '512MB'")  # the facts' groupings, the keys' validating joins
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('f', 'u') ORDER BY contype, conname",
            [names],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
            " WHERE indrelid = ANY(%s::regclass[]) AND indpred IS NULL"
            " AND NOT EXISTS (SELECT FROM pg_constraint WHERE conindid = indexrelid) ORDER BY 1",
            [names],
        )
        indexes = cursor.fetchall()
        for table, name, _definition in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        yield
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in reversed(constraints):  # unique ones first: keys may point at them
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


class _Stamps:
    """Times as whole seconds since the epoch, written as COPY's text by two table look-ups: a
    datetime formats itself in microseconds, several times per order, the biggest cost of loading 10M."""

    EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

    def __init__(self) -> None:
        self.days: dict[int, str] = {}
        self.clock = [f" {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}+00" for s in range(86_400)]

    @classmethod
    def seconds(cls, when: datetime) -> int:
        return int((when - cls.EPOCH).total_seconds())

    def text(self, seconds: int) -> str:
        day, second = divmod(seconds, 86_400)
        date = self.days.get(day)
        if date is None:
            date = self.days[day] = (self.EPOCH + timedelta(days=day)).strftime("%Y-%m-%d")
        return date + self.clock[second]


class _StoredOrder:
    """What the report row reads of an order as stored, with `Order`'s own amount rules: a model
    instance each would cost more than the rest of an order's row at 10M orders."""

    __slots__ = ("placed_at", "customer_email", "total", "commissionable_amount", "refunded_amount", "status")
    currency_status, reward_amount = CurrencyStatus.SAME, None  # every order of the programme is in euros
    net_commissionable_amount = Order.net_commissionable_amount
    commissionable_in_reward_currency = Order.commissionable_in_reward_currency

    def __init__(
        self,
        placed_at: str,
        email: str,
        total: Decimal,
        commissionable: Decimal,
        refunded: Decimal,
        status: str,
    ) -> None:
        self.placed_at, self.customer_email, self.total = placed_at, email, total
        self.commissionable_amount, self.refunded_amount, self.status = commissionable, refunded, status


class _StoredAttribution(NamedTuple):
    method: str
    campaign_id: int | None
    host_id: int | None
    party_id: int | None


def rollup_values(
    *, order: _StoredOrder, attribution: _StoredAttribution, guest_bought: bool
) -> tuple[Any, ...]:
    """The report row of one generated order (its `ROLLUP_COLUMNS`), by the function ingestion uses."""
    row = attributed_sale_values(order=order, attribution=attribution, guest_bought=guest_bought)  # type: ignore[arg-type]
    return _rollup_row(row)


_rollup_row = operator.itemgetter(*ROLLUP_COLUMNS)


class _OrderChunk:
    """Orders generated and not loaded yet, with their clicks, refunds, attributions and report rows:
    `load` hands them to a thread that COPYs them (orders first, for the keys) on the build's own
    connection and transaction, while the next chunk is generated; `done` waits for the last."""

    TABLES = {
        "orders": (
            Order,
            [
                "id",
                "source",
                "external_id",
                "placed_at",
                "customer_email",
                "currency",
                "subtotal",
                "discount",
                "shipping",
                "tax",
                "total",
                "commissionable_amount",
                "refunded_amount",
                "code",
                "landing_token",
                "status",
                "fingerprint",
            ],
        ),
        "clicks": (Click, ["id", "code_id", "at", "token", "visitor_hash"]),
        "refunds": (
            Refund,
            [
                "id",
                "source",
                "external_id",
                "order_id",
                "order_reference",
                "amount",
                "currency",
                "status",
                "refunded_at",
            ],
        ),
        "attributions": (
            Attribution,
            [
                "id",
                "order_id",
                "method",
                "reason",
                "campaign_id",
                "host_id",
                "party_id",
                "referral_code_id",
                "click_id",
                "earns",
                "explanation",
                "decided_at",
            ],
        ),
        "rollup": (AttributedSale, ["order_id", "refreshed_at", *ROLLUP_COLUMNS]),
    }

    def __init__(self) -> None:
        self.copiers = {name: Copier(model, names) for name, (model, names) in self.TABLES.items()}
        self._start()
        self.loaded = {"refunds": 0, "clicks": 0}
        self.writer = ThreadPoolExecutor(max_workers=1)
        self.pending: Future[None] | None = None

    def _start(self) -> None:
        """New lists for the next chunk's rows (the thread may still be COPYing the last ones)."""
        self.rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in self.TABLES}
        self.orders, self.clicks, self.refunds = (
            self.rows["orders"],
            self.rows["clicks"],
            self.rows["refunds"],
        )
        self.attributions, self.rollup = self.rows["attributions"], self.rows["rollup"]

    @contextmanager
    def defaults_set(self) -> Iterator[None]:
        with ExitStack() as stack:
            for copier in self.copiers.values():
                stack.enter_context(copier.defaults_set())
            yield

    def _copy(self, rows: dict[str, list[tuple[Any, ...]]], into: psycopg.Connection[Any]) -> None:
        for name, copier in self.copiers.items():
            copier.copy(rows[name], into)

    def load(self) -> None:
        self.done()
        self.loaded["refunds"] += len(self.refunds)
        self.loaded["clicks"] += len(self.clicks)
        self.pending = self.writer.submit(self._copy, self.rows, connection.connection)
        self._start()

    def done(self) -> None:
        if self.pending is not None:
            self.pending.result()  # its error, if any, raised here
            self.pending = None


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def build(
    scale: float = 1.0,
    seed: int = 2026,
    history: float = 1.0,
    phases: dict[str, float] | None = None,
    now: datetime | None = None,
) -> dict[str, int]:
    """Build the programme as of `now` (the present second when not given); `phases` (when given)
    receives the seconds each part of the build took."""
    rng = random.Random(seed)
    phases = {} if phases is None else phases
    lap = [time.perf_counter()]

    def _lap() -> float:
        lap.append(time.perf_counter())
        return round(lap[-1] - lap[-2], 1)

    hosts_n = max(int(HOSTS * scale), CAMPAIGNS)
    orders_n = int(ORDERS * scale * history)
    now = (now or timezone.now()).replace(microsecond=0)
    call_command("flush", interactive=False, verbosity=0)

    campaigns = []
    for k in range(CAMPAIGNS):
        start = now - timedelta(days=730) + timedelta(days=55 * k)
        campaigns.append(
            Campaign.objects.create(
                name=f"Season {k + 1}",
                slug=f"season-{k + 1}",
                shop_url="https://shop.example.com/collection",
                applications_open_at=start - timedelta(days=30),
                applications_close_at=start - timedelta(days=1),
                host_slots=hosts_n,
                party_window_start=start,
                party_window_end=start + timedelta(days=120),
                attribution_window_days=WINDOW_DAYS,
                currency="EUR",
                status="running" if k == CAMPAIGNS - 1 else "closed",
                eligible_countries=["FR", "BE"],
            )
        )

    # --- people: users, applications, hosts, their codes
    host_ids = list(range(1, hosts_n + 1))
    host_campaign = {h: campaigns[(h - 1) % CAMPAIGNS] for h in host_ids}
    areas = [f"{d:02d}" for d in range(1, 96)]
    host_postal = {h: f"{rng.choice(areas)}{rng.randint(0, 999):03d}" for h in host_ids}
    Copier(User, ["id", "email", "password", "first_name", "last_name", "date_joined"]).load(
        (h, f"host{h}@hosts.example.com", "!", "Clara", f"Host{h}", now) for h in host_ids
    )
    app_fields = ["id", "campaign_id", "status", "first_name", "last_name", "email", "phone", "address_line1"]
    Copier(
        Application, [*app_fields, "postal_code", "city", "country", "expected_guests", "terms_accepted_at"]
    ).load(
        (
            h,
            host_campaign[h].pk,
            "selected",
            "Clara",
            f"Host{h}",
            f"host{h}@hosts.example.com",
            f"+336{h:08d}",
            "1 rue de la Paix",
            host_postal[h],
            "Paris",
            "FR",
            12,
            host_campaign[h].party_window_start - timedelta(days=20),
        )
        for h in host_ids
    )
    host_fields = [
        "id",
        "user_id",
        "campaign_id",
        "application_id",
        "status",
        "first_name",
        "last_name",
        "phone",
    ]
    Copier(Host, [*host_fields, "address_line1", "postal_code", "city", "country", "selected_at"]).load(
        (
            h,
            h,
            host_campaign[h].pk,
            h,
            "active" if h % 50 else "paused",
            "Clara",
            f"Host{h}",
            f"+336{h:08d}",
            "1 rue de la Paix",
            host_postal[h],
            "Paris",
            "FR",
            host_campaign[h].party_window_start - timedelta(days=10),
        )
        for h in host_ids
    )

    # --- parties (held, spread over the party window), their codes and guests
    parties: dict[int, list[tuple[int, int]]] = {}  # host → (party, its start in seconds since the epoch)
    party_rows = []
    party_id = 0
    for h in host_ids:
        campaign = host_campaign[h]
        for _ in range(PARTIES_PER_HOST):
            party_id += 1
            starts = campaign.party_window_start + timedelta(minutes=rng.randint(0, 120 * 24 * 60))
            ends = starts + timedelta(days=WINDOW_DAYS)
            parties.setdefault(h, []).append((party_id, _Stamps.seconds(starts)))
            status = "closed" if ends < now else "held"
            party_rows.append(
                (
                    party_id,
                    h,
                    campaign.pk,
                    f"Party {party_id}",
                    starts,
                    "Paris",
                    host_postal[h],
                    12,
                    status,
                    ends,
                )
            )
    Copier(
        Party,
        [
            "id",
            "host_id",
            "campaign_id",
            "title",
            "starts_at",
            "city",
            "postal_code",
            "expected_guests",
            "status",
            "attribution_ends_at",
        ]
        + ["public_token", "held_at"],
    ).load((*row, f"bench-party-{row[0]}", row[4] + timedelta(hours=4)) for row in party_rows)
    codes: dict[int, tuple[int, str]] = {}  # host → host code
    party_codes: dict[int, tuple[int, str]] = {}  # party → party code
    code_rows = []
    for h in host_ids:
        code_rows.append((h, f"HOST{h}-{h % 97:02d}", "host", host_campaign[h].pk, h, None))
        codes[h] = (h, code_rows[-1][1])
    for pid, h, campaign_id, *_ in party_rows:
        code_rows.append((hosts_n + pid, f"PARTY{pid}", "party", campaign_id, h, pid))
        party_codes[pid] = (hosts_n + pid, f"PARTY{pid}")
    Copier(ReferralCode, ["id", "code", "kind", "campaign_id", "host_id", "party_id", "created_at"]).load(
        (*row, now - timedelta(days=800)) for row in code_rows
    )
    Copier(Guest, ["id", "party_id", "source", "first_name", "email", "consent_at", "withdrawal_token"]).load(
        (
            pid * GUESTS_PER_PARTY + j,
            pid,
            "host",
            "Lou",
            f"g{pid}-{j}@guests.example.com",
            now,
            f"bench-withdraw-{pid}-{j}",
        )
        for pid, *_ in party_rows
        for j in range(GUESTS_PER_PARTY)
    )
    # The report's per-party guest counts, as the guest receivers keep them (COPY sends no signal).
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {PartyGuestCount._meta.db_table} (party_id, guests) "  # noqa: S608
            "SELECT party_id, COUNT(*) FROM ambassadors_guest GROUP BY party_id"
        )

    # --- orders, their attribution, refunds, clicks and report rows, in one pass, loaded in chunks
    phases["people and parties"] = _lap()
    chunk = _OrderChunk()
    with _indexes_built_after(ORDER_TABLES), chunk.defaults_set():
        click_id = 0
        buyers = max(orders_n * 2 // 5, 1)
        stamps, latest, now_text = _Stamps(), _Stamps.seconds(now) - 60, now.isoformat()
        zero, shipping, tenth = Decimal("0.00"), Decimal("5.00"), Decimal("0.10")
        for o in range(1, orders_n + 1):
            h = host_ids[(o - 1) % hosts_n]
            campaign = host_campaign[h]
            pid, opens = rng.choice(parties[h])
            roll = rng.random()
            placed = min(opens + 60 * rng.randint(0, WINDOW_DAYS * 24 * 60 - 1), latest)
            placed_at = stamps.text(placed)
            email = f"b{rng.randrange(buyers)}@buyers.example.com"
            code_text, token, click, code_id, party, method, explanation = (
                "",
                "",
                None,
                None,
                None,
                "none",
                "",
            )
            if roll < 0.45:
                method = "code"
                if rng.random() < 0.5:
                    code_id, code_text = party_codes[pid]
                    party = pid
                    if rng.random() < 0.5:
                        email = f"g{pid}-{rng.randrange(GUESTS_PER_PARTY)}@guests.example.com"
                else:
                    code_id, code_text = codes[h]
                explanation = f"code {code_text} entered at checkout"
            elif roll < 0.70:
                method = "link"
                code_id, code_text = party_codes[pid] if rng.random() < 0.5 else codes[h]
                party = pid if code_text.startswith("PARTY") else None
                click_id += 1
                click = click_id
                token = f"t{click_id:012d}"
                clicked = stamps.text(placed - 60 * rng.randint(1, 3 * 24 * 60))
                chunk.clicks.append((click_id, code_id, clicked, token, "bench"))
                click_id += 1  # a visit that did not convert
                chunk.clicks.append((click_id, code_id, clicked, f"t{click_id:012d}", "bench"))
                explanation = f"link of {code_text} clicked earlier"
                code_text = ""
            elif roll < 0.85:
                method, party = "guest", pid
                email = f"g{pid}-{rng.randrange(GUESTS_PER_PARTY)}@guests.example.com"
                explanation = f"guest of party #{pid} held earlier"
            credited = method != "none"
            h_credit = h if credited else None
            subtotal = _money(rng, 20, 300)
            discount = round_money(subtotal * tenth) if method == "code" else zero
            total = subtotal - discount + shipping
            commissionable = subtotal - discount
            status, refunded = "paid", zero
            fate = rng.random()
            if fate < 0.025:
                status, refunded = "refunded", total
            elif fate < 0.05:
                status, refunded = "partially_refunded", round_money(total / 4)
            elif fate < 0.06:
                status = "cancelled"
            chunk.orders.append(
                (
                    o,
                    "api",
                    f"BENCH-{o:08d}",
                    placed_at,
                    email,
                    "EUR",
                    subtotal,
                    discount,
                    shipping,
                    zero,
                )
                + (total, commissionable, refunded, code_text, token, status, f"{o:064x}")
            )
            if refunded:
                chunk.refunds.append(
                    (o, "api", f"R-{o:08d}", o, f"BENCH-{o:08d}", refunded, "EUR", "succeeded", placed_at)
                )
            earns = credited and h % 50 != 0
            attribution = (
                o,
                o,
                method,
                "" if credited else "no_match",
                campaign.pk if credited else None,
                h_credit,
            )
            chunk.attributions.append(
                (*attribution, party)
                + (
                    code_id,
                    click,
                    earns,
                    explanation or "unattributed: no code, link or guest list matched",
                    placed_at,
                )
            )
            # The order's report row, by the function ingestion uses, from the order as stored; a guest
            # bought when the e-mail is on the credited party's list (the guests made above).
            chunk.rollup.append(
                (o, now_text)
                + rollup_values(
                    order=_StoredOrder(placed_at, email, total, commissionable, refunded, status),
                    attribution=_StoredAttribution(method, attribution[4], h_credit, party),
                    guest_bought=party is not None and email.startswith(f"g{party}-"),
                )
            )
            if len(chunk.orders) == ORDER_CHUNK:
                chunk.load()
        chunk.load()
        chunk.done()
        phases["orders"] = _lap()
        # The report's facts of every rollup row, by SQL in a few set-based statements (as the data migration).
        rebuild_report_facts()
        phases["report facts"] = _lap()
    phases["indexes and keys"] = _lap()

    # --- kits shipped (cost shipped − returned good) and ledger lines in every state
    items = [(i, f"BENCH-{i:03d}", f"Garment {i}", _money(rng, 8, 40)) for i in range(1, 21)]
    Copier(Item, ["id", "sku", "name", "unit_cost", "retail_price"]).load(
        (i, sku, name, cost, cost * 3) for i, sku, name, cost in items
    )
    shipment_fields = ["id", "number", "host_id", "campaign_id", "status", "ship_to_name", "ship_to_line1"]
    shipment_fields += [
        "ship_to_postal_code",
        "ship_to_city",
        "ship_to_country",
        "ship_to_phone",
        "shipped_at",
    ]
    Copier(Shipment, shipment_fields).load(
        (h, f"K{h:08d}", h, host_campaign[h].pk, "returned", f"Host{h}", "1 rue de la Paix")
        + (
            host_postal[h],
            "Paris",
            "FR",
            f"+336{h:08d}",
            host_campaign[h].party_window_start - timedelta(days=5),
        )
        for h in host_ids
    )
    Copier(
        ShipmentLine,
        [
            "id",
            "shipment_id",
            "item_id",
            "quantity",
            "unit_cost",
            "retail_price",
            "returnable",
            "returned_good",
        ],
    ).load(
        (h * 10 + n, h, item[0], 5, item[3], item[3] * 3, True, rng.randint(0, 5))
        for h in host_ids
        for n, item in enumerate(items[(h % 4) * 5 : (h % 4) * 5 + 5])
    )
    ledger_fields = ["id", "host_id", "campaign_id", "kind", "state", "basis", "amount", "currency"]
    ledger_fields += ["description", "created_at", "approvable_at"]
    states = ["pending", "approved", "paid"]
    Copier(LedgerEntry, ledger_fields).load(
        (pid, h, cid, "accrual", states[pid % 3], f"party:{pid}", _money(rng, 10, 120), "EUR")
        + (f"party #{pid}", ends, ends + timedelta(days=30))
        for pid, h, cid, _title, _starts, *_rest, ends in party_rows
    )
    with connection.cursor() as cursor:
        for model in (User, Application, Host, Party, ReferralCode, Guest, Order, Click, Refund, Attribution):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 1)) FROM {table}"
            )
        for model in (Item, Shipment, ShipmentLine, LedgerEntry):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 1)) FROM {table}"
            )
    phases["kits and ledger"] = _lap()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # fresh statistics, and a visibility map for index-only scans
    phases["vacuum"] = _lap()
    return {
        "campaigns": CAMPAIGNS,
        "hosts": hosts_n,
        "parties": len(party_rows),
        "guests": len(party_rows) * GUESTS_PER_PARTY,
        "orders": orders_n,
        **chunk.loaded,
    }


def built_scale() -> int:
    """How many orders the database holds (0 when it was never built)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('orders_order') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return 0
    return Order.objects.count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument(
        "--history",
        type=float,
        default=1.0,
        help="orders (with their clicks and refunds) times this, the people and parties as --scale says:"
        " the same programme after more seasons of sales",
    )
    parser.add_argument("--check", action="store_true", help="exit 0 when already built at this scale")
    parser.add_argument(
        "--figure",
        action="store_true",
        help="after the build line, the build time as a figure of the run (target: under 30 minutes)",
    )
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/build.py builds on PostgreSQL: set DATABASE_URL=postgres://...")
    if options.check:
        sys.exit(0 if built_scale() == int(ORDERS * options.scale * options.history) else 1)
    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    phases: dict[str, float] = {}
    counts = build(options.scale, history=options.history, phases=phases)
    seconds = round(time.perf_counter() - started, 1)
    print(json.dumps({"built": counts, "seconds": seconds, "phases": phases}), flush=True)
    if options.figure:
        sys.path.insert(0, str(ROOT / "bench"))
        from figures import emit

        emit(
            figure=f"programme of {counts['orders']:,} orders built (bench/build.py) in a database of its own",
            measured=seconds / 60,
            unit="min",
            baseline=BUILD_LIMIT_MINUTES,
            baseline_what="the fixed limit of the target (a build has no baseline of its own run)",
            target_ratio=1.0,
            better="lower",
            phases=phases,
        )


if __name__ == "__main__":
    main()
