"""Marketing's reading of the feedback (SPEC §16): counts, distributions, the "would buy" rate and a
sample of comments, grouped by SKU, by colour and size, by campaign, by region or by host profile; and
beside each group, the units of the rated pieces sold on orders credited to hosts.

Comments are shown without their author. A region is the host's postal area (`FR-75`, as in the
attribution report); a host profile is the size of the audience she declared when applying.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Case, CharField, Count, F, Q, Sum, Value, When, Window
from django.db.models.functions import Cast, Concat, RowNumber, Substr, Upper

from ambassadors.models import Campaign, Host
from feedback.models import ColourOpinion, Fit, PieceFeedback
from kits.models import Item
from orders.models import OrderLine, OrderStatus
from referrals.reports.areas import postal_area_label

GROUPINGS = ("sku", "variant", "campaign", "region", "host_profile")
COMMENTS_PER_ROW = 3
HOST_PROFILES = {
    "no_audience": "No audience declared",
    "under_1k": "Under 1,000 followers",
    "1k_to_10k": "1,000 to 10,000 followers",
    "10k_plus": "10,000 followers or more",
}


def _profile(followers: int | None) -> str:
    if followers is None:
        return "no_audience"
    if followers < 1000:
        return "under_1k"
    if followers < 10000:
        return "1k_to_10k"
    return "10k_plus"


def _key_expression(group_by: str) -> Any:
    if group_by == "sku":
        return F("item__sku")
    if group_by == "variant":
        return Concat(F("item__colour"), Value(" / "), F("item__size"), output_field=CharField())
    if group_by == "campaign":
        return Cast(F("campaign_id"), CharField())
    if group_by == "region":
        return Concat(
            F("host__country"),
            Value("-"),
            Upper(Substr(F("host__postal_code"), 1, 2)),
            output_field=CharField(),
        )
    followers = "host__application__follower_count"
    return Case(
        When(**{f"{followers}__isnull": True}, then=Value("no_audience")),
        When(**{f"{followers}__lt": 1000}, then=Value("under_1k")),
        When(**{f"{followers}__lt": 10000}, then=Value("1k_to_10k")),
        default=Value("10k_plus"),
        output_field=CharField(),
    )


@dataclass
class FeedbackRow:
    key: str
    label: str = ""
    ratings: int = 0
    by_hosts: int = 0
    by_guests: int = 0
    fit: dict[str, int] = field(default_factory=dict)
    colour: dict[str, int] = field(default_factory=dict)
    quality: dict[str, int] = field(default_factory=dict)
    quality_average: Decimal | None = None
    would_buy: int = 0
    would_buy_rate: Decimal | None = None
    comments: list[str] = field(default_factory=list)
    units_sold_through_hosts: int = 0


@dataclass
class FeedbackReport:
    group_by: str
    rows: list[FeedbackRow]


def _ratio(part: int, whole: int, places: str) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _labels(group_by: str, keys: list[str]) -> dict[str, str]:
    if group_by == "sku":
        return dict(Item.objects.filter(sku__in=keys).values_list("sku", "name"))
    if group_by == "campaign":
        ids = [int(key) for key in keys if key.isdigit()]
        return {str(pk): name for pk, name in Campaign.objects.filter(pk__in=ids).values_list("pk", "name")}
    if group_by == "region":
        return {key: postal_area_label(key) for key in keys}
    if group_by == "host_profile":
        return {key: HOST_PROFILES.get(key, key) for key in keys}
    return {key: key for key in keys}


def _units_sold(group_by: str, feedback: Any, campaign: Campaign | None) -> dict[str, int]:
    """Units of the rated SKUs on orders credited to a host (not cancelled), in each group's key."""
    items = {
        sku.upper(): (sku, colour, size)
        for sku, colour, size in Item.objects.filter(
            pk__in=feedback.values("item_id").distinct()
        ).values_list("sku", "colour", "size")
    }
    if not items:
        return {}
    lines = (
        OrderLine.objects.annotate(upper_sku=Upper("sku"))
        .filter(upper_sku__in=list(items), order__attribution__host__isnull=False)
        .exclude(order__status=OrderStatus.CANCELLED)
    )
    if campaign is not None:
        lines = lines.filter(order__attribution__campaign=campaign)
    sold = list(
        lines.values("upper_sku", "order__attribution__host_id", "order__attribution__campaign_id")
        .annotate(units=Sum("quantity"))
        .order_by()
    )
    hosts = {
        row["pk"]: row
        for row in Host.objects.filter(pk__in={row["order__attribution__host_id"] for row in sold}).values(
            "pk", "country", "postal_code", "application__follower_count"
        )
    }
    totals: dict[str, int] = {}
    for row in sold:
        sku, colour, size = items[row["upper_sku"]]
        host = hosts[row["order__attribution__host_id"]]
        key = {
            "sku": sku,
            "variant": f"{colour} / {size}",
            "campaign": str(row["order__attribution__campaign_id"]),
            "region": f"{host['country']}-{(host['postal_code'] or '')[:2].upper()}",
            "host_profile": _profile(host["application__follower_count"]),
        }[group_by]
        totals[key] = totals.get(key, 0) + int(row["units"] or 0)
    return totals


def feedback_report(
    *, group_by: str = "sku", campaign: Campaign | None = None, item: Item | None = None
) -> FeedbackReport:
    """The report's rows, most rated first; a constant number of queries whatever the data."""
    feedback = PieceFeedback.objects.all()
    if campaign is not None:
        feedback = feedback.filter(campaign=campaign)
    if item is not None:
        feedback = feedback.filter(item=item)
    key = _key_expression(group_by)
    counts: dict[str, Any] = {
        "ratings": Count("id"),
        "by_guests": Count("id", filter=Q(guest__isnull=False)),
        "would_buy": Count("id", filter=Q(would_buy=True)),
        "quality_sum": Sum("quality"),
    }
    counts |= {f"fit_{value}": Count("id", filter=Q(fit=value)) for value in Fit.values}
    counts |= {f"colour_{value}": Count("id", filter=Q(colour=value)) for value in ColourOpinion.values}
    counts |= {f"quality_{n}": Count("id", filter=Q(quality=n)) for n in range(1, 6)}
    grouped = list(feedback.annotate(key=key).values("key").annotate(**counts).order_by("-ratings", "key"))

    comments: dict[str, list[str]] = {}
    sample = (
        feedback.exclude(comment="")
        .annotate(
            key=key,
            rank=Window(RowNumber(), partition_by=[key], order_by=[F("updated_at").desc(), F("id").desc()]),
        )
        .filter(rank__lte=COMMENTS_PER_ROW)
        .values_list("key", "comment")
    )
    for group, comment in sample:
        comments.setdefault(str(group), []).append(comment)

    keys = [str(row["key"]) for row in grouped]
    labels = _labels(group_by, keys)
    sold = _units_sold(group_by, feedback, campaign)
    rows = []
    for row in grouped:
        group = str(row["key"])
        ratings = row["ratings"]
        rows.append(
            FeedbackRow(
                key=group,
                label=labels.get(group, group),
                ratings=ratings,
                by_hosts=ratings - row["by_guests"],
                by_guests=row["by_guests"],
                fit={value: row[f"fit_{value}"] for value in Fit.values},
                colour={value: row[f"colour_{value}"] for value in ColourOpinion.values},
                quality={str(n): row[f"quality_{n}"] for n in range(1, 6)},
                quality_average=_ratio(row["quality_sum"] or 0, ratings, "0.01"),
                would_buy=row["would_buy"],
                would_buy_rate=_ratio(row["would_buy"], ratings, "0.0001"),
                comments=comments.get(group, []),
                units_sold_through_hosts=sold.get(group, 0),
            )
        )
    return FeedbackReport(group_by=group_by, rows=rows)


CSV_HEADER = [
    "key",
    "label",
    "ratings",
    "by_hosts",
    "by_guests",
    *[f"fit_{value}" for value in Fit.values],
    *[f"colour_{value}" for value in ColourOpinion.values],
    *[f"quality_{n}" for n in range(1, 6)],
    "quality_average",
    "would_buy",
    "would_buy_rate",
    "units_sold_through_hosts",
    "comments",
]


def csv_rows(report: FeedbackReport) -> list[list[Any]]:
    rows: list[list[Any]] = [CSV_HEADER]
    for row in report.rows:
        rows.append(
            [
                row.key,
                row.label,
                row.ratings,
                row.by_hosts,
                row.by_guests,
                *[row.fit[value] for value in Fit.values],
                *[row.colour[value] for value in ColourOpinion.values],
                *[row.quality[str(n)] for n in range(1, 6)],
                "" if row.quality_average is None else row.quality_average,
                row.would_buy,
                "" if row.would_buy_rate is None else row.would_buy_rate,
                row.units_sold_through_hosts,
                " | ".join(row.comments),
            ]
        )
    return rows
