"""Query-string filters of marketing's application list."""

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from ambassadors.models import Application, ApplicationStatus
from backend.filters import CampaignFilter

# Bounds keep absurd numbers out of the database (SQLite integers stop at 2⁶³).
COUNT_BOUNDS = {"min_value": 0, "max_value": 10**12}
SCORE_BOUNDS = {"min_value": -10_000, "max_value": 10_000}


class ApplicationFilter(filters.FilterSet):
    campaign = CampaignFilter()
    status = filters.MultipleChoiceFilter(choices=ApplicationStatus.choices)
    country = filters.CharFilter(
        field_name="country",
        lookup_expr="iexact",
        help_text="Only applications whose kit address is in this country: an ISO 3166-1 alpha-2 code (FR), any case.",
    )
    postal_prefix = filters.CharFilter(
        field_name="postal_code",
        lookup_expr="istartswith",
        help_text="Only applications whose kit address has a postal code starting with these characters (75, 690).",
    )
    followers_min = filters.NumberFilter(
        field_name="follower_count",
        lookup_expr="gte",
        help_text="Only applications declaring at least this many followers (included); none given never matches.",
        **COUNT_BOUNDS,
    )
    followers_max = filters.NumberFilter(
        field_name="follower_count",
        lookup_expr="lte",
        help_text="Only applications declaring at most this many followers (included); none given never matches.",
        **COUNT_BOUNDS,
    )
    verified = filters.BooleanFilter(
        field_name="social_verified",
        help_text="true: only applicants who proved owning their social account by signing in with it; false: the others.",
    )
    score_min = filters.NumberFilter(
        field_name="score",
        lookup_expr="gte",
        help_text="Only applications scored at least this (included), from -10000 to 10000.",
        **SCORE_BOUNDS,
    )
    score_max = filters.NumberFilter(
        field_name="score",
        lookup_expr="lte",
        help_text="Only applications scored at most this (included), from -10000 to 10000.",
        **SCORE_BOUNDS,
    )
    flagged = filters.BooleanFilter(method="filter_flagged")
    social_network = filters.CharFilter(
        field_name="social_network",
        help_text="Only applications that gave an account on this social network: facebook, instagram, google, tiktok or other.",
    )

    class Meta:
        model = Application
        fields: list[str] = []

    # The schema given here replaces the filter's own, help text included: the description goes with it.
    @extend_schema_field(
        {
            "type": "boolean",
            "description": "true: only applications with at least one risk flag (to look at before selecting); "
            "false: only those without.",
        }
    )
    def filter_flagged(
        self, queryset: QuerySet[Application], name: str, value: bool | None
    ) -> QuerySet[Application]:
        if value is None:
            return queryset
        return queryset.exclude(risk_flags=[]) if value else queryset.filter(risk_flags=[])
