"""Query-string filters of marketing's application list."""

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from ambassadors.models import Application, ApplicationStatus
from backend.filters import CampaignFilter

# Bounds keep absurd numbers out of the database (SQLite integers stop at 2⁶³).
COUNT_BOUNDS = {"min_value": 0, "max_value": 10**12}
SCORE_BOUNDS = {"min_value": -10_000, "max_value": 10_000}


class ApplicationFilter(filters.FilterSet):
    campaign = CampaignFilter()
    status = filters.MultipleChoiceFilter(choices=ApplicationStatus.choices)
    country = filters.CharFilter(field_name="country", lookup_expr="iexact")
    postal_prefix = filters.CharFilter(
        field_name="postal_code", lookup_expr="istartswith", help_text="e.g. 75 or 690"
    )
    followers_min = filters.NumberFilter(field_name="follower_count", lookup_expr="gte", **COUNT_BOUNDS)
    followers_max = filters.NumberFilter(field_name="follower_count", lookup_expr="lte", **COUNT_BOUNDS)
    verified = filters.BooleanFilter(field_name="social_verified")
    score_min = filters.NumberFilter(field_name="score", lookup_expr="gte", **SCORE_BOUNDS)
    score_max = filters.NumberFilter(field_name="score", lookup_expr="lte", **SCORE_BOUNDS)
    flagged = filters.BooleanFilter(method="filter_flagged", help_text="Has at least one risk flag.")
    social_network = filters.CharFilter(field_name="social_network")

    class Meta:
        model = Application
        fields: list[str] = []

    @extend_schema_field(OpenApiTypes.BOOL)
    def filter_flagged(
        self, queryset: QuerySet[Application], name: str, value: bool | None
    ) -> QuerySet[Application]:
        if value is None:
            return queryset
        return queryset.exclude(risk_flags=[]) if value else queryset.filter(risk_flags=[])
