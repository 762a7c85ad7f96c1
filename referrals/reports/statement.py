"""The attribution report's one statement: a SELECT per kind of fact, grouped by the asked key, all
merged by the database in one round trip (see `referrals.reports.query` for what each fact is)."""

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Substr, Trunc, TruncDate, Upper

from ambassadors.models import PartyStatus
from backend.money import ZERO, round_money
from kits.models import ShipmentLine, ShipmentStatus
from referrals.models import (
    AttributedSale,
    Attribution,
    BuyerLevel,
    Click,
    EntryKind,
    EntryState,
    HostSales,
    LedgerEntry,
    PartyGuestCount,
    PayoutStatus,
    SaleFact,
    ScopeBuyers,
)
from referrals.reports.filters import ReportFilters

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

# A host-code sale's line knows its order, so its method; a party's, the cap's and plan-wide lines
# (bookings, kits, adjustments) span many orders or none: they fall under the empty key.
_METHOD_OF_BASIS = Case(
    When(
        basis__startswith="order:",
        then=Subquery(
            Attribution.objects.filter(order_id=Cast(Substr(OuterRef("basis"), 7), IntegerField())).values(
                "method"
            )[:1]
        ),
    ),
    default=Value(None),
    output_field=CharField(),
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
    # The same keys over the report's facts (`SaleFact`), dated by their UTC day.
    "fact": {
        "host": F("host_id"),
        "party": F("party_id"),
        "campaign": F("campaign_id"),
        "day": F("day"),
        "week": Trunc("day", "week", output_field=DateField()),
        "method": F("method"),
        "postal_area": _postal_area("host__"),
    },
    # The same sums per (campaign, host) (`HostSales`), for the groupings that need no finer grain.
    "host_sales": {
        "host": F("host_id"),
        "campaign": F("campaign_id"),
        "postal_area": _postal_area("host__"),
    },
    # Distinct buyers counted per scope (`ScopeBuyers`): only the scopes kept.
    "counted": {
        "host": F("host_id"),
        "party": F("party_id"),
        "campaign": F("campaign_id"),
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
        "method": _METHOD_OF_BASIS,
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
    unique: bool = False  # True: the branch yields each key at most once, already complete


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
COLUMNS = (
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
    ("post_close_refunds", False),
)


def fetch(branches: list[_Branch], group_by: str | None, alias: str) -> Iterator[tuple[bool, Any, list[Any]]]:
    """Every branch in one statement, merged per key by the database: one round trip, one row per
    key (PostgreSQL may run the branches side by side in parallel workers). Each row as whether it
    counts over the whole selection, its key and the values of `COLUMNS` (None: no fact), sums of
    money as decimals."""
    if not branches:
        return
    # Keyed branches first: PostgreSQL types the key column of a UNION from its first branches.
    branches = sorted(branches, key=lambda branch: not branch.keyed)
    # Only the columns some branch yields travel and are summed (a report of sales alone carries five).
    present = [(name, count) for name, count in COLUMNS if any(name in branch.names for branch in branches)]
    # One branch of whole rows per key beside at most one over the whole selection: nothing to merge.
    merged = not (branches[0].unique and all(branch.whole for branch in branches[1:]) and len(branches) <= 2)
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
            for name, count in present
        ]
        # An empty key is a bare NULL, typed by the keyed branches before it (a NULL read from a
        # subquery would be text). Only fixed fragments are interpolated; values are parameters.
        key = f"d.{quote('key')}" if branch.keyed else "NULL"
        selects.append(
            f"SELECT {int(branch.whole)} AS whole, {key} AS k, {', '.join(values)} FROM ({branch.sql}) d"  # noqa: S608
        )
        params.extend(branch.params)
    if merged:
        sums = ", ".join(
            f"CAST(SUM(u.{quote(name)}) AS BIGINT)" if count else f"SUM(u.{quote(name)})"
            for name, count in present
        )
        sql = f"SELECT u.whole, u.k, {sums} FROM ({' UNION ALL '.join(selects)}) u GROUP BY u.whole, u.k"  # noqa: S608
    else:
        sql = " UNION ALL ".join(selects)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # PostgreSQL hands numeric sums back as decimals already; SQLite as floats, converted here.
    money = (
        []
        if connections[alias].vendor == "postgresql"
        else [i + 2 for i, (_, n) in enumerate(present) if not n]
    )
    # Each row's values in the order of `COLUMNS`, taken in one call: a column no branch yields
    # is read from the None put after the row's last.
    where = {name: i + 2 for i, (name, _) in enumerate(present)}
    pick = itemgetter(*(where.get(name, len(present) + 2) for name, _ in COLUMNS))
    dated = group_by in ("day", "week")
    for row in rows:
        if money:
            row = tuple(
                _money(value) if i in money and value is not None else value for i, value in enumerate(row)
            )
        yield bool(row[0]), _as_key(group_by, row[1]) if dated else row[1], list(pick((*row, None)))


def _money(value: Decimal | float) -> Decimal:
    """A sum read without the ORM, as the ORM reads it (SQLite hands sums back as floats)."""
    return value if isinstance(value, Decimal) else round_money(Decimal(str(value)))


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


def _facts(filters: ReportFilters) -> QuerySet[SaleFact]:
    facts = SaleFact.objects.all()
    if filters.campaign_id is not None:
        facts = facts.filter(campaign_id=filters.campaign_id)
    if filters.host_id is not None:
        facts = facts.filter(host_id=filters.host_id)
    if filters.party_id is not None:
        facts = facts.filter(party_id=filters.party_id)
    if filters.method:
        facts = facts.filter(method=filters.method)
    if filters.date_from:
        facts = facts.filter(day__gte=filters.date_from)
    if filters.date_to:
        facts = facts.filter(day__lte=filters.date_to)
    return facts


def _host_sales(filters: ReportFilters) -> QuerySet[HostSales]:
    sales = HostSales.objects.all()
    if filters.campaign_id is not None:
        sales = sales.filter(campaign_id=filters.campaign_id)
    if filters.host_id is not None:
        sales = sales.filter(host_id=filters.host_id)
    return sales


# The scopes whose distinct buyers are kept (`ScopeBuyers`), by the dimensions they pin.
_BUYER_LEVELS = {
    frozenset({"campaign"}): BuyerLevel.CAMPAIGN,
    frozenset({"campaign", "host"}): BuyerLevel.HOST,
    frozenset({"campaign", "party"}): BuyerLevel.PARTY,
}


def _buyer_level(filters: ReportFilters, group_by: str | None) -> BuyerLevel | None:
    """The kept scope that holds exactly the distinct buyers asked for: those of each key of
    `group_by` (None: of the whole selection) within the filters. None when no kept scope does
    (a method or dates filtered, grouped by day, week, method or area, or a host across campaigns)."""
    if filters.method or filters.date_from or filters.date_to:
        return None
    if group_by not in (None, "campaign", "host", "party"):
        return None
    pinned = {
        name
        for name, value in (
            ("campaign", filters.campaign_id),
            ("host", filters.host_id),
            ("party", filters.party_id),
        )
        if value is not None
    }
    return _BUYER_LEVELS.get(frozenset(pinned | ({group_by} if group_by else set())))


def _counted_buyers(filters: ReportFilters, level: BuyerLevel) -> QuerySet[ScopeBuyers]:
    counted = ScopeBuyers.objects.filter(level=level, buyers__gt=0)
    if filters.campaign_id is not None:
        counted = counted.filter(campaign_id=filters.campaign_id)
    if filters.host_id is not None:
        counted = counted.filter(host_id=filters.host_id)
    if filters.party_id is not None:
        counted = counted.filter(party_id=filters.party_id)
    return counted


def sale_branches(filters: ReportFilters, group_by: str | None) -> list[_Branch]:
    """The sale columns per key from the report's facts, then the distinct buyers per key and over
    the whole selection.

    Sums come from `HostSales` (one row per campaign and host) when no finer grain is asked, else
    from `SaleFact` (one row per campaign, host, party, method and day): their cost follows the
    rows of the report, not the orders. Distinct buyers are not additive: read from
    the kept count of the scope asked for (`ScopeBuyers`) when one holds exactly them, else counted
    over the rollup rows (`_distinct_buyers`), exact either way.
    """
    coarse = not (
        filters.method or filters.date_from or filters.date_to or filters.party_id is not None
    ) and group_by in (None, *_KEYS["host_sales"])
    if coarse and group_by == "host" and filters.campaign_id is not None:
        return _hosts_of_campaign(filters)
    branches = _grouped(
        _host_sales(filters) if coarse else _facts(filters),
        "host_sales" if coarse else "fact",
        group_by,
        orders=Coalesce(Sum("orders"), 0),
        gross_sales=Coalesce(Sum("gross"), ZERO),
        net_sales=Coalesce(Sum("net"), ZERO),
        post_close_refunds=Coalesce(Sum("refunded_after_close"), ZERO),
    )
    if group_by is not None:
        level = _buyer_level(filters, group_by)
        if level is None:
            branches += _distinct_buyers(filters, group_by)
        else:
            branches += _grouped(_counted_buyers(filters, level), "counted", group_by, buyers=Sum("buyers"))
    level = _buyer_level(filters, None)
    if level is None:
        return branches + _distinct_buyers(filters, None)
    return branches + [
        replace(branch, whole=True)
        for branch in _grouped(_counted_buyers(filters, level), "counted", None, buyers=Sum("buyers"))
    ]


def _hosts_of_campaign(filters: ReportFilters) -> list[_Branch]:
    """One campaign by host, nothing finer asked (the report marketing opens first): each host's
    sums are one row of `HostSales` and her distinct buyers one row of `ScopeBuyers`, read side by
    side as they are kept, with no GROUP BY and no query to compile; then the distinct buyers of the
    whole selection (the campaign's, or the one host's), kept too."""
    quote = connections[HostSales.objects.db].ops.quote_name
    hosts, buyers = quote(HostSales._meta.db_table), quote(ScopeBuyers._meta.db_table)
    host = " AND h.host_id = %s" if filters.host_id is not None else ""
    pinned = [filters.host_id] if filters.host_id is not None else []
    # Only fixed fragments are interpolated; every value travels as a parameter.
    sql = (
        "SELECT h.host_id AS key, h.orders AS orders, CASE WHEN b.buyers > 0 THEN b.buyers END AS buyers,"  # noqa: S608
        " h.gross AS gross_sales, h.net AS net_sales, h.refunded_after_close AS post_close_refunds"
        f" FROM {hosts} h LEFT JOIN {buyers} b"
        " ON b.level = %s AND b.campaign_id = h.campaign_id AND b.host_id = h.host_id"
        f" WHERE h.campaign_id = %s{host}"
    )
    whole = (
        f"SELECT SUM(b.buyers) AS buyers FROM {buyers} b"  # noqa: S608
        f" WHERE b.level = %s AND b.campaign_id = %s{host.replace('h.', 'b.')} AND b.buyers > 0"
    )
    level = BuyerLevel.CAMPAIGN if filters.host_id is None else BuyerLevel.HOST
    return [
        _Branch(
            names=("orders", "buyers", "gross_sales", "net_sales", "post_close_refunds"),
            sql=sql,
            params=(BuyerLevel.HOST.value, filters.campaign_id, *pinned),
            unique=True,
        ),
        _Branch(
            names=("buyers",),
            sql=whole,
            params=(level.value, filters.campaign_id, *pinned),
            keyed=False,
            whole=True,
        ),
    ]


def _distinct_buyers(filters: ReportFilters, group_by: str | None) -> list[_Branch]:
    """The distinct buyers per key of `group_by` (None: over the whole selection) counted over the
    rollup rows, each as `SELECT DISTINCT` then `COUNT(*)`: over the campaign's slice of a narrow
    partial index already in (host, buyer) order, PostgreSQL drops duplicates as they stream past."""
    sales = _sales(filters).filter(is_sale=True).order_by()
    if group_by is None:
        return _distinct_count("buyers", sales.values("buyer").distinct(), keyed=False, whole=True)
    key = _KEYS["sale"][group_by]
    return _distinct_count("buyers", sales.values(key=key, b=F("buyer")).distinct(), keyed=True)


def sale_branches_from_rows(filters: ReportFilters, group_by: str | None) -> list[_Branch]:
    """The same columns straight from the rollup's row per order, GROUP BY on every call: the
    plain query the facts stand for, on any database (the proof that both give the same numbers)."""
    is_sale = Q(is_sale=True)
    branches = _grouped(
        _sales(filters),
        "sale",
        group_by,
        orders=Count("buyer", filter=is_sale),
        gross_sales=Coalesce(Sum("gross"), ZERO),
        net_sales=Coalesce(Sum("net"), ZERO),
        post_close_refunds=Coalesce(Sum("refunded_after_close"), ZERO),
    )
    if group_by is not None:
        branches += _distinct_buyers(filters, group_by)
    return branches + _distinct_buyers(filters, None)


def _distinct_count(name: str, queryset: QuerySet[Any], *, keyed: bool, whole: bool = False) -> list[_Branch]:
    """`COUNT(*)` of the distinct rows of `queryset`, per its `key` column when `keyed`."""
    try:
        inner, inner_params = queryset.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:
        return []
    # Only fixed fragments are interpolated; every value travels as a parameter.
    sql = (
        f"SELECT {'c.key' if keyed else 'NULL'} AS key, COUNT(*) AS {name} "  # noqa: S608
        f"FROM ({inner}) c{' GROUP BY c.key' if keyed else ''}"
    )
    return [_Branch(names=(name,), sql=sql, params=tuple(inner_params), keyed=keyed, whole=whole)]


def _as_key(group_by: str | None, value: Any) -> Any:
    """A key read without the ORM, as the ORM reads it: a week truncates to a timestamp and SQLite
    hands days back as text, where the ORM converts both to a date."""
    if group_by in ("day", "week"):
        if isinstance(value, str):
            return date.fromisoformat(value[:10])
        if isinstance(value, datetime):
            return value.date()
    return value


def guest_branches(filters: ReportFilters, group_by: str | None, *, from_rows: bool = False) -> list[_Branch]:
    """Guests of parties not cancelled (from each party's count), and of them the guests who
    bought: both are facts of the party's guest list, keyed and dated by the party, so every
    grouping counts them over the same guests and the conversion never passes 1. A guest bought
    when a sale (not cancelled) credited to their party was placed with their e-mail; a guest who
    bought twice counts once. Neither has an attribution method: by method both sit in the row
    without a key, and a report filtered on a method counts neither."""
    # A list emptied since keeps its count row at 0: no guest, no fact (as the plain GROUP BY over guests).
    counted = _guest_scoped(PartyGuestCount.objects.filter(guests__gt=0), filters)
    branches = _grouped(counted, "guest", group_by, guests=Coalesce(Sum("guests"), 0))
    if from_rows:
        return branches + _guests_who_bought_from_rows(filters, group_by)
    # Each party's guests who bought, kept as the distinct buyers of its guests' sales: a guest
    # belongs to one party, so the parties' counts add up in every grouping.
    bought = _guest_scoped(ScopeBuyers.objects.filter(level=BuyerLevel.GUEST, buyers__gt=0), filters)
    return branches + _grouped(bought, "guest", group_by, guests_who_bought=Coalesce(Sum("buyers"), 0))


def _guests_who_bought_from_rows(filters: ReportFilters, group_by: str | None) -> list[_Branch]:
    bought = _guest_scoped(
        AttributedSale.objects.filter(is_sale=True, guest_bought=True, party__isnull=False), filters
    ).order_by()
    key = _KEYS["guest"][group_by] if group_by else None
    if key is None:
        return _distinct_count(
            "guests_who_bought", bought.values(p=F("party_id"), b=F("buyer")).distinct(), keyed=False
        )
    return _distinct_count(
        "guests_who_bought", bought.values(key=key, p=F("party_id"), b=F("buyer")).distinct(), keyed=True
    )


def _guest_scoped(queryset: QuerySet[Any], filters: ReportFilters) -> QuerySet[Any]:
    """The rows of parties not cancelled within the filters, dated by the party's start."""
    queryset = _scoped(
        queryset.exclude(party__status=PartyStatus.CANCELLED), "party__", filters, has_party=True
    )
    if filters.party_id is not None:
        queryset = queryset.filter(party_id=filters.party_id)
    return _dated(queryset, "party__starts_at", filters)


def click_branches(filters: ReportFilters, group_by: str | None) -> list[_Branch]:
    clicks = _scoped(Click.objects.all(), "code__", filters, has_party=True)
    if filters.party_id is not None:
        clicks = clicks.filter(code__party_id=filters.party_id)
    # Counting the code column lets PostgreSQL answer from the (code, at) index alone.
    return _grouped(_dated(clicks, "at", filters), "click", group_by, clicks=Count("code_id"))


def kit_branches(filters: ReportFilters, group_by: str | None) -> list[_Branch]:
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


def reward_branches(filters: ReportFilters, group_by: str | None) -> list[_Branch]:
    entries = _scoped(LedgerEntry.objects.exclude(kind=EntryKind.PAYOUT), "", filters, has_party=True)
    if filters.party_id is not None:
        entries = entries.filter(basis=f"party:{filters.party_id}")
    return _grouped(
        _dated(entries, "created_at", filters),
        "reward",
        group_by,
        rewards_accrued=Coalesce(Sum("amount"), ZERO),
        rewards_approved=Coalesce(Sum("amount", filter=Q(state=EntryState.APPROVED)), ZERO),
        # Money actually sent: lines reserved by a payout still pending are not paid yet.
        rewards_paid=Coalesce(
            Sum("amount", filter=Q(state=EntryState.PAID, payout__status=PayoutStatus.PAID)), ZERO
        ),
    )
