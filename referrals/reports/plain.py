"""The plain GROUP BY over orders ⋈ attributions, and over guests ⋈ parties (PostgreSQL): what the rollup replaces, kept
as the baseline the benchmark compares with and the proof that both give the same numbers."""

from typing import Any

from django.db import connections

from orders.models import Order
from referrals.reports.filters import ReportFilters

_PLAIN_KEYS = {
    "host": "a.host_id",
    "party": "a.party_id",
    "campaign": "a.campaign_id",
    "day": "(o.placed_at AT TIME ZONE 'UTC')::date",
    "week": "date_trunc('week', o.placed_at AT TIME ZONE 'UTC')::date",
    "method": "a.method",
    "postal_area": "h.country || '-' || upper(substr(h.postal_code, 1, 2))",
}
# `Order.net_commissionable_amount` in SQL. PostgreSQL's `round(numeric, 2)` rounds half a cent away
# from zero, the one money rule (`backend.money.round_money`): the same cents as the rollup's `net`.
# The amount in the campaign's currency: `Order.commissionable_in_reward_currency`.
_PLAIN_COMMISSIONABLE = """
    CASE WHEN o.currency_status = 'waiting_for_rate' THEN 0
         ELSE coalesce(o.reward_amount, o.commissionable_amount) END
"""
_PLAIN_NET = f"""
    CASE WHEN o.status = 'cancelled' OR o.total = 0 THEN 0
         ELSE round({_PLAIN_COMMISSIONABLE} * greatest(o.total - o.refunded_amount, 0) / o.total, 2) END
"""

# `referrals.reports.facts.refunded_after_close` in SQL: the commissionable share of the refunds
# (pending or succeeded) and disputes holding the money recorded after the order's party closed,
# at most the order's refunds (gross − net), in the campaign's currency.
_PLAIN_AFTER_CLOSE = f"""
    CASE WHEN o.status = 'cancelled' OR o.total = 0 OR p.status IS DISTINCT FROM 'closed'
              OR p.closed_at IS NULL THEN 0
         ELSE least(
             round(({_PLAIN_COMMISSIONABLE}) * least(o.total,
                 coalesce((SELECT sum(r.amount) FROM orders_refund r WHERE r.order_id = o.id
                           AND r.status IN ('pending', 'succeeded') AND r.created_at > p.closed_at), 0)
                 + coalesce((SELECT sum(d.amount) FROM orders_dispute d WHERE d.order_id = o.id
                             AND d.status IN ('needs_response', 'under_review', 'lost')
                             AND d.created_at > p.closed_at), 0)
             ) / o.total, 2),
             ({_PLAIN_COMMISSIONABLE}) - ({_PLAIN_NET})
         ) END
"""  # noqa: S608 (fixed fragments only)


def _rows(sql: str, params: list[Any], using: str | None = None) -> list[dict[str, Any]]:
    with connections[using or Order.objects.db].cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _where(fixed: list[str], *conditions: tuple[str, Any]) -> tuple[list[str], list[Any]]:
    """The WHERE terms of the given filters: `column = %s`, or the column's own operator when it ends
    with a space; a filter without a value adds nothing."""
    where, params = list(fixed), []
    for column, value in conditions:
        if value is not None:
            where.append(f"{column} %s" if column.endswith(" ") else f"{column} = %s")
            params.append(value)
    return where, params


def sale_facts_from_orders(filters: ReportFilters, group_by: str | None) -> tuple[list[dict[str, Any]], int]:
    """The same sale columns straight from orders ⋈ attributions, and the distinct buyers over the
    whole selection: what the rollup replaces."""
    rows = _plain_group_by(filters, group_by)
    # No order matched: no row at all (GROUP BY over nothing).
    whole = rows if group_by is None else _plain_group_by(filters, None)
    return rows, (whole[0]["buyers"] or 0) if whole else 0


def sale_rows_from_orders(
    filters: ReportFilters, group_by: str | None, *, using: str | None = None
) -> list[dict[str, Any]]:
    """The sale columns per key of `group_by` in one plain statement over orders ⋈ attributions
    (the honest baseline of the benchmark: one GROUP BY, no Python loop), in the database `using`
    (the orders' own by default)."""
    return _plain_group_by(filters, group_by, using)


def _plain_group_by(
    filters: ReportFilters, group_by: str | None, using: str | None = None
) -> list[dict[str, Any]]:
    where, params = _where(
        ["TRUE"],
        ("a.campaign_id", filters.campaign_id),
        ("a.host_id", filters.host_id),
        ("a.party_id", filters.party_id),
        ("a.method", filters.method or None),
        ("o.placed_at >= ", filters.since()),
        ("o.placed_at < ", filters.until()),
    )
    key = _PLAIN_KEYS[group_by] if group_by else "NULL"
    # Only the fixed fragments above are interpolated; every value travels as a parameter.
    sql = f"""
        SELECT {key} AS key,
               count(*) FILTER (WHERE o.status <> 'cancelled') AS orders,
               count(DISTINCT o.customer_email) FILTER (WHERE o.status <> 'cancelled') AS buyers,
               coalesce(sum(CASE WHEN o.status = 'cancelled' THEN 0 ELSE {_PLAIN_COMMISSIONABLE} END), 0)
                   AS gross_sales,
               coalesce(sum({_PLAIN_NET}), 0) AS net_sales,
               coalesce(sum({_PLAIN_AFTER_CLOSE}), 0) AS post_close_refunds
        FROM orders_order o
        JOIN referrals_attribution a ON a.order_id = o.id
        LEFT JOIN ambassadors_host h ON h.id = a.host_id
        LEFT JOIN ambassadors_party p ON p.id = a.party_id
        WHERE {" AND ".join(where)}
        GROUP BY 1
    """  # noqa: S608
    return _rows(sql, params, using)


_GUEST_KEYS = {
    "host": "p.host_id",
    "party": "p.id",
    "campaign": "p.campaign_id",
    "day": "(p.starts_at AT TIME ZONE 'UTC')::date",
    "week": "date_trunc('week', p.starts_at AT TIME ZONE 'UTC')::date",
    "method": "NULL",  # a guest has no attribution method
    "postal_area": "h.country || '-' || upper(substr(h.postal_code, 1, 2))",
}


def guest_facts_from_list(filters: ReportFilters, group_by: str | None) -> list[dict[str, Any]]:
    """Guests and guests who bought straight from the guest rows of parties not cancelled, keyed
    and dated by the party: a guest bought when an order not cancelled, credited to their party,
    was placed with their e-mail. What each party's count and the rollup's flag replace."""
    if filters.method:
        return []  # guests have no method
    where, params = _where(
        ["p.status <> 'cancelled'"],
        ("p.campaign_id", filters.campaign_id),
        ("p.host_id", filters.host_id),
        ("p.id", filters.party_id),
        ("p.starts_at >= ", filters.since()),
        ("p.starts_at < ", filters.until()),
    )
    key = _GUEST_KEYS[group_by] if group_by else "NULL"
    # Only the fixed fragments above are interpolated; every value travels as a parameter.
    sql = f"""
        SELECT {key} AS key,
               count(*) AS guests,
               count(*) FILTER (
                   WHERE g.email <> '' AND EXISTS (
                       SELECT 1 FROM orders_order o JOIN referrals_attribution a ON a.order_id = o.id
                       WHERE a.party_id = g.party_id AND o.customer_email = g.email AND o.status <> 'cancelled'
                   )
               ) AS guests_who_bought
        FROM ambassadors_guest g
        JOIN ambassadors_party p ON p.id = g.party_id
        LEFT JOIN ambassadors_host h ON h.id = p.host_id
        WHERE {" AND ".join(where)}
        GROUP BY 1
    """  # noqa: S608
    return _rows(sql, params)
