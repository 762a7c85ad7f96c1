"""Marketing's attribution report and campaign summary (SPEC §9): thin views over
`referrals.reports.query`."""

from collections.abc import Iterator
from typing import Any

from django.http import HttpResponseBase, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ambassadors.models import Campaign, Host, Party
from backend.csv_export import csv_writer
from backend.filters import BoundedDateField
from backend.negotiation import ErrorsInJson
from backend.permissions import IsMarketing
from referrals.models import AttributionMethod, DecimalDigits
from referrals.reports.csv import csv_lines
from referrals.reports.filters import GROUPINGS, ReportFilters
from referrals.reports.query import Report, attribution_report, campaign_summary

MONEY: DecimalDigits = {"max_digits": 14, "decimal_places": 2}


class CsvRenderer(BaseRenderer):
    """Announces `?format=csv`; the report view streams the file itself."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        return b""


class _Echo:
    def write(self, value: str) -> str:
        return value


class ReportRowSerializer(serializers.Serializer):
    key = serializers.CharField(
        allow_null=True, help_text="The group: an id, a date, a method or a postal area."
    )
    # A declared field, moved by the serializer metaclass into `_declared_fields`: it never shadows
    # `Field.label`, which the stubs cannot tell.
    label = serializers.CharField(  # type: ignore[assignment]
        help_text="The group as a person reads it: a name, a date, a département ('75 · Paris'), "
        "or what the row without a key holds."
    )
    orders = serializers.IntegerField(
        help_text="Orders placed in the date range and attributed to the group; cancelled orders excluded."
    )
    buyers = serializers.IntegerField(
        help_text="Distinct buyers (by e-mail, never shown) of those orders; not additive across rows."
    )
    gross_sales = serializers.DecimalField(
        **MONEY, help_text="Commissionable amount of those orders (subtotal − discount), before refunds."
    )
    refunds = serializers.DecimalField(
        **MONEY,
        help_text="Commissionable share given back on those orders (gross − net), including refunds "
        "made after a party closed, which no longer change its reward (post_close_refunds).",
    )
    post_close_refunds = serializers.DecimalField(
        **MONEY,
        help_text="Of the refunds, the commissionable share recorded after the order's party closed "
        "(refunds pending or succeeded, disputes holding the money): the party's reward is final, "
        "so this money no longer changes it. 0 for orders outside parties or of parties still open.",
    )
    net_sales = serializers.DecimalField(
        **MONEY,
        help_text="Commissionable amount of those orders after refunds, in proportion to what was paid.",
    )
    average_order_value = serializers.DecimalField(
        **MONEY, allow_null=True, help_text="Net sales ÷ orders (refunds deducted); null without orders."
    )
    rewards_accrued = serializers.DecimalField(
        **MONEY,
        help_text="Every ledger line but payouts, in any state, posted in the date range (by method: "
        "lines of host-code sales under their order's method, the others in the row without a key).",
    )
    rewards_approved = serializers.DecimalField(
        **MONEY, help_text="Of those lines, the approved ones not paid yet (payable)."
    )
    rewards_paid = serializers.DecimalField(
        **MONEY,
        help_text="Ledger lines of payouts Stripe confirmed or marked paid; pending payouts excluded.",
    )
    guests = serializers.IntegerField(
        help_text="Guests listed at parties not cancelled that started in the date range, in their "
        "party's row (its host, campaign, area; by day and week the day it started; by method the "
        "row without a key, and none when filtered on a method: a guest has no method)."
    )
    guests_who_bought = serializers.IntegerField(
        help_text="Of those same guests, the ones who bought: an order not cancelled, credited to "
        "their party and placed with their e-mail (any method, any day); a guest counts once. In "
        "the same row as the guests, so never more than them."
    )
    guest_conversion = serializers.DecimalField(
        max_digits=7,
        decimal_places=4,
        allow_null=True,
        help_text="Guests who bought ÷ guests, both over the same guests (at most 1); null without guests.",
    )
    clicks = serializers.IntegerField(help_text="Clicks on the group's referral links in the date range.")
    kit_cost = serializers.DecimalField(
        **MONEY, help_text="Cost of kits shipped in the date range − items returned in good state."
    )
    return_on_kit = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        allow_null=True,
        help_text="Net sales ÷ kit cost; null without kit cost.",
    )

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        if instance.key is not None and not isinstance(instance.key, str):
            data["key"] = (
                str(instance.key) if not hasattr(instance.key, "isoformat") else instance.key.isoformat()
            )
        return data


class AttributionReportSerializer(serializers.Serializer):
    group_by = serializers.CharField(
        allow_null=True,
        help_text="How the rows are grouped (host, party, campaign, day, week, method, postal_area); null for totals only.",
    )
    currency = serializers.CharField(
        allow_null=True,
        help_text="ISO 4217 code of every amount of the report (campaigns of different currencies are refused: filter by campaign); null when there is no campaign.",
    )
    rows = ReportRowSerializer(
        many=True, help_text="One row per group: by date for day and week, otherwise largest net sales first."
    )
    totals = ReportRowSerializer(
        help_text="The same columns over every order counted (distinct buyers are counted once, so rows do not add up to it)."
    )


_EXAMPLE_ROW = {
    "key": "42",
    "label": "Clara Martin",
    "orders": 37,
    "buyers": 31,
    "gross_sales": "3552.00",
    "refunds": "96.00",
    "post_close_refunds": "16.00",
    "net_sales": "3456.00",
    "average_order_value": "96.00",
    "rewards_accrued": "412.80",
    "rewards_approved": "250.00",
    "rewards_paid": "100.00",
    "guests": 24,
    "guests_who_bought": 11,
    "guest_conversion": "0.4583",
    "clicks": 140,
    "kit_cost": "1180.00",
    "return_on_kit": "2.93",
}


class AttributionReportApi(ErrorsInJson, APIView):
    """Orders, buyers, sales, rewards, guests, clicks and kit cost, by host, party, campaign, day,
    week, method or postal area (marketing). `?format=csv` streams the same rows as a CSV file.

    Every fact counts in exactly one row, so any grouping adds up to the same totals; facts with no
    value for the grouping (a click has no method, a kit no party) sit in the row with an empty key.
    """

    permission_classes = [IsMarketing]
    renderer_classes = [JSONRenderer, CsvRenderer]

    class InputSerializer(serializers.Serializer):
        campaign = serializers.PrimaryKeyRelatedField(
            queryset=Campaign.objects.all(),
            required=False,
            help_text="Only this campaign's facts, by the campaign's id; needed when campaigns use different "
            "currencies.",
        )
        host = serializers.PrimaryKeyRelatedField(
            queryset=Host.objects.all(), required=False, help_text="Only this host's facts, by the host's id."
        )
        party = serializers.PrimaryKeyRelatedField(
            queryset=Party.objects.all(),
            required=False,
            help_text="Only this party's facts, by the party's id.",
        )
        method = serializers.ChoiceField(
            choices=AttributionMethod.choices,
            required=False,
            help_text="Only the orders attributed by this rule (facts with no order, such as clicks, drop out).",
        )
        date_from = BoundedDateField(required=False, help_text="First UTC day included.")
        date_to = BoundedDateField(required=False, help_text="Last UTC day included.")
        group_by = serializers.ChoiceField(
            choices=[(g, g) for g in GROUPINGS],
            required=False,
            help_text="One row per host, party, campaign, UTC day, week (starting on Monday, UTC), attribution "
            "method or postal area; left out, a single row of totals.",
        )

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if attrs.get("date_from") and attrs.get("date_to") and attrs["date_from"] > attrs["date_to"]:
                raise serializers.ValidationError({"date_to": "date_to must not be before date_from."})
            return attrs

    @extend_schema(
        parameters=[InputSerializer],
        responses={
            (200, "application/json"): OpenApiResponse(
                AttributionReportSerializer,
                examples=[
                    OpenApiExample(
                        "One campaign by host",
                        value={
                            "group_by": "host",
                            "currency": "EUR",
                            "rows": [_EXAMPLE_ROW],
                            "totals": {**_EXAMPLE_ROW, "key": None, "label": "total"},
                        },
                    )
                ],
            ),
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description="The same rows, then the totals, as CSV (streamed).",
                examples=[
                    OpenApiExample(
                        "CSV",
                        value="key,label,orders,...,currency\r\n42,Clara Martin,37,...,EUR\r\ntotal,total,37,...,EUR\r\n",
                    )
                ],
            ),
        },
    )
    def get(self, request: Request) -> HttpResponseBase:
        # As a plain dict: `?group_by=` is then a bad value (400), not an omitted one (DRF reads a
        # blank form field as absent), as a blank filter is refused everywhere.
        data = self.InputSerializer(data=request.query_params.dict())
        data.is_valid(raise_exception=True)
        values = data.validated_data
        filters = ReportFilters(
            campaign_id=values["campaign"].pk if values.get("campaign") else None,
            host_id=values["host"].pk if values.get("host") else None,
            party_id=values["party"].pk if values.get("party") else None,
            method=values.get("method"),
            date_from=values.get("date_from"),
            date_to=values.get("date_to"),
        )
        report = attribution_report(filters=filters, group_by=values.get("group_by"))
        if request.accepted_renderer.format == "csv":
            return self._stream_csv(report)
        return Response(AttributionReportSerializer(report).data)

    def _stream_csv(self, report: Report) -> StreamingHttpResponse:
        writer = csv_writer(_Echo())

        def lines() -> Iterator[str]:
            for record in csv_lines(report):
                yield writer.writerow(record)

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        name = f"attribution-report-{report.group_by or 'totals'}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class CampaignSummarySerializer(serializers.Serializer):
    campaign = serializers.IntegerField(source="campaign.pk", help_text="The campaign's id.")
    name = serializers.CharField(source="campaign.name", help_text="The campaign's name.")
    status = serializers.CharField(source="campaign.status", help_text="The campaign's status.")
    currency = serializers.CharField(
        help_text="ISO 4217 code of every amount of the summary (the campaign's currency)."
    )
    hosts_by_status = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="How many hosts are in each status (invited, active, paused, alumni, banned).",
    )
    parties_by_status = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="How many parties are in each status (planned, held, closed, cancelled).",
    )
    orders_by_method = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="How many of the campaign's sales each attribution rule decided (code, link, guest, manual, none), every rule listed, 0 included.",
    )
    totals = ReportRowSerializer(
        help_text="The campaign's totals, with the columns of the attribution report."
    )


class CampaignSummaryApi(APIView):
    """A campaign at a glance (marketing): its totals, its hosts and parties by state, orders by method."""

    permission_classes = [IsMarketing]

    @extend_schema(
        responses={
            200: OpenApiResponse(
                CampaignSummarySerializer,
                examples=[
                    OpenApiExample(
                        "Autumn-winter",
                        value={
                            "campaign": 3,
                            "name": "Autumn-winter 2026",
                            "status": "running",
                            "currency": "EUR",
                            "hosts_by_status": {"active": 9, "paused": 1},
                            "parties_by_status": {"planned": 4, "held": 12, "closed": 3},
                            "orders_by_method": {
                                "code": 120,
                                "link": 64,
                                "guest": 30,
                                "manual": 2,
                                "none": 41,
                            },
                            "totals": {**_EXAMPLE_ROW, "key": None, "label": "total"},
                        },
                    )
                ],
            )
        }
    )
    def get(self, request: Request, campaign_id: int) -> Response:
        campaign = get_object_or_404(Campaign, pk=campaign_id)
        return Response(CampaignSummarySerializer(campaign_summary(campaign=campaign)).data)
