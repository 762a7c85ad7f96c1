"""The orders export for BI (marketing): a thin view over `referrals.exports.orders`."""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponseBase, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from ambassadors.models import Campaign
from backend.filters import UtcIsoDateTimeField, after_description, before_description
from backend.negotiation import ErrorsInJson
from backend.openapi import document_rule_codes
from backend.permissions import IsMarketing, user_sees_personal_data
from referrals.exports.orders import COLUMNS, EMAIL, OrderExportFilters, csv_chunks, parquet_chunks

PARQUET = "application/vnd.apache.parquet"


class _FileRenderer(BaseRenderer):
    """Announces a format; the view streams the file itself."""

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        return b""


class CsvRenderer(_FileRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"


class ParquetRenderer(_FileRenderer):
    media_type = PARQUET
    format = "parquet"
    charset = None


@extend_schema_field(OpenApiTypes.DATETIME)
class UtcDateTimeField(serializers.Field):
    """An ISO 8601 time turned into UTC, refused (400) where the database could not hold it: the
    rule of the lists' time filters (`backend.filters.UtcIsoDateTimeField`)."""

    default_error_messages = {"invalid": "Give an ISO 8601 time, such as 2026-03-01T00:00:00Z."}

    def to_internal_value(self, data: Any) -> datetime:
        try:
            value = UtcIsoDateTimeField().clean(data)
        except DjangoValidationError:
            self.fail("invalid")
        if value is None:
            self.fail("invalid")
        return value

    def to_representation(self, value: datetime) -> str:
        return value.isoformat()


COLUMN_LIST = "\n".join(f"- `{c.name}`: {c.description}" for c in (*COLUMNS, EMAIL))


@document_rule_codes({"campaign": ["does_not_exist"], "placed_before": ["invalid"]}, methods=["GET"])
class OrderExportApi(ErrorsInJson, APIView):
    """Every order with its attribution, refunds and rewards, one row per order in order id order,
    streamed as CSV (`?format=csv`, the default) or Parquet (`?format=parquet`), for BI (marketing).

    Every `*_id` column is a join key; amounts come as decimals, times in UTC. The buyer's e-mail
    only with `personal_data=true`, for staff holding the personal-data permission (403 otherwise).
    """

    permission_classes = [IsMarketing]
    renderer_classes = [CsvRenderer, ParquetRenderer, JSONRenderer]

    class InputSerializer(serializers.Serializer):
        campaign = serializers.CharField(
            required=False,
            max_length=80,
            help_text="Only orders credited to this campaign, by id or slug (unattributed orders have none).",
        )
        placed_after = UtcDateTimeField(required=False, help_text=after_description("orders placed"))
        placed_before = UtcDateTimeField(required=False, help_text=before_description("orders placed"))
        personal_data = serializers.BooleanField(
            required=False,
            default=False,
            help_text="Add the buyer's e-mail (`customer_email`): needs the personal-data permission.",
        )
        format = serializers.ChoiceField(
            choices=[("csv", "CSV"), ("parquet", "Parquet")],
            required=False,
            help_text="csv (the default) or parquet.",
        )

        def validate_campaign(self, key: str) -> Campaign:
            """A campaign by its id or its slug (an id first: a slug of digits would be ambiguous)."""
            campaign = None
            if key.isdecimal() and int(key) < 2**63:
                campaign = Campaign.objects.filter(pk=int(key)).first()
            if campaign is None:
                campaign = Campaign.objects.filter(slug=key).first()
            if campaign is None:
                raise serializers.ValidationError("No campaign has this id or slug.", code="does_not_exist")
            return campaign

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            after, before = attrs.get("placed_after"), attrs.get("placed_before")
            if after is not None and before is not None and after >= before:
                raise serializers.ValidationError(
                    {"placed_before": "placed_before must be after placed_after."}, code="invalid"
                )
            return attrs

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple[Any, str]:
        # The file asked by `?format=`, whatever the client accepts; a format this route does not
        # have is refused as on every route (404).
        asked = request.query_params.get(api_settings.URL_FORMAT_OVERRIDE or "format", "csv")
        if asked == "parquet":
            return ParquetRenderer(), PARQUET
        if not force and asked != "csv":
            raise Http404
        return CsvRenderer(), CsvRenderer.media_type

    @extend_schema(
        parameters=[InputSerializer],
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description="The orders as CSV (streamed): a header row of the column names, then one "
                "row per order; an empty cell is a missing value, booleans are true/false. Columns:\n\n"
                + COLUMN_LIST,
            ),
            (200, PARQUET): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The same rows and columns as a Parquet file (streamed, row groups of "
                "10,000 orders): ids int64, amounts decimal, times timestamp (UTC), each column's "
                "description in its field metadata.",
            ),
        },
    )
    def get(self, request: Request) -> HttpResponseBase:
        # As a plain dict: `?campaign=` is then a bad value (400), not an omitted one.
        data = self.InputSerializer(data=request.query_params.dict())
        data.is_valid(raise_exception=True)
        values = data.validated_data
        personal_data = values["personal_data"]
        if personal_data and not user_sees_personal_data(request.user):
            raise exceptions.PermissionDenied("The buyer's e-mail needs the personal-data permission.")
        filters = OrderExportFilters(
            campaign_id=values["campaign"].pk if values.get("campaign") else None,
            placed_after=values.get("placed_after"),
            placed_before=values.get("placed_before"),
        )
        parquet = request.accepted_renderer.format == "parquet"
        chunks: Iterator[Any] = (
            parquet_chunks(filters=filters, personal_data=personal_data)
            if parquet
            else (text.encode() for text in csv_chunks(filters=filters, personal_data=personal_data))
        )
        response = StreamingHttpResponse(
            chunks, content_type=PARQUET if parquet else "text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="orders.{"parquet" if parquet else "csv"}"'
        return response
