"""Marketing's host list, with what marketing looks up next on each row: the host's referral code
and where their kit is.

The route is the hosts API's own (`/api/v1/hosts/`): ambassadors knows neither codes nor kits, so
referrals, which may read both, serves the list by extending the hosts view (as it does for the
orders). The row is the hosts API's `Host` with three more fields; the query count stays constant
(two subqueries in the one query, however many rows).
"""

from django.db.models import OuterRef, QuerySet, Subquery
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from ambassadors.hosts.api import HostListApi
from ambassadors.hosts.serializers import HostSerializer
from ambassadors.models import Host
from kits.models import Shipment, ShipmentStatus
from referrals.models import CodeKind, ReferralCode


@extend_schema_serializer(component_name="HostRow")  # "Host" stays select-best's row, without these
class HostRowSerializer(HostSerializer):
    referral_code = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="The host's own referral code for this campaign (e.g. CLARA-7K2F), even once "
        "deactivated; null until one is issued at selection. Party codes are at /api/v1/codes/.",
    )
    kit_status = serializers.ChoiceField(
        choices=ShipmentStatus.choices,
        read_only=True,
        allow_null=True,
        help_text="Status of the host's latest kit shipment (a cancelled kit replaced by a new one "
        "shows the new one's); null when no kit was ever allocated.",
    )
    kit_shipment = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="Number of that shipment (KIT-2026-000123), the key of /api/v1/kits/shipments/{number}/; "
        "null when no kit was ever allocated.",
    )

    class Meta(HostSerializer.Meta):
        fields = [*HostSerializer.Meta.fields, "referral_code", "kit_status", "kit_shipment"]
        read_only_fields = fields


def with_code_and_kit(queryset: QuerySet[Host]) -> QuerySet[Host]:
    latest_kit = Shipment.objects.filter(host=OuterRef("pk")).order_by("-id")
    return queryset.annotate(
        referral_code=Subquery(
            ReferralCode.objects.filter(host=OuterRef("pk"), kind=CodeKind.HOST).values("code")[:1]
        ),
        kit_status=Subquery(latest_kit.values("status")[:1]),
        kit_shipment=Subquery(latest_kit.values("number")[:1]),
    )


class HostWithCodeAndKitListApi(HostListApi):
    """The hosts, most recently selected first, filtered by campaign, status or postal prefix; each row
    with the host's referral code and the status and number of their kit. Marketing (or admin) only."""

    serializer_class = HostRowSerializer

    def get_queryset(self) -> QuerySet[Host]:
        return with_code_and_kit(super().get_queryset())
