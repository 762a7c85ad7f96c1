"""Query-string filters of the marketing review lists."""

from django.db.models import QuerySet
from django_filters import rest_framework as filters

from ambassadors.models import Application, ApplicationStatus, Host, HostStatus


class ApplicationFilter(filters.FilterSet):
    campaign = filters.NumberFilter(field_name="campaign_id")
    status = filters.MultipleChoiceFilter(choices=ApplicationStatus.choices)
    country = filters.CharFilter(field_name="country", lookup_expr="iexact", max_length=2)
    postal_prefix = filters.CharFilter(
        field_name="postal_code", lookup_expr="istartswith", max_length=12, help_text="e.g. 75 or 690"
    )
    followers_min = filters.NumberFilter(field_name="follower_count", lookup_expr="gte")
    followers_max = filters.NumberFilter(field_name="follower_count", lookup_expr="lte")
    verified = filters.BooleanFilter(field_name="social_verified")
    score_min = filters.NumberFilter(field_name="score", lookup_expr="gte")
    score_max = filters.NumberFilter(field_name="score", lookup_expr="lte")
    flagged = filters.BooleanFilter(method="filter_flagged", help_text="Has at least one risk flag.")
    social_network = filters.CharFilter(field_name="social_network", max_length=16)

    class Meta:
        model = Application
        fields: list[str] = []

    def filter_flagged(
        self, queryset: QuerySet[Application], name: str, value: bool | None
    ) -> QuerySet[Application]:
        if value is None:
            return queryset
        return queryset.exclude(risk_flags=[]) if value else queryset.filter(risk_flags=[])


class HostFilter(filters.FilterSet):
    campaign = filters.NumberFilter(field_name="campaign_id")
    status = filters.MultipleChoiceFilter(choices=HostStatus.choices)
    postal_prefix = filters.CharFilter(field_name="postal_code", lookup_expr="istartswith", max_length=12)

    class Meta:
        model = Host
        fields: list[str] = []
