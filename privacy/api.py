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
    email = serializers.EmailField(help_text="The e-mail address the export is for.")
    generated_at = serializers.DateTimeField(help_text="When the export was made, UTC.")
    account = serializers.JSONField(allow_null=True, help_text="The sign-in account, its social logins.")
    applications = serializers.ListField(child=serializers.JSONField(), help_text="With consents and utm.")
    hosts = serializers.ListField(
        child=serializers.JSONField(), help_text="Each with its codes, parties, shipments, ledger, payouts."
    )
    guest_registrations = serializers.ListField(
        child=serializers.JSONField(),
        help_text="Every party guest list the person is on, with what was kept of them.",
    )
    opinions = serializers.ListField(
        child=serializers.JSONField(), help_text="Their opinions on the kit's pieces, as a host or a guest."
    )
    orders = serializers.ListField(child=serializers.JSONField(), help_text="Amounts as decimal strings.")
    clicks = serializers.CharField(help_text="Why clicks cannot be linked to a person.")


class ErasureSummarySerializer(serializers.Serializer):
    pseudonym = serializers.CharField(help_text="What replaces the e-mail address everywhere.")
    accounts = serializers.IntegerField(
        help_text="Sign-in accounts of the person touched by the erasure: deleted, or their personal fields replaced by neutral values."
    )
    applications = serializers.IntegerField(
        help_text="Applications of the person touched by the erasure: deleted, or their personal fields replaced by neutral values."
    )
    hosts = serializers.IntegerField(
        help_text="Host rows of the person touched by the erasure: deleted, or their personal fields replaced by neutral values."
    )
    parties = serializers.IntegerField(
        help_text="Parties of the person touched by the erasure: deleted, or their personal fields replaced by neutral values."
    )
    party_photos = serializers.IntegerField(
        help_text="Party photos of the person touched by the erasure: deleted, or their personal fields replaced by neutral values."
    )
    wall_photos = serializers.IntegerField(help_text="Shared party photos taken off the photo wall.")
    piece_feedback = serializers.IntegerField(
        help_text="Piece ratings of the person touched by the erasure: deleted, or their personal fields replaced by neutral values."
    )
    shipments = serializers.IntegerField(
        help_text="Kit shipments of the person touched by the erasure: deleted, or their personal fields replaced by neutral values."
    )
    guests = serializers.IntegerField(
        help_text="Guest rows of the person touched by the erasure: deleted, or their personal fields replaced by neutral values."
    )
    orders = serializers.IntegerField(
        help_text="Orders of the person touched by the erasure: deleted, or their personal fields replaced by neutral values."
    )
    stripe_events = serializers.IntegerField(
        help_text="Stored Stripe events of the person touched by the erasure: deleted, or their personal fields replaced by neutral values."
    )
    social_accounts = serializers.IntegerField(
        help_text="Social sign-in links of the person touched by the erasure: deleted, or their personal fields replaced by neutral values."
    )
    email_addresses = serializers.IntegerField(
        help_text="E-mail address records of the person touched by the erasure: deleted, or their personal fields replaced by neutral values."
    )
    tokens = serializers.IntegerField(
        help_text="Sign-in and API tokens of the person touched by the erasure: deleted, or their personal fields replaced by neutral values."
    )
    queued_emails = serializers.IntegerField(
        help_text="Queued e-mails of the person touched by the erasure: deleted, or their personal fields replaced by neutral values."
    )
    milestones = serializers.IntegerField(
        help_text="Milestones of the person touched by the erasure: deleted, or their personal fields replaced by neutral values."
    )
    brand_notes = serializers.IntegerField(
        help_text="Notes from the brand of the person touched by the erasure: deleted, or their personal fields replaced by neutral values."
    )
    notifications = serializers.IntegerField(help_text="Notifications sent to the person and their choices.")


class PersonalDataExportApi(APIView):
    """Everything held about the person with this e-mail, as JSON (the export is recorded)."""

    permission_classes = [HandlesPersonalData]

    class ExportInputSerializer(serializers.Serializer):
        email = serializers.EmailField(
            max_length=254, help_text="The e-mail address of the person whose data is exported."
        )

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
        email = serializers.EmailField(
            max_length=254, help_text="The e-mail address of the person whose data is erased."
        )
        reason = serializers.CharField(
            max_length=500, help_text="Why (e.g. the person's request and its date); kept in the audit trail."
        )

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
