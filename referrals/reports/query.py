"""Marketing's attribution report (SPEC §9): the rows and totals, from the one statement of the rollup
(`referrals.reports.statement`) or, as a baseline, the plain GROUP BY over orders (`plain`).

Every fact the report counts belongs to exactly one row whatever the grouping, so the rows of any
grouping add up to the ungrouped totals:

- orders, buyers, sales, refunds — one per order, from `AttributedSale`;
- guests, and the guests who bought — one per guest of a party that is not cancelled, keyed by
  the party (its host, campaign, day, area) and dated by the party's day, so conversion ≤ 1 in
  every row; a guest bought when a sale credited to their party was placed with their e-mail;
- clicks — one per click (dated by the click);
- kit cost — one per shipped kit line, cost shipped minus cost returned in good state (dated by
  the shipping day);
- rewards — one per ledger line, payouts excluded (dated by the line).

A fact that has no value for a dimension (a click has no attribution method, a kit belongs to no
party) falls in the row whose key is empty when grouped by that dimension, and is left out when
the report is filtered on it (guests have no method). Distinct buyers and the ratios are not
additive: the totals row computes them over the whole selection.

Money is the commissionable amount (subtotal − discount; tax and shipping never count), like the
rewards: gross sales as ordered, refunds as the commissionable share given back (of them, post-close
refunds: the share recorded after the order's party closed, which no longer changes its final
reward), net sales as `Order.net_commissionable_amount`. Cancelled orders are no sale and count nowhere.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connections, transaction
from django.db.models import Count, Sum

from ambassadors.models import Campaign, Host, Party
from backend.db_router import report_reads
from backend.errors import Invalid
from backend.money import CENT, ZERO, round_money
from referrals.models import AttributedSale, AttributionMethod, SaleFact
from referrals.reports.areas import postal_area_label
from referrals.reports.filters import GROUPINGS, ReportFilters
from referrals.reports.plain import guest_facts_from_list, sale_facts_from_orders
from referrals.reports.statement import (
    COLUMNS,
    click_branches,
    fetch,
    guest_branches,
    kit_branches,
    reward_branches,
    sale_branches,
    sale_branches_from_rows,
)

# Columns that add up across the rows of a grouping (the others are ratios or distinct counts).
ADDITIVE = (
    "orders",
    "gross_sales",
    "refunds",
    "post_close_refunds",
    "net_sales",
    "rewards_accrued",
    "rewards_approved",
    "rewards_paid",
    "guests",
    "guests_who_bought",
    "clicks",
    "kit_cost",
)


SUMMED = tuple(name for name in ADDITIVE if name != "refunds")  # refunds = gross − net


@dataclass
class ReportRow:
    key: Any
    label: str
    orders: int = 0
    buyers: int = 0
    gross_sales: Decimal = ZERO
    net_sales: Decimal = ZERO
    post_close_refunds: Decimal = ZERO
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
        # On net sales: what the orders are worth once refunds are given back.
        return round_money(self.net_sales / self.orders) if self.orders else None

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


# --- The report ----------------------------------------------------------------------------------


# The row of facts that have no value for the grouping, where a reader would wonder what it holds.
_NO_KEY = {
    "method": "no single order: guests, clicks, parties, cap, bookings, kits, adjustments",
}


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
    if group_by == "postal_area":
        return {key: postal_area_label(str(key)) for key in ids}
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
    *, filters: ReportFilters, group_by: str | None = None, from_orders: bool = False, from_rows: bool = False
) -> Report:
    """The report's rows for `group_by` (or none) and the totals over the whole selection.

    `from_orders` computes the sale columns with the plain GROUP BY over orders instead of the
    report's facts, and the guests and guests who bought from the guest rows and the orders
    (PostgreSQL only): the baseline the benchmark compares with, and the proof that both give the
    same numbers. `from_rows` computes them with a GROUP BY over the rollup's row per order (any
    database): the same proof on SQLite.
    """
    if group_by is not None and group_by not in GROUPINGS:
        raise Invalid(
            f"group_by must be one of {', '.join(GROUPINGS)}.", code="invalid_choice", field="group_by"
        )
    with report_reads(), _report_session():
        report = Report(group_by=group_by, currency=_currency(filters), filters=filters)
        rows: dict[Any, ReportRow] = {}
        whole_buyers = 0
        if from_orders:
            branches = []
        elif from_rows:
            branches = sale_branches_from_rows(filters, group_by) + guest_branches(
                filters, group_by, from_rows=True
            )
        else:
            branches = sale_branches(filters, group_by) + guest_branches(filters, group_by)
        for facts in (click_branches, kit_branches, reward_branches):
            branches += facts(filters, group_by)
        for is_whole, key, values in fetch(branches, group_by, AttributedSale.objects.db):
            if is_whole and group_by is not None:
                # Not a row: the distinct buyers over the whole selection.
                whole_buyers = values[1] or 0
                continue
            row = rows.get(key) or rows.setdefault(key, ReportRow(key=key, label=""))
            for (name, _), value in zip(COLUMNS, values, strict=True):
                if value is not None:
                    setattr(row, name, getattr(row, name) + value)
        if from_orders:
            sale_rows, whole_buyers = sale_facts_from_orders(filters, group_by)
            for found in [*sale_rows, *guest_facts_from_list(filters, group_by)]:
                key = found.pop("key")
                _add(rows.setdefault(key, ReportRow(key=key, label="")), found)
        totals = ReportRow(key=None, label="total")
        for row in rows.values():
            for name in SUMMED:
                setattr(totals, name, getattr(totals, name) + getattr(row, name))
        if group_by is not None:
            # Distinct buyers do not add up across rows: they are counted over the whole selection.
            totals.buyers = whole_buyers
            labels = _labels(group_by, rows)
            for row in rows.values():
                row.label = labels.get(row.key, "—") if row.key is not None else _NO_KEY.get(group_by, "—")
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
            SaleFact.objects.filter(campaign=campaign, orders__gt=0)
            .values_list("method")
            .annotate(n=Sum("orders"))
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
