"""Input and output shapes of the hosts API."""

from rest_framework import serializers

from ambassadors.models import Campaign, Host, HostStatus
from backend.serializers import E164PhoneField, StatusChangeSerializer


class HostSerializer(serializers.ModelSerializer):
    phone = E164PhoneField()
    email = serializers.EmailField(source="user.email", read_only=True)

    class Meta:
        model = Host
        fields = [
            "id",
            "campaign",
            "application",
            "status",
            "first_name",
            "last_name",
            "email",
            "phone",
            "address_line1",
            "address_line2",
            "postal_code",
            "city",
            "country",
            "selected_at",
            "activated_at",
        ]
        read_only_fields = fields


class HostDetailSerializer(HostSerializer):
    history = StatusChangeSerializer(many=True, read_only=True)

    class Meta(HostSerializer.Meta):
        fields = [*HostSerializer.Meta.fields, "history"]
        read_only_fields = fields


class HostTransitionInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=HostStatus.choices)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class MyHostCampaignSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = ["id", "name", "slug", "status", "party_window_start", "party_window_end", "shop_url"]
        read_only_fields = fields


class MyHostSerializer(serializers.ModelSerializer):
    """A host's own participation, as the host sees it."""

    campaign = MyHostCampaignSerializer(read_only=True)
    phone = E164PhoneField()

    class Meta:
        model = Host
        fields = [
            "id",
            "campaign",
            "status",
            "first_name",
            "last_name",
            "phone",
            "address_line1",
            "address_line2",
            "postal_code",
            "city",
            "country",
            "selected_at",
            "activated_at",
        ]
        read_only_fields = fields
