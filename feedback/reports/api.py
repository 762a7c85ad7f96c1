"""Marketing reads the feedback: grouped rows (JSON or CSV), and each opinion with its photo."""

import io
from pathlib import Path
from typing import Any

from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ambassadors.models import Campaign
from ambassadors.parties.api import ImageRenderer
from backend.csv_export import csv_writer
from backend.filters import CampaignKeyField
from backend.negotiation import ErrorsInJson
from backend.pagination import CursorPagination
from backend.permissions import IsMarketing
from backend.private_files import private_file_response
from feedback.models import PieceFeedback
from feedback.reports.query import GROUPINGS, csv_rows, feedback_report
from kits.models import Item
from referrals.reports.api import CsvRenderer


class FitSerializer(serializers.Serializer):
    too_small = serializers.IntegerField(help_text="Ratings that found the piece too small.")
    right = serializers.IntegerField(help_text="Ratings that found the fit right.")
    too_big = serializers.IntegerField(help_text="Ratings that found the piece too big.")


class ColourSerializer(serializers.Serializer):
    love = serializers.IntegerField(help_text="Ratings that love the colour.")
    fine = serializers.IntegerField(help_text="Ratings that find the colour fine.")
    dislike = serializers.IntegerField(help_text="Ratings that dislike the colour.")


class FeedbackRowSerializer(serializers.Serializer):
    key = serializers.CharField(
        help_text="The group: a SKU, 'colour / size', a campaign id, a postal area or a profile."
    )
    label = serializers.CharField(help_text="The group as a person reads it.")  # type: ignore[assignment]  # a declared field, not Field.label
    ratings = serializers.IntegerField(help_text="Opinions given (hosts and guests).")
    by_hosts = serializers.IntegerField(help_text="Ratings given by hosts in the group.")
    by_guests = serializers.IntegerField(help_text="Ratings given by guests in the group.")
    fit = FitSerializer(help_text="How many said too small, right, too big.")
    colour = ColourSerializer(help_text="How many love the colour, find it fine, or not for them.")
    quality = serializers.DictField(
        child=serializers.IntegerField(), help_text="Count of each mark, '1' to '5'."
    )
    quality_average = serializers.DecimalField(
        max_digits=4,
        decimal_places=2,
        allow_null=True,
        help_text="Average quality rating from 1 to 5 over the group's ratings; null without ratings.",
    )
    would_buy = serializers.IntegerField(help_text="How many would buy it.")
    would_buy_rate = serializers.DecimalField(
        max_digits=5, decimal_places=4, allow_null=True, help_text="would_buy ÷ ratings."
    )
    comments = serializers.ListField(
        child=serializers.CharField(), help_text="The latest comments (at most 3), without their authors."
    )
    units_sold_through_hosts = serializers.IntegerField(
        help_text="Units of the rated SKUs of this group on orders credited to a host (cancelled orders left out)."
    )


class FeedbackReportSerializer(serializers.Serializer):
    group_by = serializers.CharField(
        help_text="How the rows are grouped: sku, variant, campaign, region or host_profile."
    )
    rows = FeedbackRowSerializer(many=True, help_text="One row per group, with what hosts and guests said.")


_EXAMPLE_ROW = {
    "key": "AW26-COAT-CAMEL-M",
    "label": "Wool coat",
    "ratings": 12,
    "by_hosts": 4,
    "by_guests": 8,
    "fit": {"too_small": 1, "right": 9, "too_big": 2},
    "colour": {"love": 7, "fine": 4, "dislike": 1},
    "quality": {"1": 0, "2": 0, "3": 2, "4": 6, "5": 4},
    "quality_average": "4.17",
    "would_buy": 9,
    "would_buy_rate": "0.7500",
    "comments": ["Warm and light, the sleeves are a bit long."],
    "units_sold_through_hosts": 31,
}


class FeedbackReportApi(ErrorsInJson, APIView):
    """What hosts and guests said of the kit's pieces, grouped by SKU, colour and size, campaign,
    region or host profile (marketing), beside the units sold on orders credited to hosts.
    `?format=csv` gives the same rows as a CSV file."""

    permission_classes = [IsMarketing]
    renderer_classes = [JSONRenderer, CsvRenderer]

    class InputSerializer(serializers.Serializer):
        campaign = serializers.PrimaryKeyRelatedField(
            queryset=Campaign.objects.all(),
            required=False,
            help_text="Only the feedback on this campaign's kits, by the campaign's id.",
        )
        item = serializers.PrimaryKeyRelatedField(
            queryset=Item.objects.all(), required=False, help_text="Only this catalogue item."
        )
        group_by = serializers.ChoiceField(
            choices=[(g, g) for g in GROUPINGS],
            default="sku",
            help_text="One row per SKU (the default), variant (colour and size), campaign, region (the host's "
            "postal area) or host profile (the audience the host declared when applying).",
        )

    @extend_schema(
        parameters=[InputSerializer],
        responses={
            (200, "application/json"): OpenApiResponse(
                FeedbackReportSerializer,
                examples=[OpenApiExample("By SKU", value={"group_by": "sku", "rows": [_EXAMPLE_ROW]})],
            ),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The same rows as CSV."),
        },
    )
    def get(self, request: Request) -> HttpResponseBase:
        # A plain dict, not the query's QueryDict: a blank filter is refused, not ignored.
        data = self.InputSerializer(data=request.query_params.dict())
        data.is_valid(raise_exception=True)
        values = data.validated_data
        report = feedback_report(
            group_by=values["group_by"], campaign=values.get("campaign"), item=values.get("item")
        )
        if request.accepted_renderer.format == "csv":
            buffer = io.StringIO()
            csv_writer(buffer).writerows(csv_rows(report))
            response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="feedback-{report.group_by}.csv"'
            return response
        return Response(FeedbackReportSerializer(report).data)


class PieceFeedbackSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="item.sku", help_text="SKU of the piece rated.")
    by = serializers.SerializerMethodField(help_text="'host' or 'guest' (never their name).")
    photo_url = serializers.SerializerMethodField(
        help_text="Where marketing reads the photo, if there is one."
    )

    class Meta:
        model = PieceFeedback
        fields = [
            "id",
            "campaign",
            "item",
            "sku",
            "host",
            "by",
            "fit",
            "colour",
            "quality",
            "would_buy",
            "comment",
            "photo_url",
            "created_at",
            "updated_at",
        ]

    def get_by(self, feedback: PieceFeedback) -> str:
        return "guest" if feedback.guest_id else "host"

    def get_photo_url(self, feedback: PieceFeedback) -> str | None:
        if not feedback.photo:
            return None
        return f"/api/v1/feedback/{feedback.pk}/photo/"


class FeedbackCursor(CursorPagination):
    ordering = "-id"


class PieceFeedbackListApi(generics.ListAPIView):
    """Each opinion, newest first (marketing), filtered by campaign or item; the author is only 'host'
    or 'guest' and the host's id."""

    permission_classes = [IsMarketing]
    serializer_class = PieceFeedbackSerializer
    pagination_class = FeedbackCursor

    class InputSerializer(serializers.Serializer):
        campaign = CampaignKeyField(queryset=Campaign.objects.all(), required=False)
        item = serializers.PrimaryKeyRelatedField(
            queryset=Item.objects.all(),
            required=False,
            help_text="Only the opinions on this catalogue piece, by the piece's id.",
        )

    @extend_schema(parameters=[InputSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        # A plain dict, not the query's QueryDict: a blank filter is refused, not ignored.
        data = self.InputSerializer(data=self.request.query_params.dict())
        data.is_valid(raise_exception=True)
        rows = PieceFeedback.objects.select_related("item")
        if data.validated_data.get("campaign"):
            rows = rows.filter(campaign=data.validated_data["campaign"])
        if data.validated_data.get("item"):
            rows = rows.filter(item=data.validated_data["item"])
        return rows


class PieceFeedbackPhotoApi(APIView):
    """The photo of one opinion (marketing), from private storage."""

    permission_classes = [IsMarketing]
    renderer_classes = [JSONRenderer, ImageRenderer]

    @extend_schema(responses={(200, "image/*"): OpenApiTypes.BINARY})
    def get(self, request: Request, feedback_id: int) -> HttpResponseBase:
        feedback = get_object_or_404(PieceFeedback.objects.exclude(photo=""), pk=feedback_id)
        return private_file_response(
            feedback.photo, content_type=feedback.photo_content_type, filename=Path(feedback.photo.name).name
        )
