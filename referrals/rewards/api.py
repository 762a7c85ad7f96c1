"""Rewards API: reward plans, the ledger and its adjustments (SPEC §8).

Thin views: an input serializer, one call into `referrals.rewards.services`, an output serializer.
Marketing sees every host; a host sees only their own lines (`/me/...`).
"""

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ambassadors.models import Campaign, Host
from backend.errors import NotFound
from backend.filters import CampaignFilter, DescribedFilterSet, UtcIsoDateTimeFilter
from backend.openapi import document_rule_codes, not_found
from backend.pagination import CursorPagination
from backend.permissions import IsMarketing
from referrals.models import EntryKind, EntryState, LedgerEntry, RewardPlan
from referrals.rewards.serializers import (
    BracketSerializer,
    LedgerEntrySerializer,
    MyLedgerEntrySerializer,
    RewardPlanSerializer,
)
from referrals.rewards.services import adjust_rewards, set_reward_plan


# The codes of the brackets' rules (`entitlement.validate_brackets`), given on the whole list.
@document_rule_codes({"party_brackets": ["invalid", "required"]}, methods=["put"])
class RewardPlanApi(APIView):
    """A campaign's reward plan (marketing). PUT replaces the brackets; other fields omitted keep
    their value (or the default for a new plan). Every host of the campaign is recomputed."""

    permission_classes = [IsMarketing]

    class RewardPlanInputSerializer(serializers.Serializer):
        party_brackets = BracketSerializer(
            many=True,
            allow_empty=False,
            help_text="What a qualified party earns its host, by slices of its net sales (at least one slice).",
        )
        min_party_buyers = serializers.IntegerField(
            min_value=0,
            max_value=1000,
            required=False,
            help_text="Buyers a party needs to earn (0 to 1,000); 3 by default.",
        )
        min_party_sales = serializers.DecimalField(
            max_digits=12,
            decimal_places=2,
            min_value=0,
            required=False,
            help_text="Net sales a party needs to earn, in the campaign's currency; 150.00 by default.",
        )
        host_code_rate = serializers.DecimalField(
            max_digits=5,
            decimal_places=4,
            min_value=0,
            max_value=1,
            required=False,
            help_text="Share a host earns on sales through their own code or link, from 0 to 1 (0.05 for 5 %).",
        )
        booking_bonus = serializers.DecimalField(
            max_digits=12,
            decimal_places=2,
            min_value=0,
            required=False,
            help_text="Paid for each guest who applies through a party and is selected, in the campaign's currency; 0 for none.",
        )
        cap_per_host = serializers.DecimalField(
            max_digits=12,
            decimal_places=2,
            min_value=0,
            allow_null=True,
            required=False,
            help_text="Most a host can earn in the campaign, in its currency; null for no cap.",
        )
        holding_days = serializers.IntegerField(
            min_value=0,
            max_value=365,
            required=False,
            help_text="Days a reward stays pending before approval (0 to 365).",
        )
        payout_minimum = serializers.DecimalField(
            max_digits=12,
            decimal_places=2,
            min_value=0,
            required=False,
            help_text="Smallest approved balance paid out, in the campaign's currency.",
        )

    @extend_schema(
        responses={
            200: RewardPlanSerializer,
            **not_found(
                "no_reward_plan",
                component_name="RewardPlanNotFound",
                description="No such campaign (`not_found`), or it has no reward plan yet (`no_reward_plan`).",
            ),
        }
    )
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


class LedgerEntryFilter(DescribedFilterSet):
    campaign = CampaignFilter()
    state = django_filters.ChoiceFilter(choices=EntryState.choices)
    kind = django_filters.ChoiceFilter(choices=EntryKind.choices)
    created_after = UtcIsoDateTimeFilter(
        field_name="created_at", lookup_expr="gte", rows="ledger lines written"
    )
    created_before = UtcIsoDateTimeFilter(
        field_name="created_at", lookup_expr="lt", rows="ledger lines written"
    )

    class Meta:
        model = LedgerEntry
        fields = ["host", "campaign", "state", "kind", "payout"]
        help_texts = {
            "host": "Only the lines of this host, by the host's id.",
            "payout": "Only the lines paid out by this payout, by the payout's id.",
        }


class LedgerEntryListApi(generics.ListAPIView):
    """Every ledger line (marketing), newest first; filter by host, campaign, state, kind."""

    permission_classes = [IsMarketing]
    serializer_class = LedgerEntrySerializer
    filterset_class = LedgerEntryFilter
    pagination_class = CursorPagination
    ordering_fields: list[str] = []
    queryset = LedgerEntry.objects.select_related("by").order_by("-id")


@document_rule_codes(
    {"amount": ["invalid", "beyond_adjustment_limit"], "reason": ["required"]}, methods=["post"]
)
class LedgerAdjustmentApi(APIView):
    """Add or take money from a host's rewards by hand, with a reason (kept with who did it)."""

    permission_classes = [IsMarketing]

    class AdjustmentInputSerializer(serializers.Serializer):
        host = serializers.PrimaryKeyRelatedField(
            queryset=Host.objects.all(), help_text="The host whose balance is adjusted (their id)."
        )
        amount = serializers.DecimalField(
            max_digits=12, decimal_places=2, help_text="Positive to add, negative to take back."
        )
        reason = serializers.CharField(
            max_length=500, help_text="Why (required; the host reads it on their statement)."
        )

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
    filterset_class = LedgerEntryFilter
    ordering_fields: list[str] = []

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return LedgerEntry.objects.for_user(self.request.user).order_by("-id")
