"""Attribution API: every order's attribution, which marketing reads and corrects."""

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ambassadors.models import Host, Party
from backend.filters import CampaignFilter, DescribedFilterSet, UtcIsoDateTimeFilter
from backend.pagination import CursorPagination
from backend.permissions import IsMarketing
from orders.models import Order
from referrals.attribution.serializers import AttributionDetailSerializer, AttributionSerializer
from referrals.attribution.services import reattribute_order
from referrals.models import Attribution, AttributionMethod, AttributionReason


class AttributionFilter(DescribedFilterSet):
    campaign = CampaignFilter()
    placed_after = UtcIsoDateTimeFilter(
        field_name="order__placed_at", lookup_expr="gte", rows="attributions of orders placed"
    )
    placed_before = UtcIsoDateTimeFilter(
        field_name="order__placed_at", lookup_expr="lt", rows="attributions of orders placed"
    )
    method = django_filters.ChoiceFilter(
        choices=AttributionMethod.choices, help_text="Only orders attributed by this rule."
    )
    reason = django_filters.ChoiceFilter(
        choices=AttributionReason.choices,
        help_text="Only orders whose attribution gives this reason: why no host, or no reward, was credited.",
    )

    class Meta:
        model = Attribution
        fields = ["campaign", "host", "party", "method", "reason", "earns"]
        help_texts = {
            "host": "Only orders credited to this host, by the host's id.",
            "party": "Only orders credited to this party, by the party's id.",
            "earns": "true: only orders that earn their host rewards; false: self-referrals, orders of a "
            "paused or banned host, cancelled orders.",
        }


class AttributionListApi(generics.ListAPIView):
    """Every order's attribution with its explanation (marketing); no buyer identity."""

    permission_classes = [IsMarketing]
    serializer_class = AttributionSerializer
    filterset_class = AttributionFilter
    pagination_class = CursorPagination
    queryset = Attribution.objects.select_related("order", "referral_code").order_by("-id")


class AttributionDetailApi(generics.RetrieveAPIView):
    """How one order was attributed, by the order's id: the rule that decided (code, link, party, none), the
    host, party and code credited, whether it earns, the sentence a person reads, and every manual
    re-attribution since. Marketing (or admin) only."""

    permission_classes = [IsMarketing]
    serializer_class = AttributionDetailSerializer
    lookup_field = "order__id"  # the order's own key, whose lookups refuse out-of-range numbers
    lookup_url_kwarg = "order_id"
    queryset = Attribution.objects.select_related("order", "referral_code").prefetch_related(
        "order__attribution_changes__by"
    )


class ReattributeApi(APIView):
    """Credit an order to a host (and party) by hand, or to nobody; the reason is kept in the audit trail."""

    permission_classes = [IsMarketing]

    class ReattributeInputSerializer(serializers.Serializer):
        host = serializers.PrimaryKeyRelatedField(
            queryset=Host.objects.all(),
            allow_null=True,
            help_text="The host to credit (their id); null to credit nobody.",
        )
        party = serializers.PrimaryKeyRelatedField(
            queryset=Party.objects.all(),
            allow_null=True,
            required=False,
            help_text="The party of that host to credit (its id); optional.",
        )
        reason = serializers.CharField(
            max_length=500,
            help_text="Why the order is re-attributed (required, kept in its history and the audit trail).",
        )

    @extend_schema(request=ReattributeInputSerializer, responses={200: AttributionDetailSerializer})
    def post(self, request: Request, order_id: int) -> Response:
        order = get_object_or_404(Order, pk=order_id)
        data = self.ReattributeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attribution = reattribute_order(
            order=order,
            host=data.validated_data["host"],
            party=data.validated_data.get("party"),
            by=request.user,
            reason=data.validated_data["reason"],
        )
        return Response(AttributionDetailSerializer(attribution).data)
