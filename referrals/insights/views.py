"""Marketing's insights pages, mounted at /staff/insights/: the campaigns, and one page per
campaign with its funnel, sales and rewards over time, by method and by region, its top hosts and
parties, return on kit and the other campaigns beside it (issue 20 §10)."""

from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ambassadors.models import Campaign
from backend import roles
from backend.permissions import user_has_role
from referrals.insights import charts
from referrals.insights.services import CampaignInsights, campaign_insights
from referrals.models import AttributionMethod

WEEKS_DRAWN = 26  # the chart shows the latest weeks; the table lists them all
BAR_ROW = 24  # height of a bar chart's row, in the SVG's units


def marketing_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Signed-in members of the marketing role only (others: the sign-in page, or 403 when signed in),
    as the report API lets in."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user_has_role(request.user, roles.MARKETING):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@marketing_required
@require_safe
def campaigns(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "referrals/insights/campaigns.html",
        {"campaigns": Campaign.objects.order_by("-created_at", "-pk")},
    )


@marketing_required
@require_safe
def campaign(request: HttpRequest, campaign_id: int) -> HttpResponse:
    found = get_object_or_404(Campaign, pk=campaign_id)
    insights = campaign_insights(campaign=found)
    return render(request, "referrals/insights/campaign.html", _context(insights))


def _method_label(key: Any) -> str:
    if key is None:
        return _("No single order (guests, clicks, kits, parties, adjustments)")
    return str(AttributionMethod(key).label) if key in AttributionMethod.values else str(key)


def _context(insights: CampaignInsights) -> dict[str, Any]:
    funnel_names = {
        "applications": _("Applications"),
        "selected": _("Hosts selected"),
        "kits_delivered": _("Kits delivered"),
        "parties_held": _("Parties held"),
        "guests": _("Guests"),
        "buyers": _("Buyers"),
        "repeat_buyers": _("Repeat buyers"),
    }
    funnel = [
        {"key": step.key, "name": funnel_names[step.key], "count": step.count, "bar": bar}
        for step, bar in zip(
            insights.funnel,
            charts.horizontal_bars(
                [(step.key, Decimal(step.count)) for step in insights.funnel], row=BAR_ROW
            ),
            strict=True,
        )
    ]
    weeks = [row for row in insights.by_week if row.key is not None][-WEEKS_DRAWN:]
    methods = [{"row": row, "name": _method_label(row.key)} for row in insights.by_method]
    method_bars = charts.horizontal_bars(
        [(_method_label(row.key), row.net_sales) for row in insights.by_method if row.key is not None],
        row=BAR_ROW,
    )
    largest = max((area.net_sales for area in insights.departements.values()), default=Decimal(0))
    view_box, shapes = charts.france_shapes()
    departements = []
    for shape in shapes:
        area = insights.departements.get(charts.report_prefix(shape.code))
        value = area.net_sales if area else Decimal(0)
        departements.append(
            {"shape": shape, "net_sales": value, "fill": charts.shade(value, largest), "area": area}
        )
    totals = insights.totals
    return {
        "insights": insights,
        "campaign": insights.campaign,
        "currency": insights.currency or insights.campaign.currency,
        "totals": totals,
        "funnel": funnel,
        "funnel_height": BAR_ROW * len(funnel),
        "weeks": weeks,
        "week_columns": charts.paired_columns(
            [(row.key.isoformat(), row.net_sales, row.rewards_accrued) for row in weeks]
        ),
        "methods": methods,
        "method_bars": method_bars,
        "method_height": BAR_ROW * max(len(method_bars), 1),
        "map_view_box": view_box,
        "map_shapes": departements,
        "map_legend": charts.legend(largest),
        "departements": sorted(
            insights.departements.values(), key=lambda area: (-area.net_sales, -area.orders, area.key)
        ),
        "kit_bars": charts.horizontal_bars(
            [(_("Kit cost"), totals.kit_cost), (_("Net sales"), totals.net_sales)], row=BAR_ROW
        ),
        "kit_height": BAR_ROW * 2,
    }
