from rest_framework import serializers

from referrals.codes.links import share_link
from referrals.models import ReferralCode


class ReferralCodeSerializer(serializers.ModelSerializer):
    active = serializers.BooleanField(
        read_only=True,
        help_text="True while the code credits orders: not deactivated and its host not banned.",
    )
    link = serializers.SerializerMethodField(
        help_text="The code's share link: a click is recorded, then the buyer lands at the shop with the code applied."
    )

    class Meta:
        model = ReferralCode
        fields = [
            "id",
            "code",
            "kind",
            "campaign",
            "host",
            "party",
            "active",
            "created_at",
            "deactivated_at",
            "link",
        ]
        read_only_fields = fields

    def get_link(self, code: ReferralCode) -> str:
        return share_link(code)
