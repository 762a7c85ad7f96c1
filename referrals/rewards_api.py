"""Rewards API: reward plans, the ledger and its adjustments, payout runs and bank transfers (SPEC §8).

Thin views: an input serializer, one call into `referrals.rewards` / `referrals.payouts`, an output
serializer. Marketing sees every host; a host sees only their own lines and payouts (`/me/...`).
"""

from typing import Any

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ambassadors.models import Campaign, Host
from backend.errors import NotFound
from backend.filters import UtcIsoDateTimeFilter
from backend.openapi import CONFLICT
from backend.pagination import CursorPagination
from backend.permissions import IsMarketing, RunsPayouts
from referrals.models import (
    EntryKind,
    EntryState,
    LedgerEntry,
    Payout,
    PayoutMethod,
    PayoutStatus,
    RewardPlan,
)
from referrals.payouts import bank_export_csv, bank_payouts_to_export, mark_payout_paid, run_payouts
from referrals.rewards import adjust_rewards, set_reward_plan
from referrals.rewards_serializers import (
    BracketSerializer,
    LedgerEntrySerializer,
    MyLedgerEntrySerializer,
    MyPayoutSerializer,
    PayoutRunSerializer,
    PayoutSerializer,
    RewardPlanSerializer,
)


class RewardPlanApi(APIView):
    """A campaign's reward plan (marketing). PUT replaces the brackets; other fields omitted keep
    their value (or the default for a new plan). Every host of the campaign is recomputed."""

    permission_classes = [IsMarketing]

    class RewardPlanInputSerializer(serializers.Serializer):
        party_brackets = BracketSerializer(many=True, allow_empty=False)
        min_party_buyers = serializers.IntegerField(min_value=0, max_value=1000, required=False)
        min_party_sales = serializers.DecimalField(
            max_digits=12, decimal_places=2, min_value=0, required=False
        )
        host_code_rate = serializers.DecimalField(
            max_digits=5, decimal_places=4, min_value=0, max_value=1, required=False
        )
        booking_bonus = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)
        cap_per_host = serializers.DecimalField(
            max_digits=12, decimal_places=2, min_value=0, allow_null=True, required=False
        )
        holding_days = serializers.IntegerField(min_value=0, max_value=365, required=False)
        payout_minimum = serializers.DecimalField(
            max_digits=12, decimal_places=2, min_value=0, required=False
        )

    @extend_schema(responses={200: RewardPlanSerializer})
    def get(self, request: Request, campaign_id: int) -> Response:
        plan = RewardPlan.objects.select_related("campaign").filter(campaign_id=campaign_id).first()
        if plan is None:
            get_object_or_404(Campaign, pk=campaign_id)
            raise NotFound("This campaign has no reward plan yet.", code="no_reward_plan")
        return Response(RewardPlanSerializer(plan).data)

    @extend_schema(request=RewardPlanInputSerializer, responses={200: RewardPlanSerializer})
    def put(self, request: Request, campaign_id: int) -> Response:
        campaign = get_object_or_404(Campaign, pk=campaign_id)
        data = self.RewardPlanInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields["party_brackets"] = [dict(bracket) for bracket in fields["party_brackets"]]
        plan = set_reward_plan(campaign=campaign, by=request.user, **fields)
        return Response(
            RewardPlanSerializer(RewardPlan.objects.select_related("campaign").get(pk=plan.pk)).data
        )


class LedgerEntryFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=EntryState.choices)
    kind = django_filters.ChoiceFilter(choices=EntryKind.choices)
    created_after = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = LedgerEntry
        fields = ["host", "campaign", "state", "kind", "payout"]


class LedgerEntryListApi(generics.ListAPIView):
    """Every ledger line (marketing), newest first; filter by host, campaign, state, kind."""

    permission_classes = [IsMarketing]
    serializer_class = LedgerEntrySerializer
    filterset_class = LedgerEntryFilter
    pagination_class = CursorPagination
    ordering_fields: list[str] = []
    queryset = LedgerEntry.objects.select_related("by").order_by("-id")


class LedgerAdjustmentApi(APIView):
    """Add or take money from a host's rewards by hand, with a reason (kept with who did it)."""

    permission_classes = [IsMarketing]

    class AdjustmentInputSerializer(serializers.Serializer):
        host = serializers.PrimaryKeyRelatedField(queryset=Host.objects.all())
        amount = serializers.DecimalField(
            max_digits=12, decimal_places=2, help_text="Positive to add, negative to take back."
        )
        reason = serializers.CharField(max_length=500)

    @extend_schema(request=AdjustmentInputSerializer, responses={201: LedgerEntrySerializer})
    def post(self, request: Request) -> Response:
        data = self.AdjustmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = adjust_rewards(by=request.user, **data.validated_data)
        return Response(LedgerEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class MyLedgerEntryListApi(generics.ListAPIView):
    """The signed-in host's own ledger lines, newest first."""

    permission_classes = [IsAuthenticated]
    serializer_class = MyLedgerEntrySerializer
    pagination_class = CursorPagination
    filterset_fields = ["campaign", "state", "kind"]
    ordering_fields: list[str] = []

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return LedgerEntry.objects.for_user(self.request.user).order_by("-id")


class PayoutFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=PayoutStatus.choices)
    method = django_filters.ChoiceFilter(choices=PayoutMethod.choices)

    class Meta:
        model = Payout
        fields = ["host", "campaign", "status", "method"]


class PayoutListApi(generics.ListAPIView):
    """Every payout (marketing), newest first."""

    permission_classes = [IsMarketing]
    serializer_class = PayoutSerializer
    filterset_class = PayoutFilter
    pagination_class = CursorPagination
    ordering_fields: list[str] = []
    queryset = Payout.objects.select_related("marked_paid_by").order_by("-id")


class MyPayoutListApi(generics.ListAPIView):
    """The signed-in host's own payouts, newest first (with their store-credit codes)."""

    permission_classes = [IsAuthenticated]
    serializer_class = MyPayoutSerializer
    pagination_class = CursorPagination
    ordering_fields: list[str] = []

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return Payout.objects.for_user(self.request.user).order_by("-id")


class PayoutRunApi(APIView):
    """Run the payouts now: reserve for every host over the minimum, then send every pending payout.

    Safe to call again at any time: nothing is ever paid twice."""

    permission_classes = [RunsPayouts]

    class PayoutRunInputSerializer(serializers.Serializer):
        campaign = serializers.PrimaryKeyRelatedField(
            queryset=Campaign.objects.all(), required=False, allow_null=True, help_text="Only this campaign."
        )

    @extend_schema(request=PayoutRunInputSerializer, responses={200: PayoutRunSerializer})
    def post(self, request: Request) -> Response:
        data = self.PayoutRunInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        campaign = data.validated_data.get("campaign")
        result = run_payouts(campaign_id=campaign.pk if campaign else None)
        return Response(PayoutRunSerializer(result.as_dict()).data)


class PayoutMarkPaidApi(APIView):
    """Confirm that a pending bank transfer was made (409 for a Stripe payout or one already paid)."""

    permission_classes = [IsMarketing]

    @extend_schema(request=None, responses={200: PayoutSerializer, **CONFLICT})
    def post(self, request: Request, payout_id: int) -> Response:
        payout = mark_payout_paid(payout=get_object_or_404(Payout, pk=payout_id), by=request.user)
        return Response(PayoutSerializer(payout).data)


class _CsvRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        return data.encode() if isinstance(data, str) else b""


class BankPayoutExportApi(APIView):
    """The pending bank transfers as CSV, for the finance team; mark each one paid once sent."""

    permission_classes = [IsMarketing]
    renderer_classes = [_CsvRenderer, JSONRenderer]

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple[Any, str]:
        return _CsvRenderer(), _CsvRenderer.media_type  # a file, whatever the client accepts

    @extend_schema(
        parameters=[OpenApiParameter("campaign", OpenApiTypes.INT, description="Only this campaign.")],
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description="payout_id,reference,created_at,host_id,first_name,last_name,email,"
                "campaign,amount,currency — the reference goes on the bank transfer.",
            )
        },
    )
    def get(self, request: Request) -> Response:
        raw_campaign = request.query_params.get("campaign")
        # a whole number the database can hold (a larger one failed in SQLite's driver: a 500)
        campaign_id = int(raw_campaign) if raw_campaign and raw_campaign.isdecimal() else None
        if raw_campaign and (campaign_id is None or campaign_id >= 2**63):
            raise serializers.ValidationError({"campaign": ["A campaign id is a whole number."]})
        body = bank_export_csv(bank_payouts_to_export(campaign_id=campaign_id))
        return Response(
            body,
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="bank-payouts.csv"'},
        )

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        # Errors answer in the one JSON error shape.
        if isinstance(response, Response) and response.status_code >= 400:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
