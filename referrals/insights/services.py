"""What the staff insights page shows of one campaign (issue 20 §10), read from the attribution
report's own service (`referrals.reports.query.attribution_report`) so its figures are the report
API's, plus the funnel's steps the report does not count (applications, hosts, kits delivered,
parties held, repeat buyers).

A fixed number of queries whatever the campaign's size: one report per grouping, one grouped count
per funnel step over every compared campaign.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connections
from django.db.models import Count

from ambassadors.models import Application, Campaign, Host, Party, PartyStatus
from backend.db_router import report_reads
from backend.errors import Invalid
from backend.money import ZERO
from kits.models import Shipment
from referrals.models import AttributedSale
from referrals.reports.areas import FRENCH_DEPARTMENTS
from referrals.reports.filters import ReportFilters
from referrals.reports.query import Report, ReportRow, attribution_report

# Parties that took place: held, then closed once their attribution window ended.
HELD_PARTY_STATUSES = (PartyStatus.HELD, PartyStatus.CLOSED)
TOP = 10  # hosts and parties shown
COHORT_LIMIT = 8  # campaigns compared, the most recent first


@dataclass(frozen=True)
class FunnelStep:
    key: str
    count: int


@dataclass(frozen=True)
class Cohort:
    """One campaign beside the others: its funnel and its report totals."""

    campaign: Campaign
    funnel: list[FunnelStep]
    totals: ReportRow

    @property
    def net_sales_per_host(self) -> Decimal | None:
        hosts = next(step.count for step in self.funnel if step.key == "selected")
        return (self.totals.net_sales / hosts).quantize(Decimal("0.01")) if hosts else None


@dataclass(frozen=True)
class Area:
    """A postal area of the report (`FR-75`), or a country's areas added up (`BE`)."""

    key: str
    label: str
    net_sales: Decimal
    orders: int


@dataclass
class CampaignInsights:
    campaign: Campaign
    currency: str | None
    totals: ReportRow
    funnel: list[FunnelStep]
    by_week: list[ReportRow]
    by_method: list[ReportRow]
    # Metropolitan départements by number (`75`, `20` for Corsica), as the report's `FR-..` rows.
    departements: dict[str, Area]
    # Everything the map cannot show, ranked by net sales: other countries, France outside
    # the metropolitan départements, and the facts without an area.
    other_areas: list[Area]
    top_hosts: list[ReportRow]
    top_parties: list[ReportRow]
    cohorts: list[Cohort] = field(default_factory=list)
    cohorts_note: str = ""


def campaign_insights(*, campaign: Campaign) -> CampaignInsights:
    """The page's figures for `campaign`: every money and count column from the report."""
    filters = ReportFilters(campaign_id=campaign.pk)
    reports = {
        group_by: attribution_report(filters=filters, group_by=group_by)
        for group_by in (None, "week", "method", "postal_area", "host", "party")
    }
    cohorts, note = _cohorts(campaign)
    funnels = funnel_counts(campaign_ids=[campaign.pk, *(c.campaign.pk for c in cohorts)])
    totals = reports[None].totals
    departements, other_areas = _areas(reports["postal_area"])
    return CampaignInsights(
        campaign=campaign,
        currency=reports[None].currency,
        totals=totals,
        funnel=_funnel(funnels.get(campaign.pk, {}), totals),
        by_week=reports["week"].rows,
        by_method=reports["method"].rows,
        departements=departements,
        other_areas=other_areas,
        top_hosts=[row for row in reports["host"].rows if row.key is not None][:TOP],
        top_parties=[row for row in reports["party"].rows if row.key is not None][:TOP],
        cohorts=[
            Cohort(
                campaign=cohort.campaign,
                funnel=_funnel(funnels.get(cohort.campaign.pk, {}), cohort.totals),
                totals=cohort.totals,
            )
            for cohort in cohorts
        ],
        cohorts_note=note,
    )


def _funnel(counts: dict[str, int], totals: ReportRow) -> list[FunnelStep]:
    """Applications → selected → kits delivered → parties held → guests → buyers → repeat buyers;
    guests and buyers are the report's."""
    return [
        FunnelStep("applications", counts.get("applications", 0)),
        FunnelStep("selected", counts.get("selected", 0)),
        FunnelStep("kits_delivered", counts.get("kits_delivered", 0)),
        FunnelStep("parties_held", counts.get("parties_held", 0)),
        FunnelStep("guests", totals.guests),
        FunnelStep("buyers", totals.buyers),
        FunnelStep("repeat_buyers", counts.get("repeat_buyers", 0)),
    ]


def funnel_counts(*, campaign_ids: list[int]) -> dict[int, dict[str, int]]:
    """The funnel's own steps for each campaign, one grouped query per step:

    - applications: every application received, whatever became of it;
    - selected: the campaign's hosts (a host is an application selected), in any state;
    - kits delivered: shipments the host received (delivered, then maybe returned and closed);
    - parties held: parties held or closed (a closed party was held);
    - repeat buyers: distinct buyers (as the report counts them) with two orders or more that are
      not cancelled, credited to the campaign.
    """
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    with report_reads():
        grouped = {
            "applications": Application.objects.filter(campaign_id__in=campaign_ids),
            "selected": Host.objects.filter(campaign_id__in=campaign_ids),
            "kits_delivered": Shipment.objects.filter(
                campaign_id__in=campaign_ids, delivered_at__isnull=False
            ),
            "parties_held": Party.objects.filter(
                campaign_id__in=campaign_ids, status__in=HELD_PARTY_STATUSES
            ),
        }
        for step, queryset in grouped.items():
            for campaign_id, count in (
                queryset.order_by()
                .values_list("campaign_id")
                .annotate(n=Count("pk"))
                .values_list("campaign_id", "n")
            ):
                counts[campaign_id][step] = count
        for campaign_id, count in _repeat_buyers(campaign_ids):
            counts[campaign_id]["repeat_buyers"] = count
    return dict(counts)


def _repeat_buyers(campaign_ids: list[int]) -> list[tuple[int, int]]:
    if not campaign_ids:
        return []
    table = AttributedSale._meta.db_table
    marks = ", ".join(["%s"] * len(campaign_ids))
    sql = (
        f"SELECT campaign_id, COUNT(*) FROM (SELECT campaign_id, buyer FROM {table} "  # noqa: S608
        f"WHERE is_sale AND campaign_id IN ({marks}) GROUP BY campaign_id, buyer HAVING COUNT(*) >= 2) "
        "AS repeat GROUP BY campaign_id"
    )
    with connections[AttributedSale.objects.db].cursor() as cursor:
        cursor.execute(sql, campaign_ids)
        return [(int(campaign_id), int(count)) for campaign_id, count in cursor.fetchall()]


def _areas(report: Report) -> tuple[dict[str, Area], list[Area]]:
    """The report's postal areas split between the map (metropolitan départements) and a ranked
    list: other countries added up, French areas off the map, and the facts without an area."""
    departements: dict[str, Area] = {}
    others: dict[str, list[ReportRow]] = defaultdict(list)
    for row in report.rows:
        key = str(row.key) if row.key is not None else ""
        country, _, prefix = key.partition("-")
        if country == "FR" and prefix in FRENCH_DEPARTMENTS and prefix != "97":
            departements[prefix] = Area(key=key, label=row.label, net_sales=row.net_sales, orders=row.orders)
        elif country == "FR":
            others[key].append(row)
        else:
            others[country].append(row)  # "" gathers the facts without an area
    other_areas = [
        Area(
            key=key,
            label=rows[0].label if key.startswith("FR-") else key,
            net_sales=sum((row.net_sales for row in rows), ZERO),
            orders=sum(row.orders for row in rows),
        )
        for key, rows in others.items()
    ]
    other_areas.sort(key=lambda area: (area.key == "", -area.net_sales, -area.orders, area.key))
    return departements, other_areas


@dataclass(frozen=True)
class _CohortTotals:
    campaign: Campaign
    totals: ReportRow


def _cohorts(campaign: Campaign) -> tuple[list[_CohortTotals], str]:
    """The campaigns to compare, the most recent first (`campaign` among them): all of them in one
    report grouped by campaign; when campaigns use different currencies, the ones in this
    campaign's currency, one report each."""
    campaigns = list(Campaign.objects.order_by("-created_at", "-pk")[:COHORT_LIMIT])
    if campaign not in campaigns:
        campaigns = [campaign, *campaigns[: COHORT_LIMIT - 1]]
    try:
        report = attribution_report(filters=ReportFilters(), group_by="campaign")
    except Invalid:
        same = [other for other in campaigns if other.currency == campaign.currency]
        return [
            _CohortTotals(other, attribution_report(filters=ReportFilters(campaign_id=other.pk)).totals)
            for other in same
        ], "currency"
    rows: dict[Any, ReportRow] = {row.key: row for row in report.rows}
    return [
        _CohortTotals(other, rows.get(other.pk) or ReportRow(key=other.pk, label=str(other)))
        for other in campaigns
    ], ""
