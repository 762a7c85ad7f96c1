"""The attribution report's rollup rows, kept current in the transaction of every change they
follow: an order attributed, re-attributed, refunded or cancelled (`AttributedSale`), a guest added
or deleted (`PartyGuestCount`); and the facts the report reads, kept by increments from every write
to `AttributedSale` (`record_sale_changes`: `SaleFact`, `ScopeBuyer`, `ScopeBuyers`)."""

import functools
import hashlib
import hmac
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.db.models import F, Sum
from django.utils import timezone

from ambassadors.models import Guest, Party, PartyStatus
from backend import planned
from backend.arrays import array_text
from backend.email_address import normalise_email
from backend.money import ZERO, round_money
from orders.models import (
    ACTIVE_REFUND_STATUSES,
    DISPUTE_HOLDS_MONEY,
    Dispute,
    Order,
    OrderStatus,
    Refund,
)
from referrals.models import (
    AttributedSale,
    Attribution,
    BuyerLevel,
    HostSales,
    PartyGuestCount,
    SaleFact,
    ScopeBuyer,
    ScopeBuyers,
)


@functools.lru_cache(maxsize=2)
def _buyer_digest(secret: str) -> "hmac.HMAC":
    """The digest keyed once per secret: each buyer's copies it instead of keying it again."""
    return hmac.new(f"referrals.report-buyer:{secret}".encode(), digestmod=hashlib.sha256)


def buyer_key(email: str) -> int:
    """A keyed 64-bit digest of a buyer's e-mail: counts distinct buyers without storing addresses."""
    digest = _buyer_digest(settings.SECRET_KEY).copy()
    digest.update(normalise_email(email).encode())
    return int.from_bytes(digest.digest()[:8], "big", signed=True)


def attributed_sale_values(
    *, order: Order, attribution: Attribution, guest_bought: bool, refunded_after_close: Decimal = ZERO
) -> dict[str, Any]:
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
        "gross": order.commissionable_in_reward_currency if is_sale else ZERO,
        "net": order.net_commissionable_amount,
        "guest_bought": guest_bought,
        "refunded_after_close": refunded_after_close,
    }


def refunded_after_close(*, order: Order, attribution: Attribution) -> Decimal:
    """The commissionable share of what was given back on `order` after its party closed: the
    refunds (pending or succeeded) and disputes holding the money recorded after the party's
    `closed_at`. A closed party's reward is final, so this money no longer changes it; the report
    shows it apart. At most the order's refunds (gross − net); nothing for a cancelled order."""
    if (
        not attribution.party_id
        or not order.refunded_amount
        or order.status == OrderStatus.CANCELLED
        or order.total == 0
    ):
        return ZERO
    closed_at = (
        Party.objects.filter(pk=attribution.party_id, status=PartyStatus.CLOSED)
        .values_list("closed_at", flat=True)
        .first()
    )
    if closed_at is None:
        return ZERO
    after = sum(
        (
            source.objects.filter(order=order, status__in=statuses, created_at__gt=closed_at).aggregate(
                total=Sum("amount")
            )["total"]
            or ZERO
            for source, statuses in ((Refund, ACTIVE_REFUND_STATUSES), (Dispute, DISPUTE_HOLDS_MONEY))
        ),
        ZERO,
    )
    if not after:
        return ZERO
    # In the campaign's currency, like every money column of the report.
    commissionable = order.commissionable_in_reward_currency
    share = round_money(commissionable * min(after, order.total) / order.total)
    return min(share, commissionable - order.net_commissionable_amount)


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
    values = attributed_sale_values(
        order=order,
        attribution=attribution,
        guest_bought=guest_bought,
        refunded_after_close=refunded_after_close(order=order, attribution=attribution),
    )
    before = stored_sale_states(order_ids=[order.pk])
    # One upsert (INSERT … ON CONFLICT DO UPDATE): it runs for every order ingested.
    (sale,) = AttributedSale.objects.bulk_create(
        [AttributedSale(order=order, refreshed_at=timezone.now(), **values)],
        update_conflicts=True,
        unique_fields=["order"],
        update_fields=[*values, "refreshed_at"],
    )
    record_sale_changes(before=before.values(), after=[sale_state(values)])
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


def refresh_guest_bought(*, party_id: int) -> None:
    """Mark which of the party's sales were placed by one of its guests, after a guest was added,
    changed or deleted, in that transaction: a guest listed after buying counts as a guest who
    bought, a guest taken off the list no longer does (guests and guests who bought are counted
    over the same list, so the conversion never passes 1)."""
    emails = set(Guest.objects.filter(party_id=party_id).exclude(email="").values_list("email", flat=True))
    sales = (
        AttributedSale.objects.filter(party_id=party_id)
        .select_for_update(of=("self",))
        .order_by("order_id")
        .values(*_STATE_COLUMNS, email=F("order__customer_email"))
    )
    wrong: dict[bool, list[int]] = {True: [], False: []}
    before: list[SaleState] = []
    for row in sales:
        if (row["email"] in emails) != row["guest_bought"]:
            wrong[not row["guest_bought"]].append(row["order_id"])
            before.append(sale_state(row))
    for guest_bought, order_ids in wrong.items():
        if order_ids:
            AttributedSale.objects.filter(order_id__in=order_ids).update(guest_bought=guest_bought)
    if before:
        record_sale_changes(
            before=before, after=[replace(state, guest_bought=not state.guest_bought) for state in before]
        )


def rekey_sale_buyers(*, order_ids: list[int], email: str) -> None:
    """Give the rollup rows of `order_ids` the buyer key of `email` (an erased buyer's pseudonym),
    and the distinct-buyer facts with them."""
    before = stored_sale_states(order_ids=order_ids)
    buyer = buyer_key(email)
    AttributedSale.objects.filter(order_id__in=order_ids).update(buyer=buyer)
    record_sale_changes(
        before=before.values(), after=[replace(state, buyer=buyer) for state in before.values()]
    )


def refresh_attributed_sales(*, attributions: list[Attribution], facts: bool = True) -> list[int]:
    """The report rows of many orders attributed in this very transaction (`attribution.order`),
    and their facts: for each, exactly what `refresh_attributed_sale(order=…, attribution=…)` writes
    (a fresh order has no refund after a party closed: every rule credits a party only inside its
    window, and no rollup row yet: its facts are only added). Returns the ids of the orders whose
    rows were written. On PostgreSQL the rows and their facts are one statement (`_FRESH_SALES`),
    elsewhere five. `facts=False` leaves the facts to the caller, who fills those of many batches at
    once (`rebuild_report_facts`)."""
    if not attributions:
        return []
    at_parties = [a for a in attributions if a.party_id and a.order.customer_email]
    bought = (  # no query to build when no order was credited through a party (most webhooks)
        set(
            Guest.objects.filter(
                party_id__in={a.party_id for a in at_parties},
                email__in={a.order.customer_email for a in at_parties},
            ).values_list("party_id", "email")
        )
        if at_parties
        else set()
    )
    now = timezone.now()
    order_ids, rows = [], []
    for attribution in attributions:
        order = attribution.order
        guest_bought = bool(
            attribution.party_id
            and order.customer_email
            and (attribution.party_id, order.customer_email) in bought
        )
        order_ids.append(order.pk)
        rows.append(attributed_sale_values(order=order, attribution=attribution, guest_bought=guest_bought))
    connection = connections[AttributedSale.objects.db]
    if connection.vendor == "postgresql":
        return _write_fresh_sales(connection, order_ids, rows, now=now, facts=facts)
    written = AttributedSale.objects.bulk_create(
        [
            AttributedSale(order_id=order_id, refreshed_at=now, **values)
            for order_id, values in zip(order_ids, rows, strict=True)
        ],
        update_conflicts=True,
        unique_fields=["order"],
        update_fields=[*rows[0], "refreshed_at"],
    )
    if facts:
        # Nothing to take back: an order attributed in this transaction had no rollup row.
        record_sale_changes(before=[], after=[sale_state(values) for values in rows])
    return [sale.order_id for sale in written]


# --- The report's facts, kept by increments ------------------------------------------------------


@dataclass(frozen=True)
class SaleState:
    """What the report's facts take from one `AttributedSale` row."""

    campaign_id: int | None
    host_id: int | None
    party_id: int | None
    method: str
    day: date
    buyer: int
    is_sale: bool
    guest_bought: bool
    gross: Decimal
    net: Decimal
    refunded_after_close: Decimal


# The columns of a rollup row as `attributed_sale_values` gives them (the row's key, `order_id`, apart).
ROLLUP_COLUMNS = (
    "campaign_id",
    "host_id",
    "party_id",
    "method",
    "placed_at",
    "buyer",
    "is_sale",
    "gross",
    "net",
    "guest_bought",
    "refunded_after_close",
)
_STATE_COLUMNS = ("order_id", *ROLLUP_COLUMNS)


def _utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def sale_state(values: dict[str, Any]) -> SaleState:
    """The facts' view of a rollup row, from its column values (`placed_at` for the day)."""
    return SaleState(
        campaign_id=values["campaign_id"],
        host_id=values["host_id"],
        party_id=values["party_id"],
        method=values["method"],
        day=_utc_day(values["placed_at"]),
        buyer=values["buyer"],
        is_sale=values["is_sale"],
        guest_bought=values["guest_bought"],
        gross=values["gross"],
        net=values["net"],
        refunded_after_close=values["refunded_after_close"],
    )


def stored_sale_states(*, order_ids: Iterable[int]) -> dict[int, SaleState]:
    """The rollup rows of `order_ids` as stored, locked until the transaction ends (PostgreSQL), so
    two writers of one order's row take their increments one after the other."""
    rows = (
        AttributedSale.objects.filter(order_id__in=list(order_ids))
        .select_for_update()
        .order_by("order_id")
        .values(*_STATE_COLUMNS)
    )
    return {row["order_id"]: sale_state(row) for row in rows}


def _key(value: Any) -> str:
    return "-" if value is None else str(value)


def _slot(state: SaleState) -> str:
    return "|".join(
        (
            _key(state.campaign_id),
            _key(state.host_id),
            _key(state.party_id),
            state.method,
            state.day.isoformat(),
        )
    )


# A scope of distinct buyers: (level, campaign, host, party).
Scope = tuple[str, int | None, int | None, int | None]


def _scopes(state: SaleState) -> list[Scope]:
    """The scopes whose distinct buyers count this sale (none when it is cancelled)."""
    if not state.is_sale:
        return []
    scopes: list[Scope] = [
        (BuyerLevel.CAMPAIGN, state.campaign_id, None, None),
        (BuyerLevel.HOST, state.campaign_id, state.host_id, None),
        (BuyerLevel.PARTY, state.campaign_id, None, state.party_id),
    ]
    if state.guest_bought and state.party_id is not None:
        scopes.append((BuyerLevel.GUEST, None, None, state.party_id))
    return scopes


def _scope_name(scope: Scope) -> str:
    level, campaign_id, host_id, party_id = scope
    if level == BuyerLevel.GUEST:
        return f"g:{_key(party_id)}"
    if level == BuyerLevel.HOST:
        return f"h:{_key(campaign_id)}:{_key(host_id)}"
    if level == BuyerLevel.PARTY:
        return f"p:{_key(campaign_id)}:{_key(party_id)}"
    return f"c:{_key(campaign_id)}"


_CHUNK = 1_000  # rows per statement: well under SQLite's and PostgreSQL's bound on parameters


def _chunks(rows: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(rows), _CHUNK):
        yield rows[start : start + _CHUNK]


def record_sale_changes(*, before: Iterable[SaleState], after: Iterable[SaleState]) -> None:
    """Move the report's facts from the rollup rows as they were (`before`) to the rows as written
    (`after`), in the transaction that wrote them: the one function every write to `AttributedSale`
    calls. A handful of statements per batch whatever its size (one upsert per table, a delete when
    a slot or a buyer is left empty), each an increment (`SET x = x + excluded.x`), so writers of
    the same slot at once add up instead of overwriting each other (PostgreSQL takes the row locks
    in key order: two batches cannot deadlock on them)."""
    sums, buyers = _fact_changes(before=before, after=after)
    alias = AttributedSale.objects.db
    with connections[alias].cursor() as cursor:
        for model, changed in sums.items():
            _add_sums(cursor, model, changed)
            emptied = [slot for slot, fact in changed if fact[-5] < 0]
            if emptied:  # a slot left without a sale goes: the report has a row where a sale is
                model.objects.using(alias).filter(slot__in=emptied, sales=0).delete()
        _add_buyers(cursor, buyers)


def _fact_changes(
    *, before: Iterable[SaleState], after: Iterable[SaleState]
) -> tuple[
    dict[type[SaleFact] | type[HostSales], list[tuple[str, list[Any]]]], list[tuple[tuple[Scope, int], int]]
]:
    """What moving the rollup rows from `before` to `after` changes in the facts: per table, the
    slots whose sums change (the key columns' values, then the changes of `_SUMS`), and the
    (scope, buyer) pairs whose sales change, each in key order, as PostgreSQL will lock them."""
    money = ("gross", "net", "refunded_after_close")
    # Per table, per slot: the key columns' values, then the changes of `_SUMS`.
    grains: dict[type[SaleFact] | type[HostSales], dict[str, list[Any]]] = {SaleFact: {}, HostSales: {}}
    buyers: Counter[tuple[Scope, int]] = Counter()
    for sign, states in ((-1, before), (1, after)):
        for state in states:
            keys: dict[type[SaleFact] | type[HostSales], tuple[str, list[Any]]] = {
                SaleFact: (
                    _slot(state),
                    [state.campaign_id, state.host_id, state.party_id, state.method, state.day],
                ),
                HostSales: (
                    f"{_key(state.campaign_id)}|{_key(state.host_id)}",
                    [state.campaign_id, state.host_id],
                ),
            }
            for model, (slot, key) in keys.items():
                fact = grains[model].setdefault(slot, [*key, 0, 0, ZERO, ZERO, ZERO])
                fact[-5] += sign
                fact[-4] += sign * int(state.is_sale)
                for i, name in enumerate(money, start=-3):
                    fact[i] += sign * getattr(state, name)
            for scope in _scopes(state):
                buyers[scope, state.buyer] += sign
    sums = {
        model: sorted(
            ((slot, fact) for slot, fact in facts.items() if any(fact[-5:])), key=lambda item: item[0]
        )
        for model, facts in grains.items()
    }
    return sums, sorted(
        (((scope, buyer), n) for (scope, buyer), n in buyers.items() if n),
        key=lambda item: (_scope_name(item[0][0]), item[0][1]),
    )


_SUMS = ("sales", "orders", "gross", "net", "refunded_after_close")
_KEY_COLUMNS = {
    SaleFact: ("campaign_id", "host_id", "party_id", "method", "day"),
    HostSales: ("campaign_id", "host_id"),
}


def _add_sums(
    cursor: Any, model: type[SaleFact] | type[HostSales], changed: list[tuple[str, list[Any]]]
) -> None:
    table = model._meta.db_table
    columns = ("slot", *_KEY_COLUMNS[model], *_SUMS)
    update = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in _SUMS)
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    for chunk in _chunks(changed):
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES "  # noqa: S608 (fixed fragments only)
            + ", ".join([row] * len(chunk))
            + f" ON CONFLICT (slot) DO UPDATE SET {update}",
            [value for slot, fact in chunk for value in (slot, *fact)],
        )


def _add_buyers(cursor: Any, changed: list[tuple[tuple[Scope, int], int]]) -> None:
    """Add each (scope, buyer)'s change of sales, and to each scope's count the buyers whose sales
    went from none to some (+1) or from some to none (−1): read back from the upsert itself
    (`RETURNING` the count after the increment), so concurrent writers see each other's."""
    sets, counts = ScopeBuyer._meta.db_table, ScopeBuyers._meta.db_table
    names = {scope: _scope_name(scope) for (scope, _), _ in changed}
    scopes = {name: scope for scope, name in names.items()}
    moves: Counter[str] = Counter()
    emptied: list[tuple[str, int]] = []
    for chunk in _chunks(changed):
        cursor.execute(
            f"INSERT INTO {sets} (scope, buyer, sales) VALUES "  # noqa: S608 (fixed fragments only)
            + ", ".join(["(%s, %s, %s)"] * len(chunk))
            + f" ON CONFLICT (scope, buyer) DO UPDATE SET sales = {sets}.sales + excluded.sales"
            " RETURNING scope, buyer, sales",
            [value for (scope, buyer), n in chunk for value in (names[scope], buyer, n)],
        )
        change = {(names[scope], buyer): n for (scope, buyer), n in chunk}
        for name, buyer, sales in cursor.fetchall():
            was = sales - change[name, buyer]
            moves[name] += (sales > 0) - (was > 0)
            if sales == 0:
                emptied.append((name, buyer))
    # A buyer left with no sale leaves the set (the row stays locked by the upsert until commit).
    for chunk in _chunks(sorted(emptied)):
        cursor.execute(
            f"DELETE FROM {sets} WHERE sales = 0 AND (scope, buyer) IN (VALUES "  # noqa: S608
            + ", ".join(["(%s, %s)"] * len(chunk))
            + ")",
            [value for pair in chunk for value in pair],
        )
    rows = sorted((name, n) for name, n in moves.items() if n)
    for chunk in _chunks(rows):
        cursor.execute(
            f"INSERT INTO {counts} (scope, level, campaign_id, host_id, party_id, buyers) VALUES "  # noqa: S608
            + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk))
            + f" ON CONFLICT (scope) DO UPDATE SET buyers = {counts}.buyers + excluded.buyers",
            [value for name, n in chunk for value in (name, *scopes[name], n)],
        )


# --- PostgreSQL: a batch of fresh rollup rows and their facts in one statement -----------------------
#
# Every column is one array parameter, written as PostgreSQL's array text (`array_text`): the server
# parses it faster than a long VALUES list, and the client sends one quoted string instead of
# quoting thousands of values one by one. The statement's parts run in the order the five
# statements of `record_sale_changes` run (each waits for the one before: `(SELECT count(*) FROM
# …) >= 0`), and each takes its row locks in the order of its arrays, already in key order, so it
# locks as they do. The distinct-buyer counts read the buyer sets' upsert (its `RETURNING`) as
# `_add_buyers` does. A fresh row only adds: no slot and no buyer is left empty, nothing to delete.


def _columns(rows: Sequence[Sequence[Any]], width: int) -> list[str]:
    """One array per column of `rows`."""
    return [array_text(row[index] for row in rows) for index in range(width)]


def _unnest(*types: str) -> str:
    return "unnest(" + ", ".join(f"%s::{name}[]" for name in types) + ")"


_SALE_COLUMNS = _STATE_COLUMNS
_SALE_TYPES = (
    "bigint",
    "bigint",
    "bigint",
    "bigint",
    "text",
    "timestamptz",
    "bigint",
    "boolean",
    "numeric",
    "numeric",
    "boolean",
    "numeric",
)
_SUM_TYPES = ("integer", "integer", "numeric", "numeric", "numeric")
_KEY_TYPES = {
    SaleFact: ("bigint", "bigint", "bigint", "text", "date"),
    HostSales: ("bigint", "bigint"),
}


def _fresh_sales_sql(*, facts: bool) -> str:
    sale = AttributedSale._meta.db_table
    # Only fixed fragments are interpolated: table and column names, types; every value is a parameter.
    upsert = (
        f"INSERT INTO {sale} ({', '.join(_SALE_COLUMNS)}, refreshed_at)"  # noqa: S608
        f" SELECT *, %s::timestamptz FROM {_unnest(*_SALE_TYPES)}"
        " ON CONFLICT (order_id) DO UPDATE SET "
        + ", ".join(f"{name} = excluded.{name}" for name in (*_SALE_COLUMNS[1:], "refreshed_at"))
        + " RETURNING order_id"
    )
    if not facts:
        return upsert
    parts = [f"sale AS ({upsert})"]
    after = "sale"
    for model in (SaleFact, HostSales):
        table, name = model._meta.db_table, model.__name__.lower()
        columns = ("slot", *_KEY_COLUMNS[model], *_SUMS)
        update = ", ".join(f"{column} = {table}.{column} + excluded.{column}" for column in _SUMS)
        parts.append(
            f"{name} AS (INSERT INTO {table} ({', '.join(columns)})"  # noqa: S608
            f" SELECT * FROM {_unnest('text', *_KEY_TYPES[model], *_SUM_TYPES)}"
            f" WHERE (SELECT count(*) FROM {after}) >= 0"
            f" ON CONFLICT (slot) DO UPDATE SET {update} RETURNING slot)"
        )
        after = name
    sets, counts = ScopeBuyer._meta.db_table, ScopeBuyers._meta.db_table
    parts += [
        f"change AS (SELECT * FROM {_unnest('text', 'bigint', 'integer')} AS change (scope, buyer, sales))",  # noqa: S608
        f"buyer AS (INSERT INTO {sets} (scope, buyer, sales) SELECT scope, buyer, sales FROM change"  # noqa: S608
        f" WHERE (SELECT count(*) FROM {after}) >= 0"
        f" ON CONFLICT (scope, buyer) DO UPDATE SET sales = {sets}.sales + excluded.sales"
        " RETURNING scope, buyer, sales)",
        # The buyers whose sales went from none to some (+1) or from some to none (−1), per scope.
        "moved AS (SELECT buyer.scope, SUM(CASE WHEN buyer.sales > 0 THEN 1 ELSE 0 END"
        " - CASE WHEN buyer.sales - change.sales > 0 THEN 1 ELSE 0 END) AS buyers"
        " FROM buyer JOIN change ON change.scope = buyer.scope AND change.buyer = buyer.buyer"
        " GROUP BY buyer.scope)",
        f"counted AS (INSERT INTO {counts} (scope, level, campaign_id, host_id, party_id, buyers)"  # noqa: S608
        " SELECT named.scope, named.level, named.campaign_id, named.host_id, named.party_id, moved.buyers"
        f" FROM {_unnest('text', 'text', 'bigint', 'bigint', 'bigint')}"
        " WITH ORDINALITY AS named (scope, level, campaign_id, host_id, party_id, position)"
        " JOIN moved ON moved.scope = named.scope WHERE moved.buyers <> 0 ORDER BY named.position"
        f" ON CONFLICT (scope) DO UPDATE SET buyers = {counts}.buyers + excluded.buyers RETURNING scope)",
    ]
    return "WITH " + ", ".join(parts) + " SELECT order_id FROM sale WHERE (SELECT count(*) FROM counted) >= 0"  # noqa: S608


_FRESH_SALES = {facts: _fresh_sales_sql(facts=facts) for facts in (True, False)}


def _write_fresh_sales(
    connection: Any, order_ids: list[int], rows: list[dict[str, Any]], *, now: datetime, facts: bool
) -> list[int]:
    """`refresh_attributed_sales` on PostgreSQL: the rollup rows of fresh orders (`rows`, the
    values of `attributed_sale_values`) and, with `facts`, the facts they add, in one statement."""
    sales = [
        (order_id, *(values[name] for name in _SALE_COLUMNS[1:]))
        for order_id, values in zip(order_ids, rows, strict=True)
    ]
    params: list[Any] = [now.isoformat(), *_columns(sales, len(_SALE_COLUMNS))]
    if facts:
        sums, buyers = _fact_changes(before=[], after=[sale_state(values) for values in rows])
        for model in (SaleFact, HostSales):
            width = 1 + len(_KEY_COLUMNS[model]) + len(_SUMS)
            params += _columns([(slot, *fact) for slot, fact in sums[model]], width)
        names = {scope: _scope_name(scope) for (scope, _), _ in buyers}
        params += _columns([(names[scope], buyer, n) for (scope, buyer), n in buyers], 3)
        params += _columns(sorted((name, *scope) for scope, name in names.items()), 5)
    with connection.cursor() as cursor:
        planned.execute(cursor, _FRESH_SALES[facts], params)
        return [order_id for (order_id,) in cursor.fetchall()]


def rebuild_report_facts(*, using: str = "default") -> None:
    """The report's facts recomputed from every rollup row, in a few set-based statements: what a
    database that had rollup rows before the facts existed starts from (the data migration), and
    what the benchmark's builder runs after loading its rows without the application."""
    sale, facts, hosts = AttributedSale._meta.db_table, SaleFact._meta.db_table, HostSales._meta.db_table
    sets, counts = ScopeBuyer._meta.db_table, ScopeBuyers._meta.db_table
    postgres = connections[using].vendor == "postgresql"
    day = "(placed_at AT TIME ZONE 'UTC')::date" if postgres else "date(placed_at)"
    day_text = "to_char(day, 'YYYY-MM-DD')" if postgres else "day"

    def key(column: str) -> str:
        return f"coalesce(CAST({column} AS TEXT), '-')"

    slot = f"{key('campaign_id')} || '|' || {key('host_id')} || '|' || {key('party_id')} || '|' || method || '|' || {day_text}"
    scopes = {
        # level: (scope name, campaign, host, party, the sales it counts)
        BuyerLevel.CAMPAIGN: (f"'c:' || {key('campaign_id')}", "campaign_id", None, None, "is_sale"),
        BuyerLevel.HOST: (
            f"'h:' || {key('campaign_id')} || ':' || {key('host_id')}",
            "campaign_id",
            "host_id",
            None,
            "is_sale",
        ),
        BuyerLevel.PARTY: (
            f"'p:' || {key('campaign_id')} || ':' || {key('party_id')}",
            "campaign_id",
            None,
            "party_id",
            "is_sale",
        ),
        BuyerLevel.GUEST: (
            f"'g:' || {key('party_id')}",
            None,
            None,
            "party_id",
            "is_sale AND guest_bought AND party_id IS NOT NULL",
        ),
    }
    # Only fixed fragments are interpolated: table names and the expressions above.
    statements = [
        f"DELETE FROM {hosts}",  # noqa: S608
        f"DELETE FROM {facts}",  # noqa: S608
        f"DELETE FROM {sets}",  # noqa: S608
        f"DELETE FROM {counts}",  # noqa: S608
        f"INSERT INTO {facts} (slot, campaign_id, host_id, party_id, method, day, sales, orders, gross, net,"  # noqa: S608
        f" refunded_after_close) SELECT {slot}, campaign_id, host_id, party_id, method, day, COUNT(*),"
        " SUM(CASE WHEN is_sale THEN 1 ELSE 0 END), SUM(gross), SUM(net), SUM(refunded_after_close)"
        f" FROM (SELECT s.*, {day} AS day FROM {sale} s) d GROUP BY campaign_id, host_id, party_id, method, day",
    ]
    statements.append(
        f"INSERT INTO {hosts} (slot, campaign_id, host_id, sales, orders, gross, net, refunded_after_close)"  # noqa: S608
        f" SELECT {key('campaign_id')} || '|' || {key('host_id')}, campaign_id, host_id, SUM(sales), SUM(orders),"
        f" SUM(gross), SUM(net), SUM(refunded_after_close) FROM {facts} GROUP BY campaign_id, host_id"
    )
    for level, (name, *columns, counted) in scopes.items():
        grouped = ", ".join(column for column in columns if column)
        values = ", ".join(column or "CAST(NULL AS BIGINT)" for column in columns)
        statements += [
            f"INSERT INTO {sets} (scope, buyer, sales) SELECT {name}, buyer, COUNT(*) FROM {sale}"  # noqa: S608
            f" WHERE {counted} GROUP BY {grouped}, buyer",
            f"INSERT INTO {counts} (scope, level, campaign_id, host_id, party_id, buyers)"  # noqa: S608
            f" SELECT {name}, '{level}', {values}, COUNT(DISTINCT buyer) FROM {sale}"
            f" WHERE {counted} GROUP BY {grouped}",
        ]
    with connections[using].cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
