"""Privacy API: a person's data exported or erased by marketing with the personal-data permission."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.openapi import CONFLICT
from backend.permissions import HandlesPersonalData, staff_user
from privacy.erasure import erase_personal_data
from privacy.export import export_personal_data


class PersonalDataExportSerializer(serializers.Serializer):
    email = serializers.EmailField()
    generated_at = serializers.DateTimeField()
    account = serializers.JSONField(allow_null=True, help_text="The sign-in account, its social logins.")
    applications = serializers.ListField(child=serializers.JSONField(), help_text="With consents and utm.")
    hosts = serializers.ListField(
        child=serializers.JSONField(), help_text="Each with its codes, parties, shipments, ledger, payouts."
    )
    guest_registrations = serializers.ListField(child=serializers.JSONField())
    opinions = serializers.ListField(
        child=serializers.JSONField(), help_text="Their opinions on the kit's pieces, as a host or a guest."
    )
    orders = serializers.ListField(child=serializers.JSONField(), help_text="Amounts as decimal strings.")
    clicks = serializers.CharField(help_text="Why clicks cannot be linked to a person.")


class ErasureSummarySerializer(serializers.Serializer):
    pseudonym = serializers.CharField(help_text="What replaces the e-mail address everywhere.")
    accounts = serializers.IntegerField()
    applications = serializers.IntegerField()
    hosts = serializers.IntegerField()
    parties = serializers.IntegerField()
    party_photos = serializers.IntegerField()
    wall_photos = serializers.IntegerField(help_text="Shared party photos taken off the photo wall.")
    piece_feedback = serializers.IntegerField()
    shipments = serializers.IntegerField()
    guests = serializers.IntegerField()
    orders = serializers.IntegerField()
    stripe_events = serializers.IntegerField()
    social_accounts = serializers.IntegerField()
    email_addresses = serializers.IntegerField()
    tokens = serializers.IntegerField()
    queued_emails = serializers.IntegerField()
    milestones = serializers.IntegerField()
    brand_notes = serializers.IntegerField()
    notifications = serializers.IntegerField(help_text="Notifications sent to the person and their choices.")


class PersonalDataExportApi(APIView):
    """Everything held about the person with this e-mail, as JSON (the export is recorded)."""

    permission_classes = [HandlesPersonalData]

    class ExportInputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)

    @extend_schema(request=ExportInputSerializer, responses={200: PersonalDataExportSerializer})
    def post(self, request: Request) -> Response:
        data = self.ExportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(export_personal_data(email=data.validated_data["email"], by=staff_user(request)))


class PersonalDataErasureApi(APIView):
    """Erase the person with this e-mail: neutral values replace their data, orders and rewards stay
    under a pseudonym. Idempotent; 409 `money_owed` while rewards are still owed to them."""

    permission_classes = [HandlesPersonalData]

    class ErasureInputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        reason = serializers.CharField(max_length=500)

    @extend_schema(
        request=ErasureInputSerializer,
        responses={
            200: OpenApiResponse(ErasureSummarySerializer, description="What was rewritten."),
            **CONFLICT,
        },
    )
    def post(self, request: Request) -> Response:
        data = self.ErasureInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        summary = erase_personal_data(by=staff_user(request), **data.validated_data)
        return Response(ErasureSummarySerializer(summary.as_dict()).data)
