"""Payouts API: payout runs, bank transfers marked paid, and the CSV for finance (SPEC §8).

Thin views: an input serializer, one call into `referrals.payouts.services`, an output serializer.
Marketing sees every payout; a host sees only their own (`/me/payouts/`).
"""

from typing import Any

import django_filters
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from ambassadors.models import Campaign, Host
from backend.filters import CampaignFilter, DescribedFilterSet
from backend.negotiation import ErrorsInJson
from backend.openapi import CONFLICT, document_rule_codes
from backend.pagination import CursorPagination
from backend.permissions import IsMarketing, RunsPayouts
from referrals.models import FrozenBalanceDecision, Payout, PayoutMethod, PayoutStatus
from referrals.payouts.serializers import (
    FrozenBalanceSerializer,
    MyPayoutSerializer,
    PayoutRunSerializer,
    PayoutSerializer,
)
from referrals.payouts.services import (
    bank_export_csv,
    bank_payouts_to_export,
    cancel_payout,
    forfeit_frozen_balance,
    mark_payout_paid,
    release_frozen_balance,
    retry_payout,
    run_payouts,
)


class PayoutFilter(DescribedFilterSet):
    campaign = CampaignFilter()
    status = django_filters.ChoiceFilter(choices=PayoutStatus.choices)
    method = django_filters.ChoiceFilter(choices=PayoutMethod.choices)

    class Meta:
        model = Payout
        fields = ["host", "campaign", "status", "method"]
        help_texts = {"host": "Only the payouts to this host, by the host's id."}


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
    filterset_class = PayoutFilter
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


class PayoutRetryApi(APIView):
    """Send a failed payout again: it reserves the host's approved balance anew; the next run sends it."""

    permission_classes = [IsMarketing]

    @extend_schema(request=None, responses={200: PayoutSerializer, **CONFLICT})
    def post(self, request: Request, payout_id: int) -> Response:
        payout = retry_payout(payout=get_object_or_404(Payout, pk=payout_id), by=request.user)
        return Response(PayoutSerializer(payout).data)


class PayoutCancelApi(APIView):
    """Give up a failed payout (or a bank transfer not made): its amount stays in the approved balance."""

    permission_classes = [IsMarketing]

    @extend_schema(request=None, responses={200: PayoutSerializer, **CONFLICT})
    def post(self, request: Request, payout_id: int) -> Response:
        payout = cancel_payout(payout=get_object_or_404(Payout, pk=payout_id), by=request.user)
        return Response(PayoutSerializer(payout).data)


class FrozenBalanceDecideApi(APIView):
    """Decide a banned host's frozen balance, once: release it (paid as usual) or forfeit it (a ledger
    line takes the unpaid balance back, with the reason)."""

    permission_classes = [IsMarketing]

    class FrozenBalanceInputSerializer(serializers.Serializer):
        decision = serializers.ChoiceField(
            choices=FrozenBalanceDecision.choices,
            help_text="released (the balance is paid as usual) or forfeited (it is taken back).",
        )
        reason = serializers.CharField(max_length=500, help_text="Why (required, kept with the decision).")

    @extend_schema(request=FrozenBalanceInputSerializer, responses={200: FrozenBalanceSerializer, **CONFLICT})
    def post(self, request: Request, host_id: int) -> Response:
        data = self.FrozenBalanceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decide = (
            release_frozen_balance
            if data.validated_data["decision"] == FrozenBalanceDecision.RELEASED
            else forfeit_frozen_balance
        )
        decided = decide(
            host=get_object_or_404(Host, pk=host_id), reason=data.validated_data["reason"], by=request.user
        )
        return Response(FrozenBalanceSerializer(decided).data)


class _CsvRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        return data.encode() if isinstance(data, str) else b""


@document_rule_codes({"campaign": ["invalid"]}, methods=["get"])
class BankPayoutExportApi(ErrorsInJson, APIView):
    """The pending bank transfers as CSV, for the finance team; mark each one paid once sent."""

    permission_classes = [IsMarketing]
    renderer_classes = [_CsvRenderer, JSONRenderer]

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple[Any, str]:
        # A file, whatever the client accepts; a `?format=` that names no format of this route is
        # refused as on every route (404).
        asked = request.query_params.get(api_settings.URL_FORMAT_OVERRIDE or "format")
        if not force and asked is not None and asked not in {r.format for r in self.renderer_classes}:
            raise Http404
        return _CsvRenderer(), _CsvRenderer.media_type

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
