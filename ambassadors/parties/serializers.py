"""Output shapes of parties and guests, shared by the host's and marketing's API views."""

from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ambassadors.models import (
    GUEST_LIST_OPEN_STATUSES,
    Application,
    Guest,
    Party,
    PartyPhoto,
    PartyStatusChange,
)
from backend.privacy import mask_email, mask_phone


class PartyPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = PartyPhoto
        fields = ["id", "url", "content_type", "size_bytes", "width", "height", "uploaded_at"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, photo: PartyPhoto) -> str:
        """The photo's own API route, which checks who asks (the file has no public URL)."""
        url = reverse("api:party-photo", args=[photo.party_id, photo.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class PartyHostSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The host's id: the key of /api/v1/hosts/{id}/.")
    first_name = serializers.CharField(help_text="The host's first name.")
    last_name = serializers.CharField(help_text="The host's last name.")


class PartyStatusChangeSerializer(serializers.ModelSerializer):
    by = serializers.EmailField(
        source="by.email",
        allow_null=True,
        default=None,
        help_text="The e-mail of the staff member (or host) who made the change; null when done by the system or the account is gone.",
    )

    class Meta:
        model = PartyStatusChange
        fields = ["at", "from_status", "to_status", "reason", "by"]


class BookedApplicationSerializer(serializers.ModelSerializer):
    campaign: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Application
        fields = ["id", "campaign", "status", "created_at"]


class PartySerializer(serializers.ModelSerializer):
    campaign: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    host = PartyHostSerializer(read_only=True, help_text="The party's host: id and name.")
    guest_count = serializers.IntegerField(
        read_only=True, help_text="Guests on the party's list now (added by the host or registered)."
    )
    photos = PartyPhotoSerializer(
        many=True, read_only=True, help_text="The party's photos, as their private routes."
    )
    public_url = serializers.SerializerMethodField(
        help_text="The party's public invitation page, where guests register: the link the host shares."
    )

    class Meta:
        model = Party
        fields = [
            "id",
            "campaign",
            "host",
            "title",
            "starts_at",
            "city",
            "postal_code",
            "expected_guests",
            "notes",
            "status",
            "attribution_ends_at",
            "actual_guests",
            "highlights",
            "social_post_urls",
            "held_at",
            "closed_at",
            "cancelled_at",
            "guest_count",
            "photos",
            "public_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_public_url(self, party: Party) -> str:
        path = reverse("party_public:register", args=[party.public_token])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class PartyDetailSerializer(PartySerializer):
    history = PartyStatusChangeSerializer(
        many=True, read_only=True, help_text="Every status change of the party, oldest first."
    )
    booked_applications = BookedApplicationSerializer(
        many=True,
        read_only=True,
        help_text="Applications made through this party's page by guests who want to host too: the bookings that earn the host a bonus once selected.",
    )

    class Meta(PartySerializer.Meta):
        fields = [*PartySerializer.Meta.fields, "history", "booked_applications"]
        read_only_fields = fields


class GuestSerializer(serializers.ModelSerializer):
    """E-mail and phone in clear for the party's host and for staff holding the personal-data permission."""

    email = serializers.SerializerMethodField(
        help_text="The guest's e-mail address; masked (c***@example.com) for marketing without the personal-data permission, empty when not given."
    )
    phone = serializers.SerializerMethodField(
        help_text="The guest's phone number in E.164 (+33612345678); masked for marketing without the personal-data permission, empty when not given."
    )
    booked_application: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The application this guest booked, if any."
    )

    class Meta:
        model = Guest
        fields = [
            "id",
            "first_name",
            "last_name",
            "email",
            "phone",
            "source",
            "consent_at",
            "marketing_consent_at",
            "wants_to_host",
            "booked_application",
            "created_at",
        ]
        read_only_fields = fields

    def _clear(self) -> bool:
        return bool(self.context.get("show_personal_data"))

    def get_email(self, guest: Guest) -> str:
        return guest.email if self._clear() else mask_email(guest.email)

    @extend_schema_field({"type": "string", "format": "e164", "example": "+33612345678"})
    def get_phone(self, guest: Guest) -> str:
        phone = str(guest.phone or "")
        return phone if self._clear() else mask_phone(phone)


class PublicPartySerializer(serializers.ModelSerializer):
    """What a guest reaching the QR code sees: no guest list, no host surname, no address."""

    host_first_name = serializers.CharField(
        source="host.first_name", help_text="The host's first name (never more of the host on a public page)."
    )
    campaign_name = serializers.CharField(
        source="campaign.name", help_text="The campaign's name, in the request's language."
    )
    registration_open = serializers.SerializerMethodField(
        help_text="True while guests may still register (the party is planned or held)."
    )

    class Meta:
        model = Party
        fields = ["title", "starts_at", "city", "host_first_name", "campaign_name", "registration_open"]
        read_only_fields = fields

    def get_registration_open(self, party: Party) -> bool:
        return party.status in GUEST_LIST_OPEN_STATUSES


class PublicGuestSerializer(serializers.Serializer):
    first_name = serializers.CharField(
        help_text="The registered guest's first name, as the confirmation shows it."
    )
    booked = serializers.BooleanField(
        help_text="True when the guest also asked to host a party (an application was booked)."
    )

    def to_representation(self, guest: Any) -> dict[str, Any]:
        return {"first_name": guest.first_name, "booked": guest.booked_application_id is not None}
