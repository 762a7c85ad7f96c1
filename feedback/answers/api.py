"""Marketing answers the feedback: to one SKU, or campaign-wide ("you said, we did")."""

from typing import Any

from django.db.models import Count
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from ambassadors.models import Campaign
from backend.filters import CampaignKeyField
from backend.openapi import document_rule_codes
from backend.pagination import CursorPagination
from backend.permissions import IsMarketing, staff_user
from feedback.answers.services import ANSWER_MAX_LENGTH, post_brand_answer
from feedback.models import BrandAnswer
from kits.models import Item


class BrandAnswerSerializer(serializers.ModelSerializer):
    sku = serializers.SerializerMethodField(help_text="The SKU answered; null for a campaign-wide note.")
    hosts_told = serializers.SerializerMethodField(
        help_text="Hosts who gave feedback it concerns, told by e-mail."
    )

    class Meta:
        model = BrandAnswer
        fields = ["id", "campaign", "item", "sku", "text_fr", "text_en", "hosts_told", "created_at"]

    def get_sku(self, answer: BrandAnswer) -> str | None:
        return answer.item.sku if answer.item else None

    def get_hosts_told(self, answer: BrandAnswer) -> int:
        counted = getattr(answer, "notice_count", None)
        return answer.notices.count() if counted is None else int(counted)


class AnswerCursor(CursorPagination):
    ordering = "-id"


@document_rule_codes(
    {"text_fr": ["required", "max_length"], "text_en": ["max_length"], "item": ["no_feedback"]},
    methods=["post"],
)
class BrandAnswerListApi(generics.ListAPIView):
    """The brand's answers (marketing): list them, or post one; every host who gave feedback on the
    piece (on any piece of the campaign, without `item`) is told by e-mail and sees it in the portal."""

    permission_classes = [IsMarketing]
    serializer_class = BrandAnswerSerializer
    pagination_class = AnswerCursor

    class FilterSerializer(serializers.Serializer):
        campaign = CampaignKeyField(queryset=Campaign.objects.all(), required=False)

    class InputSerializer(serializers.Serializer):
        campaign = serializers.PrimaryKeyRelatedField(
            queryset=Campaign.objects.all(),
            help_text="The campaign whose hosts will read the answer (its id).",
        )
        item = serializers.PrimaryKeyRelatedField(
            queryset=Item.objects.all(),
            required=False,
            allow_null=True,
            help_text="Leave out for a campaign-wide note.",
        )
        text_fr = serializers.CharField(
            required=False,
            allow_blank=True,
            default="",
            max_length=ANSWER_MAX_LENGTH,
            help_text="The answer in French; give it in French, in English, or both.",
        )
        text_en = serializers.CharField(
            required=False,
            allow_blank=True,
            default="",
            max_length=ANSWER_MAX_LENGTH,
            help_text="The answer in English; give it in French, in English, or both.",
        )

    @extend_schema(parameters=[FilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        # A plain dict, not the query's QueryDict: a blank filter is refused, not ignored.
        filters = self.FilterSerializer(data=self.request.query_params.dict())
        filters.is_valid(raise_exception=True)
        answers = BrandAnswer.objects.select_related("item").annotate(notice_count=Count("notices"))
        if filters.validated_data.get("campaign"):
            answers = answers.filter(campaign=filters.validated_data["campaign"])
        return answers

    @extend_schema(request=InputSerializer, responses={201: BrandAnswerSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values: dict[str, Any] = data.validated_data
        answer = post_brand_answer(
            campaign=values["campaign"],
            item=values.get("item"),
            text_fr=values["text_fr"],
            text_en=values["text_en"],
            by=staff_user(request),
        )
        return Response(BrandAnswerSerializer(answer).data, status=status.HTTP_201_CREATED)
