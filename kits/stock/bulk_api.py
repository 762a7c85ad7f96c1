"""Many stock receipts in one call, all or nothing: `POST /api/v1/kits/bulk/receipts/`."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.openapi import document_rule_codes
from backend.parsers import JSONParser
from backend.permissions import IsLogistics, staff_user
from kits.catalogue.serializers import SKU
from kits.stock import services
from kits.stock.api import REASON_MAX_LENGTH
from kits.stock.serializers import StockMovementSerializer


class ReceiptLineSerializer(serializers.Serializer):
    sku = serializers.RegexField(SKU, max_length=40, help_text="A SKU of the catalogue.")
    quantity = serializers.IntegerField(
        min_value=1, max_value=1_000_000, help_text="Units received, added to the SKU's stock."
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=REASON_MAX_LENGTH,
        help_text="Why the stock moved (a delivery note's number, a supplier), kept on the stock ledger line.",
    )


class ReceiptBatchInputSerializer(serializers.Serializer):
    # DRF hands `min_length`/`max_length` to the list serializer `many=True` makes; the stubs lack them.
    receipts = ReceiptLineSerializer(  # type: ignore[call-arg]
        many=True,
        min_length=1,
        max_length=services.BULK_MAX_RECEIPTS,
        help_text=f"The deliveries, at most {services.BULK_MAX_RECEIPTS} in one call.",
    )


class ReceiptBatchSerializer(serializers.Serializer):
    movements = StockMovementSerializer(
        many=True, help_text="One ledger line per receipt, in the order given."
    )


# A missing or null list is refused on its own name (`receipts`), its length on `receipts.non_field_errors`.
@document_rule_codes(
    {"receipts": ["required", "null"], "receipts.INDEX.sku": ["unknown_sku"]}, methods=["post"]
)
class ReceiptBatchApi(APIView):
    """Record up to 500 deliveries at once. One refused row refuses the whole batch: the 400 names
    every refused row as `receipts.<index>.<field>`, and no stock moves."""

    permission_classes = [IsLogistics]
    parser_classes = [JSONParser]  # rows of objects travel as JSON only

    @extend_schema(request=ReceiptBatchInputSerializer, responses={201: ReceiptBatchSerializer})
    def post(self, request: Request) -> Response:
        data = ReceiptBatchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        movements = services.receive_stock_batch(
            receipts=[
                (row["sku"], row["quantity"], row["reason"]) for row in data.validated_data["receipts"]
            ],
            by=staff_user(request),
        )
        return Response(ReceiptBatchSerializer({"movements": movements}).data, status=status.HTTP_201_CREATED)
