"""Recognition API for marketing (SPEC §16): the milestones hosts reached, notes to hosts (one host,
or every host of a campaign who reached a milestone) with an optional gift, and a campaign's switch
for its public leaderboard. Thin views: an input serializer, one service call, an output serializer."""

from decimal import Decimal

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ambassadors.models import Campaign, Host
from backend.errors import Invalid
from backend.filters import CampaignFilter, DescribedFilterSet
from backend.openapi import document_rule_codes
from backend.pagination import CursorPagination
from backend.permissions import IsMarketing, staff_user
from recognition.leaderboard.services import set_public_leaderboard
from recognition.models import BrandNote, CampaignRecognition, Milestone, MilestoneKind
from recognition.notes.serializers import (
    BrandNoteSerializer,
    CampaignRecognitionSerializer,
    MilestoneSerializer,
)
from recognition.notes.services import BODY_MAX_LENGTH, write_brand_note, write_milestone_notes


class MilestoneFilter(DescribedFilterSet):
    campaign = CampaignFilter(field_name="host__campaign")

    class Meta:
        model = Milestone
        fields = ["campaign", "host", "kind"]
        help_texts = {"host": "Only the milestones this host reached, by the host's id."}


class MilestoneListApi(generics.ListAPIView):
    """The milestones hosts reached, newest first; filter by campaign, host or kind."""

    permission_classes = [IsMarketing]
    serializer_class = MilestoneSerializer
    pagination_class = CursorPagination
    filterset_class = MilestoneFilter
    ordering_fields: list[str] = []
    queryset = Milestone.objects.select_related("host").order_by("-id")


class BrandNoteFilter(DescribedFilterSet):
    campaign = CampaignFilter(field_name="host__campaign")

    class Meta:
        model = BrandNote
        fields = ["campaign", "host", "milestone"]
        help_texts = {"host": "Only the notes written to this host, by the host's id."}


@document_rule_codes(
    {
        "body": ["required", "max_length"],
        "gift_amount": ["invalid", "beyond_adjustment_limit"],
        "milestone": ["invalid_choice", "no_hosts"],
        "host": ["required"],
    },
    methods=["post"],
)
class BrandNoteListApi(generics.ListAPIView):
    """Notes from the brand, newest first (GET; filter by host, campaign, milestone). POST writes a
    thank-you to one `host`, or to every host of `campaign` who reached `milestone` (one note each,
    greeting each by name), with an optional `gift_amount` of store credit added to each host's
    rewards ledger as an approved, audited adjustment (at most the configured adjustment limit)."""

    permission_classes = [IsMarketing]
    serializer_class = BrandNoteSerializer
    pagination_class = CursorPagination
    filterset_class = BrandNoteFilter
    ordering_fields: list[str] = []
    queryset = BrandNote.objects.select_related("host").order_by("-id")

    class BrandNoteInputSerializer(serializers.Serializer):
        host = serializers.PrimaryKeyRelatedField(
            queryset=Host.objects.select_related("campaign"), required=False, help_text="One host; or:"
        )
        campaign = serializers.PrimaryKeyRelatedField(
            queryset=Campaign.objects.all(),
            required=False,
            help_text="With `milestone`: its hosts who reached it.",
        )
        milestone = serializers.ChoiceField(
            choices=MilestoneKind.choices,
            required=False,
            help_text="The milestone the note congratulates; optional.",
        )
        body = serializers.CharField(
            max_length=BODY_MAX_LENGTH, help_text="The message to the host, in plain text."
        )
        gift_amount = serializers.DecimalField(
            max_digits=12,
            decimal_places=2,
            min_value=Decimal("0.01"),
            required=False,
            allow_null=True,
            help_text="Store credit for each host, in the campaign's currency.",
        )

    @extend_schema(request=BrandNoteInputSerializer, responses={201: BrandNoteSerializer(many=True)})
    def post(self, request: Request) -> Response:
        data = self.BrandNoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        by = staff_user(request)
        gift_amount = values.get("gift_amount")
        if values.get("host") is not None:
            if values.get("campaign") is not None or values.get("milestone"):
                raise Invalid(
                    "Give a host, or a campaign and a milestone, not both.", code="invalid", field="host"
                )
            notes = [
                write_brand_note(host=values["host"], body=values["body"], gift_amount=gift_amount, by=by)
            ]
        elif values.get("campaign") is not None and values.get("milestone"):
            notes = write_milestone_notes(
                campaign=values["campaign"],
                milestone=values["milestone"],
                body=values["body"],
                gift_amount=gift_amount,
                by=by,
            )
        else:
            raise Invalid("Give a host, or a campaign and a milestone.", code="required", field="host")
        return Response(BrandNoteSerializer(notes, many=True).data, status=status.HTTP_201_CREATED)


class CampaignRecognitionApi(APIView):
    """A campaign's recognition choices: `public_leaderboard` (off unless turned on) publishes
    `/c/<slug>/hosts/`, the first names and cities of its top hosts who consented."""

    permission_classes = [IsMarketing]

    class CampaignRecognitionInputSerializer(serializers.Serializer):
        public_leaderboard = serializers.BooleanField(
            help_text="True to make the campaign's leaderboard of hosts public."
        )

    @extend_schema(responses={200: CampaignRecognitionSerializer})
    def get(self, request: Request, campaign_id: int) -> Response:
        campaign = get_object_or_404(Campaign, pk=campaign_id)
        choices = CampaignRecognition.objects.filter(campaign=campaign).first() or CampaignRecognition(
            campaign=campaign
        )
        return Response(CampaignRecognitionSerializer(choices).data)

    @extend_schema(request=CampaignRecognitionInputSerializer, responses={200: CampaignRecognitionSerializer})
    def put(self, request: Request, campaign_id: int) -> Response:
        campaign = get_object_or_404(Campaign, pk=campaign_id)
        data = self.CampaignRecognitionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        choices = set_public_leaderboard(campaign=campaign, on=data.validated_data["public_leaderboard"])
        return Response(CampaignRecognitionSerializer(choices).data)
