"""Codes API: every code (marketing) and the signed-in host's own."""

import django_filters
from rest_framework import generics
from rest_framework.permissions import IsAuthenticated

from backend.filters import CampaignFilter, DescribedFilterSet
from backend.pagination import CountedCursorPagination
from backend.permissions import IsMarketing
from referrals.codes.serializers import ReferralCodeSerializer
from referrals.models import ReferralCode


class ReferralCodeFilter(DescribedFilterSet):
    campaign = CampaignFilter()
    code = django_filters.CharFilter(
        method="filter_code",
        help_text="Only this code, as a buyer types it: spaces around it and the case do not matter.",
    )

    class Meta:
        model = ReferralCode
        fields = ["campaign", "host", "party", "kind"]
        help_texts = {
            "host": "Only the codes of this host (their own and their parties'), by the host's id.",
            "party": "Only the code of this party, by the party's id.",
        }

    def filter_code(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(code=value.strip().upper())


class ReferralCodeListApi(generics.ListAPIView):
    """Every code (marketing)."""

    permission_classes = [IsMarketing]
    serializer_class = ReferralCodeSerializer
    filterset_class = ReferralCodeFilter
    ordering_fields = ["created_at", "code"]
    ordering = ["-created_at", "-id"]
    pagination_class = CountedCursorPagination
    queryset = ReferralCode.objects.select_related("host").order_by("-created_at", "-id")


class MyReferralCodeListApi(generics.ListAPIView):
    """The signed-in host's own codes."""

    permission_classes = [IsAuthenticated]
    serializer_class = ReferralCodeSerializer
    filterset_class = ReferralCodeFilter
    ordering_fields = ["created_at", "code"]
    ordering = ["kind", "-id"]
    pagination_class = CountedCursorPagination

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return ReferralCode.objects.for_user(self.request.user).select_related("host").order_by("kind", "-id")
