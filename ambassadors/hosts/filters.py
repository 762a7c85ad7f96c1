"""Query-string filters of marketing's host list."""

from django_filters import rest_framework as filters

from ambassadors.models import Host, HostStatus
from backend.filters import CampaignFilter


class HostFilter(filters.FilterSet):
    campaign = CampaignFilter()
    status = filters.MultipleChoiceFilter(choices=HostStatus.choices)
    postal_prefix = filters.CharFilter(
        field_name="postal_code",
        lookup_expr="istartswith",
        help_text="Only hosts whose kit address has a postal code starting with these characters (75, 690).",
    )

    class Meta:
        model = Host
        fields: list[str] = []
