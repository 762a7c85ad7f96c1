"""Marketing's attribution report (SPEC §9): the queries, and the rollup that keeps them fast.

Every fact the report counts belongs to exactly one row whatever the grouping, so the rows of any
grouping add up to the ungrouped totals:

- orders, buyers, sales, refunds, guests who bought — one per order, from `AttributedSale`;
- guests — one per guest of a party that is not cancelled (dated by the party's day);
- clicks — one per click (dated by the click);
- kit cost — one per shipped kit line, cost shipped minus cost returned in good state (dated by
  the shipping day);
- rewards — one per ledger line, payouts excluded (dated by the line).

A fact that has no value for a dimension (a click has no attribution method, a kit belongs to no
party) falls in the row whose key is empty when grouped by that dimension, and is left out when
the report is filtered on it. Distinct buyers and the ratios are not additive: the totals row
computes them over the whole selection.

Money is the commissionable amount (subtotal − discount; tax and shipping never count), like the
rewards: gross sales as ordered, refunds as the commissionable share given back, net sales as
`Order.net_commissionable_amount`. Cancelled orders are no sale and count nowhere.
"""

import hashlib
import hmac
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Substr, Trunc, TruncDate, Upper
from django.utils import timezone

from ambassadors.models import Campaign, Guest, Host, Party, PartyStatus
from backend.db_router import report_reads
from backend.errors import Invalid
from kits.models import ShipmentLine, ShipmentStatus
from orders.models import Order, OrderStatus
from referrals.models import (
    AttributedSale,
    Attribution,
    AttributionMethod,
    Click,
    EntryKind,
    EntryState,
    LedgerEntry,
    PartyGuestCount,
)

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
GROUPINGS = ("host", "party", "campaign", "day", "week", "method", "postal_area")
# Columns that add up across the rows of a grouping (the others are ratios or distinct counts).
ADDITIVE = (
    "orders",
    "gross_sales",
    "refunds",
    "net_sales",
    "rewards_accrued",
    "rewards_approved",
    "rewards_paid",
    "guests",
    "clicks",
    "kit_cost",
)


SUMMED = tuple(name for name in ADDITIVE if name != "refunds")  # refunds = gross − net


# --- Keeping the rollup current -------------------------------------------------------------------


def buyer_key(email: str) -> int:
    """A keyed 64-bit digest of a buyer's e-mail: counts distinct buyers without storing addresses."""
    digest = hmac.new(
        f"referrals.report-buyer:{settings.SECRET_KEY}".encode(),
        email.strip().lower().encode(),
        hashlib.sha256,
    ).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def attributed_sale_values(*, order: Order, attribution: Attribution, guest_bought: bool) -> dict[str, Any]:
    """The rollup row of one order, from the order and its attribution (also used by the bench)."""
    is_sale = order.status != OrderStatus.CANCELLED
    return {
        "campaign_id": attribution.campaign_id,
        "host_id": attribution.host_id,
        "party_id": attribution.party_id,
        "method": attribution.method,
        "placed_at": order.placed_at,
        "buyer": buyer_key(order.customer_email),
        "is_sale": is_sale,
        "gross": order.commissionable_amount if is_sale else ZERO,
        "net": order.net_commissionable_amount,
        "guest_bought": guest_bought,
    }


@transaction.atomic
def refresh_attributed_sale(*, order: Order, attribution: Attribution | None = None) -> AttributedSale | None:
    """Write the report's row of `order` from today's facts (after attribution, refund, cancellation).

    Called inside the transaction that changed the order or its attribution, so the rollup commits
    with the change or not at all. Idempotent: running it again writes the same values. Without
    `attribution` (a refund, a cancellation) the order and its attribution are read again.
    """
    if attribution is None:
        order = Order.objects.get(pk=order.pk)
        attribution = Attribution.objects.filter(order=order).first()
        if attribution is None:
            return None
    guest_bought = bool(
        attribution.party_id
        and order.customer_email
        and Guest.objects.filter(party_id=attribution.party_id, email=order.customer_email).exists()
    )
    values = attributed_sale_values(order=order, attribution=attribution, guest_bought=guest_bought)
    # One upsert (INSERT … ON CONFLICT DO UPDATE): it runs for every order ingested.
    (sale,) = AttributedSale.objects.bulk_create(
        [AttributedSale(order=order, refreshed_at=timezone.now(), **values)],
        update_conflicts=True,
        unique_fields=["order"],
        update_fields=[*values, "refreshed_at"],
    )
    return sale


def count_party_guests(*, party_id: int, change: int) -> None:
    """Add `change` (+1 a guest added, −1 a guest deleted) to the party's guest count, in the
    transaction that added or deleted the guest. An increment, not a recount, so two guests added
    at once both count. A deletion only updates: a party deleted with its guests takes its row."""
    if change < 0:
        PartyGuestCount.objects.filter(party_id=party_id).update(guests=F("guests") + change)
        return
    table = PartyGuestCount._meta.db_table
    with connections[PartyGuestCount.objects.db].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (party_id, guests) VALUES (%s, %s) "  # noqa: S608
            f"ON CONFLICT (party_id) DO UPDATE SET guests = {table}.guests + excluded.guests",
            [party_id, change],
        )


# --- Query input ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFilters:
    """What marketing asked for. Dates are whole UTC days, both ends included."""

    campaign_id: int | None = None
    host_id: int | None = None
    party_id: int | None = None
    method: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def since(self) -> datetime | None:
        return datetime.combine(self.date_from, time.min, tzinfo=UTC) if self.date_from else None

    def until(self) -> datetime | None:
        """Exclusive upper bound: midnight after `date_to`."""
        return (
            datetime.combine(self.date_to + timedelta(days=1), time.min, tzinfo=UTC) if self.date_to else None
        )


@dataclass
class ReportRow:
    key: Any
    label: str
    orders: int = 0
    buyers: int = 0
    gross_sales: Decimal = ZERO
    net_sales: Decimal = ZERO
    rewards_accrued: Decimal = ZERO
    rewards_approved: Decimal = ZERO
    rewards_paid: Decimal = ZERO
    guests: int = 0
    guests_who_bought: int = 0
    clicks: int = 0
    kit_cost: Decimal = ZERO

    @property
    def refunds(self) -> Decimal:
        return self.gross_sales - self.net_sales

    @property
    def average_order_value(self) -> Decimal | None:
        return (self.gross_sales / self.orders).quantize(CENT) if self.orders else None

    @property
    def guest_conversion(self) -> Decimal | None:
        return (
            (Decimal(self.guests_who_bought) / self.guests).quantize(Decimal("0.0001"))
            if self.guests
            else None
        )

    @property
    def return_on_kit(self) -> Decimal | None:
        return (self.net_sales / self.kit_cost).quantize(CENT) if self.kit_cost > 0 else None


@dataclass
class Report:
    group_by: str | None
    currency: str | None
    filters: ReportFilters
    rows: list[ReportRow] = field(default_factory=list)
    totals: ReportRow = field(default_factory=lambda: ReportRow(key=None, label="total"))


# --- Where each fact falls, per grouping ----------------------------------------------------------


def _postal_area(host_prefix: str) -> Any:
    """'FR-75': the country and the first two characters of the host's postal code (a département in France)."""
    return Case(
        When(**{f"{host_prefix.removesuffix('__')}__isnull": True}, then=Value(None)),
        default=Concat(
            F(f"{host_prefix}country"),
            Value("-"),
            Upper(Substr(F(f"{host_prefix}postal_code"), 1, 2)),
            output_field=CharField(),
        ),
        output_field=CharField(),
    )


def _day(field_name: str) -> Any:
    return TruncDate(field_name, tzinfo=UTC)


def _week(field_name: str) -> Any:
    return Trunc(field_name, "week", output_field=DateField(), tzinfo=UTC)


_PARTY_OF_BASIS = Case(
    When(basis__startswith="party:", then=Cast(Substr("basis", 7), IntegerField())),
    default=None,
    output_field=IntegerField(),
)

# For each fact: the expression of each grouping key (None: the fact has no value for it).
_KEYS: dict[str, dict[str, Any]] = {
    "sale": {
        "host": F("host_id"),
        "party": F("party_id"),
        "campaign": F("campaign_id"),
        "day": _day("placed_at"),
        "week": _week("placed_at"),
        "method": F("method"),
        "postal_area": _postal_area("host__"),
    },
    "guest": {
        "host": F("party__host_id"),
        "party": F("party_id"),
        "campaign": F("party__campaign_id"),
        "day": _day("party__starts_at"),
        "week": _week("party__starts_at"),
        "method": None,
        "postal_area": _postal_area("party__host__"),
    },
    "click": {
        "host": F("code__host_id"),
        "party": F("code__party_id"),
        "campaign": F("code__campaign_id"),
        "day": _day("at"),
        "week": _week("at"),
        "method": None,
        "postal_area": _postal_area("code__host__"),
    },
    "kit": {
        "host": F("shipment__host_id"),
        "party": None,
        "campaign": F("shipment__campaign_id"),
        "day": _day("shipment__shipped_at"),
        "week": _week("shipment__shipped_at"),
        "method": None,
        "postal_area": _postal_area("shipment__host__"),
    },
    "reward": {
        "host": F("host_id"),
        "party": _PARTY_OF_BASIS,
        "campaign": F("campaign_id"),
        "day": _day("created_at"),
        "week": _week("created_at"),
        "method": None,
        "postal_area": _postal_area("host__"),
    },
}


@dataclass(frozen=True)
class _Branch:
    """One SELECT of the report's single statement: the columns it yields after `what` and `key`,
    and whether it counts over the whole selection rather than per key."""

    names: tuple[str, ...]
    sql: str
    params: tuple[Any, ...]
    keyed: bool = True  # False: every row of the branch falls under the empty key
    whole: bool = False


def _grouped(queryset: QuerySet[Any], fact: str, group_by: str | None, **aggregates: Any) -> list[_Branch]:
    """The aggregates of `fact` per key of `group_by`; one row with an empty key when the fact has
    no value for that dimension (or nothing is grouped). No branch when nothing can match."""
    key = _KEYS[fact][group_by] if group_by else None
    grouped = (
        queryset.order_by()
        .values(key=Value(None, output_field=IntegerField()) if key is None else key)
        .annotate(**aggregates)
        .order_by()
    )
    try:
        sql, params = grouped.query.get_compiler(using=grouped.db).as_sql()
    except EmptyResultSet:
        return []
    return [_Branch(names=tuple(aggregates), sql=sql, params=tuple(params), keyed=key is not None)]


# Every column the branches yield, and whether it is a count (else money).
_COLUMNS = (
    ("orders", True),
    ("buyers", True),
    ("gross_sales", False),
    ("net_sales", False),
    ("guests", True),
    ("guests_who_bought", True),
    ("clicks", True),
    ("kit_cost", False),
    ("rewards_accrued", False),
    ("rewards_approved", False),
    ("rewards_paid", False),
)


def _fetch(
    branches: list[_Branch], group_by: str | None, alias: str
) -> Iterator[tuple[bool, Any, list[Any]]]:
    """Every branch in one statement, merged per key by the database: one round trip, one row per
    key (PostgreSQL may run the branches side by side in parallel workers). Each row as whether it
    counts over the whole selection, its key and the values of `_COLUMNS` (None: no fact)."""
    if not branches:
        return
    # Keyed branches first: PostgreSQL types the key column of a UNION from its first branches.
    branches = sorted(branches, key=lambda branch: not branch.keyed)
    quote = connections[alias].ops.quote_name
    selects: list[str] = []
    params: list[Any] = []
    for branch in branches:
        values = [
            (
                f"d.{quote(name)}"
                if name in branch.names
                else f"CAST(NULL AS {'BIGINT' if count else 'NUMERIC'})"
            )
            + f" AS {quote(name)}"
            for name, count in _COLUMNS
        ]
        # An empty key is a bare NULL, typed by the keyed branches before it (a NULL read from a
        # subquery would be text). Only fixed fragments are interpolated; values are parameters.
        key = f"d.{quote('key')}" if branch.keyed else "NULL"
        selects.append(
            f"SELECT {int(branch.whole)} AS whole, {key} AS k, {', '.join(values)} FROM ({branch.sql}) d"  # noqa: S608
        )
        params.extend(branch.params)
    sums = ", ".join(
        f"CAST(SUM(u.{quote(name)}) AS BIGINT)" if count else f"SUM(u.{quote(name)})"
        for name, count in _COLUMNS
    )
    sql = f"SELECT u.whole, u.k, {sums} FROM ({' UNION ALL '.join(selects)}) u GROUP BY u.whole, u.k"  # noqa: S608
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        for whole, key, *values in cursor.fetchall():
            yield bool(whole), _as_key(group_by, key), values


def _money(value: Decimal | float) -> Decimal:
    """A sum read without the ORM, as the ORM reads it (SQLite hands sums back as floats)."""
    return value if isinstance(value, Decimal) else Decimal(str(value)).quantize(CENT)


# --- The facts, filtered -------------------------------------------------------------------------


def _sales(filters: ReportFilters) -> QuerySet[AttributedSale]:
    sales = AttributedSale.objects.all()
    if filters.campaign_id is not None:
        sales = sales.filter(campaign_id=filters.campaign_id)
    if filters.host_id is not None:
        sales = sales.filter(host_id=filters.host_id)
    if filters.party_id is not None:
        sales = sales.filter(party_id=filters.party_id)
    if filters.method:
        sales = sales.filter(method=filters.method)
    if filters.since():
        sales = sales.filter(placed_at__gte=filters.since())
    if filters.until():
        sales = sales.filter(placed_at__lt=filters.until())
    return sales


def _dated(queryset: QuerySet[Any], field_name: str, filters: ReportFilters) -> QuerySet[Any]:
    if filters.since():
        queryset = queryset.filter(**{f"{field_name}__gte": filters.since()})
    if filters.until():
        queryset = queryset.filter(**{f"{field_name}__lt": filters.until()})
    return queryset


def _scoped(
    queryset: QuerySet[Any], prefix: str, filters: ReportFilters, *, has_party: bool
) -> QuerySet[Any]:
    if filters.method or (filters.party_id is not None and not has_party):
        return queryset.none()
    if filters.campaign_id is not None:
        queryset = queryset.filter(**{f"{prefix}campaign_id": filters.campaign_id})
    if filters.host_id is not None:
        queryset = queryset.filter(**{f"{prefix}host_id": filters.host_id})
    return queryset


def _sale_branches(filters: ReportFilters, group_by: str | None) -> list[_Branch]:
    """The sale columns per key, then the distinct counts per key and over the whole selection.

    Sums come from the report index (one slice of it per campaign). Distinct buyers and guests who
    bought are not additive, so they are counted apart, each as `SELECT DISTINCT` then `COUNT(*)`:
    over the campaign's slice of a narrow partial index already in (host, buyer) order, PostgreSQL
    drops duplicates as they stream past (a Unique node) where `COUNT(DISTINCT …)` sorted every
    group and the whole selection again for the totals.
    """
    is_sale = Q(is_sale=True)
    branches = _grouped(
        _sales(filters),
        "sale",
        group_by,
        # Counting `buyer` (never null) rather than the key keeps the query inside the report index.
        orders=Count("buyer", filter=is_sale),
        gross_sales=Coalesce(Sum("gross"), ZERO),
        net_sales=Coalesce(Sum("net"), ZERO),
    )
    sales = _sales(filters).filter(is_sale=True).order_by()
    guests = sales.filter(guest_bought=True)
    counted: list[tuple[str, bool, QuerySet[Any]]] = []
    key = _KEYS["sale"][group_by] if group_by else None
    if key is not None:
        counted += [
            ("buyers", False, sales.values(key=key, b=F("buyer")).distinct()),
            ("guests_who_bought", False, guests.values(key=key, p=F("party_id"), b=F("buyer")).distinct()),
        ]
    counted += [
        ("buyers", True, sales.values("buyer").distinct()),
        ("guests_who_bought", True, guests.values("party_id", "buyer").distinct()),
    ]
    for name, whole, queryset in counted:
        inner, inner_params = queryset.query.get_compiler(using=queryset.db).as_sql()
        # Only fixed fragments are interpolated; every value travels as a parameter.
        sql = (
            f"SELECT {'NULL' if whole else 'c.key'} AS key, COUNT(*) AS {name} "  # noqa: S608
            f"FROM ({inner}) c{'' if whole else ' GROUP BY c.key'}"
        )
        branches.append(
            _Branch(names=(name,), sql=sql, params=tuple(inner_params), keyed=not whole, whole=whole)
        )
    return branches


def _as_key(group_by: str | None, value: Any) -> Any:
    """A key read without the ORM, as the ORM reads it: a week truncates to a timestamp and SQLite
    hands days back as text, where the ORM converts both to a date."""
    if group_by in ("day", "week"):
        if isinstance(value, str):
            return date.fromisoformat(value[:10])
        if isinstance(value, datetime):
            return value.date()
    return value


def _guest_facts(filters: ReportFilters, group_by: str | None, *, from_list: bool = False) -> list[_Branch]:
    """Guests of parties not cancelled, from each party's count, or (`from_list`) by counting the
    guest rows themselves: the baseline that proves the counts current."""
    if from_list:
        # Counting the party column lets PostgreSQL answer from the guest→party index alone.
        counted: QuerySet[Any] = Guest.objects.all()
        guests: Any = Count("party_id")
    else:
        counted, guests = PartyGuestCount.objects.all(), Coalesce(Sum("guests"), 0)
    counted = _scoped(
        counted.exclude(party__status=PartyStatus.CANCELLED), "party__", filters, has_party=True
    )
    if filters.party_id is not None:
        counted = counted.filter(party_id=filters.party_id)
    return _grouped(_dated(counted, "party__starts_at", filters), "guest", group_by, guests=guests)


def _click_facts(filters: ReportFilters, group_by: str | None) -> list[_Branch]:
    clicks = _scoped(Click.objects.all(), "code__", filters, has_party=True)
    if filters.party_id is not None:
        clicks = clicks.filter(code__party_id=filters.party_id)
    # Counting the code column lets PostgreSQL answer from the (code, at) index alone.
    return _grouped(_dated(clicks, "at", filters), "click", group_by, clicks=Count("code_id"))


def _kit_facts(filters: ReportFilters, group_by: str | None) -> list[_Branch]:
    lines = _scoped(
        ShipmentLine.objects.filter(shipment__shipped_at__isnull=False).exclude(
            shipment__status=ShipmentStatus.CANCELLED
        ),
        "shipment__",
        filters,
        has_party=False,
    )
    kept = (F("quantity") - F("returned_good")) * F("unit_cost")
    return _grouped(
        _dated(lines, "shipment__shipped_at", filters), "kit", group_by, kit_cost=Coalesce(Sum(kept), ZERO)
    )


def _reward_facts(filters: ReportFilters, group_by: str | None) -> list[_Branch]:
    entries = _scoped(LedgerEntry.objects.exclude(kind=EntryKind.PAYOUT), "", filters, has_party=True)
    if filters.party_id is not None:
        entries = entries.filter(basis=f"party:{filters.party_id}")
    return _grouped(
        _dated(entries, "created_at", filters),
        "reward",
        group_by,
        rewards_accrued=Coalesce(Sum("amount"), ZERO),
        rewards_approved=Coalesce(Sum("amount", filter=Q(state=EntryState.APPROVED)), ZERO),
        rewards_paid=Coalesce(Sum("amount", filter=Q(state=EntryState.PAID)), ZERO),
    )


# --- The plain GROUP BY over orders (the baseline, PostgreSQL) -------------------------------------

_PLAIN_KEYS = {
    "host": "a.host_id",
    "party": "a.party_id",
    "campaign": "a.campaign_id",
    "day": "(o.placed_at AT TIME ZONE 'UTC')::date",
    "week": "date_trunc('week', o.placed_at AT TIME ZONE 'UTC')::date",
    "method": "a.method",
    "postal_area": "h.country || '-' || upper(substr(h.postal_code, 1, 2))",
}
# `Order.net_commissionable_amount` in SQL: Python's quantize rounds half to even.
_PLAIN_NET = """
    CASE WHEN o.status = 'cancelled' OR o.total = 0 THEN 0 ELSE (
        SELECT CASE WHEN mod(v * 100, 1) = 0.5 AND mod(trunc(v * 100), 2) = 0 THEN trunc(v * 100) / 100
                    ELSE round(v, 2) END
        FROM (SELECT o.commissionable_amount * greatest(o.total - o.refunded_amount, 0) / o.total AS v) AS x
    ) END
"""


def _sale_facts_from_orders(
    filters: ReportFilters, group_by: str | None
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The same sale columns straight from orders ⋈ attributions ⋈ guests: what the rollup replaces."""
    rows = _plain_group_by(filters, group_by)
    (whole,) = rows if group_by is None else _plain_group_by(filters, None)
    return rows, {"buyers": whole["buyers"] or 0, "guests_who_bought": whole["guests_who_bought"] or 0}


def _plain_group_by(filters: ReportFilters, group_by: str | None) -> list[dict[str, Any]]:
    where, params = ["TRUE"], []
    for column, value in (
        ("a.campaign_id", filters.campaign_id),
        ("a.host_id", filters.host_id),
        ("a.party_id", filters.party_id),
        ("a.method", filters.method or None),
        ("o.placed_at >= ", filters.since()),
        ("o.placed_at < ", filters.until()),
    ):
        if value is not None:
            where.append(f"{column} %s" if column.endswith(" ") else f"{column} = %s")
            params.append(value)
    key = _PLAIN_KEYS[group_by] if group_by else "NULL"
    # Only the fixed fragments above are interpolated; every value travels as a parameter.
    sql = f"""
        SELECT {key} AS key,
               count(*) FILTER (WHERE o.status <> 'cancelled') AS orders,
               count(DISTINCT o.customer_email) FILTER (WHERE o.status <> 'cancelled') AS buyers,
               coalesce(sum(CASE WHEN o.status = 'cancelled' THEN 0 ELSE o.commissionable_amount END), 0)
                   AS gross_sales,
               coalesce(sum({_PLAIN_NET}), 0) AS net_sales,
               count(DISTINCT (a.party_id, o.customer_email)) FILTER (
                   WHERE o.status <> 'cancelled' AND EXISTS (
                       SELECT 1 FROM ambassadors_guest g WHERE g.party_id = a.party_id AND g.email = o.customer_email
                   )
               ) AS guests_who_bought
        FROM orders_order o
        JOIN referrals_attribution a ON a.order_id = o.id
        LEFT JOIN ambassadors_host h ON h.id = a.host_id
        WHERE {" AND ".join(where)}
        GROUP BY 1
    """  # noqa: S608
    with connections[Order.objects.db].cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# --- The report ----------------------------------------------------------------------------------


def _labels(group_by: str | None, keys: Iterable[Any]) -> dict[Any, str]:
    ids = [key for key in keys if key is not None]
    # Unordered: the rows are sorted afterwards, and the models' default order cost a sort.
    if group_by == "host":
        hosts = Host.objects.filter(pk__in=ids).order_by().values_list("pk", "first_name", "last_name")
        return {pk: f"{first} {last}" for pk, first, last in hosts}
    if group_by == "party":
        return {
            pk: f"#{pk} {title}"
            for pk, title in Party.objects.filter(pk__in=ids).order_by().values_list("pk", "title")
        }
    if group_by == "campaign":
        return dict(Campaign.objects.filter(pk__in=ids).order_by().values_list("pk", "name"))
    return {key: key.isoformat() if isinstance(key, date) else str(key) for key in ids}


def _currency(filters: ReportFilters) -> str | None:
    campaigns = Campaign.objects.all()
    if filters.campaign_id is not None:
        campaigns = campaigns.filter(pk=filters.campaign_id)
    currencies = sorted(set(campaigns.values_list("currency", flat=True)))
    if len(currencies) > 1:
        raise Invalid(
            "Campaigns use different currencies: filter the report by campaign.",
            code="mixed_currencies",
            field="campaign",
        )
    return currencies[0] if currencies else None


def attribution_report(
    *, filters: ReportFilters, group_by: str | None = None, from_orders: bool = False
) -> Report:
    """The report's rows for `group_by` (or none) and the totals over the whole selection.

    `from_orders` computes the sale columns with the plain GROUP BY over orders instead of the
    rollup, and the guests by counting guest rows instead of each party's count (PostgreSQL
    only): the baseline the benchmark compares with, and the proof that both give the same numbers.
    """
    if group_by is not None and group_by not in GROUPINGS:
        raise Invalid(
            f"group_by must be one of {', '.join(GROUPINGS)}.", code="invalid_choice", field="group_by"
        )
    with report_reads(), _report_session():
        report = Report(group_by=group_by, currency=_currency(filters), filters=filters)
        rows: dict[Any, ReportRow] = {}
        whole = {"buyers": 0, "guests_who_bought": 0}
        branches = [] if from_orders else _sale_branches(filters, group_by)
        branches += _guest_facts(filters, group_by, from_list=from_orders)
        for facts in (_click_facts, _kit_facts, _reward_facts):
            branches += facts(filters, group_by)
        for is_whole, key, values in _fetch(branches, group_by, AttributedSale.objects.db):
            if is_whole and group_by is not None:
                # Not a row: the distinct counts over the whole selection.
                whole = {"buyers": values[1] or 0, "guests_who_bought": values[5] or 0}
                continue
            row = rows.get(key) or rows.setdefault(key, ReportRow(key=key, label=""))
            for (name, count), value in zip(_COLUMNS, values, strict=True):
                if value is not None:
                    setattr(row, name, getattr(row, name) + (value if count else _money(value)))
        if from_orders:
            sale_rows, whole = _sale_facts_from_orders(filters, group_by)
            for found in sale_rows:
                key = found.pop("key")
                _add(rows.setdefault(key, ReportRow(key=key, label="")), found)
        totals = ReportRow(key=None, label="total")
        for row in rows.values():
            for name in SUMMED:
                setattr(totals, name, getattr(totals, name) + getattr(row, name))
        if group_by is not None:
            # Distinct counts do not add up across rows: they are counted over the whole selection.
            totals.buyers, totals.guests_who_bought = whole["buyers"], whole["guests_who_bought"]
            labels = _labels(group_by, rows)
            for row in rows.values():
                row.label = labels.get(row.key, "—") if row.key is not None else "—"
            report.rows = sorted(rows.values(), key=_row_order(group_by))
        else:
            totals = rows.get(None, totals)
            totals.label = "total"
        report.totals = totals
    return report


@contextmanager
def _report_session() -> Iterator[None]:
    """PostgreSQL: one read-only transaction with room to sort a campaign's buyers in memory
    (the default 4 MB `work_mem` spills a 100,000-order campaign to disk)."""
    alias = AttributedSale.objects.db
    if connections[alias].vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '64MB'")
        yield


def _add(row: ReportRow, found: dict[str, Any]) -> None:
    for name, value in found.items():
        if name != "key" and value is not None:
            setattr(row, name, getattr(row, name) + value)


def _row_order(group_by: str) -> Any:
    if group_by in ("day", "week"):
        return lambda row: (row.key is None, row.key or date.min)
    return lambda row: (row.key is None, -row.net_sales, -row.orders, str(row.key))


def campaign_summary(*, campaign: Campaign) -> dict[str, Any]:
    """The programme at a glance: the campaign's totals and its hosts and parties by state."""
    report = attribution_report(filters=ReportFilters(campaign_id=campaign.pk))
    with report_reads():
        hosts = dict(
            Host.objects.filter(campaign=campaign).values_list("status").annotate(n=Count("pk")).order_by()
        )
        parties = dict(
            Party.objects.filter(campaign=campaign).values_list("status").annotate(n=Count("pk")).order_by()
        )
        methods = dict(
            AttributedSale.objects.filter(campaign=campaign, is_sale=True)
            .values_list("method")
            .annotate(n=Count("pk"))
            .order_by()
        )
    return {
        "campaign": campaign,
        "currency": campaign.currency,
        "hosts_by_status": hosts,
        "parties_by_status": parties,
        "orders_by_method": {method: methods.get(method, 0) for method in AttributionMethod.values},
        "totals": report.totals,
    }


# --- CSV -----------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "key",
    "label",
    "orders",
    "buyers",
    "gross_sales",
    "refunds",
    "net_sales",
    "average_order_value",
    "rewards_accrued",
    "rewards_approved",
    "rewards_paid",
    "guests",
    "guests_who_bought",
    "guest_conversion",
    "clicks",
    "kit_cost",
    "return_on_kit",
)


def row_values(row: ReportRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in CSV_COLUMNS}


def csv_lines(report: Report) -> Iterator[list[str]]:
    """The report as CSV records: a header, one line per row, and the totals last."""

    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, date):
            return value.isoformat()
        return str(value)

    yield [*CSV_COLUMNS, "currency"]
    for row in [*report.rows, report.totals]:
        values = row_values(row)
        if row is report.totals:
            values["key"] = "total"
        yield [text(values[name]) for name in CSV_COLUMNS] + [report.currency or ""]


# --- Keeping the rollup current, a batch at a time -----------------------------------------------


def refresh_attributed_sales(*, attributions: list[Attribution]) -> list[AttributedSale]:
    """The report rows of many freshly attributed orders (`attribution.order`) in two queries:
    for each, exactly what `refresh_attributed_sale(order=…, attribution=…)` writes."""
    if not attributions:
        return []
    bought = set(
        Guest.objects.filter(
            party_id__in={a.party_id for a in attributions if a.party_id},
            email__in={a.order.customer_email for a in attributions if a.party_id and a.order.customer_email},
        ).values_list("party_id", "email")
    )
    now = timezone.now()
    rows = []
    for attribution in attributions:
        order = attribution.order
        guest_bought = bool(
            attribution.party_id
            and order.customer_email
            and (attribution.party_id, order.customer_email) in bought
        )
        values = attributed_sale_values(order=order, attribution=attribution, guest_bought=guest_bought)
        rows.append(AttributedSale(order=order, refreshed_at=now, **values))
    return AttributedSale.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["order"], update_fields=[*values, "refreshed_at"]
    )
