"""Input and output shapes of the hosts API."""

from rest_framework import serializers

from ambassadors.models import Campaign, Host, HostStatus
from ambassadors.models.hosts import HOST_PERSONAL_FIELDS
from backend.serializers import E164PhoneField, StatusChangeSerializer


class HostSerializer(serializers.ModelSerializer):
    phone = E164PhoneField()
    email = serializers.EmailField(
        source="user.email",
        read_only=True,
        help_text="The host's sign-in e-mail address: where the programme writes to them.",
    )

    class Meta:
        model = Host
        fields = [
            "id",
            "campaign",
            "application",
            "status",
            *HOST_PERSONAL_FIELDS,
            "email",
            "selected_at",
            "activated_at",
        ]
        read_only_fields = fields


class HostDetailSerializer(HostSerializer):
    history = StatusChangeSerializer(
        many=True,
        read_only=True,
        help_text="Every status change of the host, oldest first: when, by whom, from, to, why.",
    )

    class Meta(HostSerializer.Meta):
        fields = [*HostSerializer.Meta.fields, "history"]
        read_only_fields = fields


class HostTransitionInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=HostStatus.choices,
        help_text="The status to move the host to; only moves the host's current status allows (409 otherwise).",
    )
    reason = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why, kept in the status history (at most 500 characters); optional.",
    )


class MyHostCampaignSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = ["id", "name", "slug", "status", "party_window_start", "party_window_end", "shop_url"]
        read_only_fields = fields


class MyHostSerializer(serializers.ModelSerializer):
    """A host's own participation, as the host sees it."""

    campaign = MyHostCampaignSerializer(
        read_only=True,
        help_text="The campaign this participation belongs to, with what the host needs of it.",
    )
    phone = E164PhoneField()

    class Meta:
        model = Host
        fields = [
            "id",
            "campaign",
            "status",
            *HOST_PERSONAL_FIELDS,
            "selected_at",
            "activated_at",
        ]
        read_only_fields = fields
