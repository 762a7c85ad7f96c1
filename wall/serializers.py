"""What the wall's API shows: moderation rows for marketing, a photo's share for its host, the
photo-rights consent, and the public feed a shop embeds."""

from django.urls import reverse
from rest_framework import serializers

from wall.models import WallPhoto, WallPhotoStatus


class WallPhotoSerializer(serializers.ModelSerializer):
    """A shared photo in the moderation queue."""

    campaign: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    party = serializers.IntegerField(
        source="photo.party_id", read_only=True, help_text="The party the photo was taken at (its id)."
    )
    photo = serializers.IntegerField(source="photo_id", read_only=True, help_text="The party photo's id.")
    photo_url = serializers.SerializerMethodField(
        help_text="Where marketing reads the full photo (the party photo's API route)."
    )
    host_first_name = serializers.CharField(
        source="host.first_name", read_only=True, help_text="First name of the party's host."
    )
    city = serializers.CharField(source="host.city", read_only=True, help_text="Town of the host.")
    reason = serializers.CharField(read_only=True, help_text="Why it was rejected (empty otherwise).")

    class Meta:
        model = WallPhoto
        fields = [
            "id",
            "campaign",
            "party",
            "photo",
            "photo_url",
            "host_first_name",
            "city",
            "status",
            "everyone_agreed_at",
            "shared_at",
            "decided_at",
            "reason",
        ]
        read_only_fields = fields

    def get_photo_url(self, wall_photo: WallPhoto) -> str:
        return reverse(
            "api:party-photo", kwargs={"party_id": wall_photo.photo.party_id, "photo_id": wall_photo.photo_id}
        )


class WallShareSerializer(serializers.Serializer):
    """Whether the host's photo is shared on the wall, and what marketing decided."""

    photo = serializers.IntegerField(help_text="The party photo's id.")
    status = serializers.ChoiceField(
        choices=WallPhotoStatus.choices, allow_null=True, help_text="null: never shared."
    )
    shared_at = serializers.DateTimeField(
        allow_null=True, help_text="When the photo was shared to the wall, UTC; null when not shared."
    )
    decided_at = serializers.DateTimeField(
        allow_null=True, help_text="When marketing approved or rejected it, UTC; null while waiting."
    )
    reason = serializers.CharField(allow_blank=True, help_text="Why it was rejected (empty otherwise).")


class WallShareInputSerializer(serializers.Serializer):
    everyone_agreed = serializers.BooleanField(
        help_text="The host confirms everyone pictured agreed to be on the public wall."
    )


class WallRejectInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Why: the host reads it.")


class PhotoConsentSerializer(serializers.Serializer):
    given = serializers.BooleanField(help_text="The brand may share photos of the person's parties.")
    given_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When the host confirmed everyone pictured agreed, UTC; null when not given.",
    )


class WallFeedPhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The photo's id on the wall: stable, the key of its image route.")
    url = serializers.URLField(
        help_text="The photo (JPEG, sized, no metadata): signed, valid until `urls_expire_at`."
    )
    width = serializers.IntegerField(help_text="Width of the image, in pixels.")
    height = serializers.IntegerField(help_text="Height of the image, in pixels.")
    host_first_name = serializers.CharField(help_text="First name of the host whose party it was.")
    city = serializers.CharField(allow_blank=True, help_text="Town of the party; may be empty.")
    approved_at = serializers.DateTimeField(help_text="When marketing put the photo on the wall, UTC.")


class WallFeedSerializer(serializers.Serializer):
    """An oEmbed-like description of a campaign's wall, for a shop to show its approved photos."""

    version = serializers.ChoiceField(choices=["1.0"], help_text="Version of the feed format: 1.0.")
    type = serializers.ChoiceField(choices=["photo_wall"], help_text="What the feed is: always photo_wall.")
    provider_name = serializers.CharField(help_text="Who publishes the feed: the programme's brand name.")
    provider_url = serializers.URLField(help_text="The address of the site that serves the wall.")
    title = serializers.CharField(help_text="The wall's title: the campaign's name.")
    url = serializers.URLField(help_text="The wall's public page.")
    cache_age = serializers.IntegerField(
        help_text="Seconds a consumer may keep this answer (oEmbed's `cache_age`)."
    )
    urls_expire_at = serializers.DateTimeField(help_text="When the photo URLs of this answer stop working.")
    photos = WallFeedPhotoSerializer(
        many=True, help_text="The photos on the wall, each with what a display needs."
    )
