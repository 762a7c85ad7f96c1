"""Output serializers of the recognition API (milestones, notes, a campaign's choices)."""

from rest_framework import serializers

from recognition.models import BrandNote, CampaignRecognition, Milestone


class MilestoneSerializer(serializers.ModelSerializer):
    campaign = serializers.IntegerField(
        source="host.campaign_id",
        read_only=True,
        help_text="The campaign of the host who reached it (its id).",
    )

    class Meta:
        model = Milestone
        fields = ["id", "host", "campaign", "kind", "party", "reached_at", "announced_at"]
        read_only_fields = fields


class BrandNoteSerializer(serializers.ModelSerializer):
    campaign = serializers.IntegerField(
        source="host.campaign_id",
        read_only=True,
        help_text="The campaign of the host the note is for (its id).",
    )
    gift_entry = serializers.IntegerField(
        source="gift_id", read_only=True, allow_null=True, help_text="The ledger line of the gift, if any."
    )

    class Meta:
        model = BrandNote
        fields = [
            "id",
            "host",
            "campaign",
            "milestone",
            "body",
            "gift_amount",
            "gift_currency",
            "gift_entry",
            "by",
            "created_at",
            "read_at",
        ]
        read_only_fields = fields


class CampaignRecognitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = CampaignRecognition
        fields = ["campaign", "public_leaderboard", "updated_at"]
        read_only_fields = fields
