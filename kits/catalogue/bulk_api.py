"""Many SKUs in one call, all or nothing: `POST /api/v1/kits/bulk/items/`."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.openapi import document_rule_codes
from backend.parsers import JSONParser
from backend.permissions import IsLogistics
from kits.catalogue import services
from kits.catalogue.serializers import ItemSerializer


class ItemBatchInputSerializer(serializers.Serializer):
    # DRF hands `min_length`/`max_length` to the list serializer `many=True` makes; the stubs lack them.
    items = ItemSerializer(  # type: ignore[call-arg]
        many=True,
        min_length=1,
        max_length=services.BULK_MAX_ITEMS,
        help_text=f"The SKUs to add, at most {services.BULK_MAX_ITEMS} in one call.",
    )


class ItemBatchSerializer(serializers.Serializer):
    items = ItemSerializer(
        many=True, help_text="The SKUs added, in the order given, each with an empty stock."
    )


# A missing or null list is refused on its own name (`items`), its length on `items.non_field_errors`.
@document_rule_codes(
    {
        "items": ["required", "null"],
        "items.INDEX.sku": ["duplicate_sku"],
        "items.INDEX.ean": ["duplicate_ean"],
    },
    methods=["post"],
)
class ItemBatchApi(APIView):
    """Add up to 500 SKUs at once. One refused row refuses the whole batch: the 400 names every
    refused row as `items.<index>.<field>`, and nothing is written."""

    permission_classes = [IsLogistics]
    parser_classes = [JSONParser]  # rows of objects travel as JSON only

    @extend_schema(request=ItemBatchInputSerializer, responses={201: ItemBatchSerializer})
    def post(self, request: Request) -> Response:
        data = ItemBatchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        items = services.create_items(rows=data.validated_data["items"])
        return Response(ItemBatchSerializer({"items": items}).data, status=status.HTTP_201_CREATED)
