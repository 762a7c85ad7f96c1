"""A party's guests listed in one call, all or nothing: `POST /api/v1/parties/<id>/guests/bulk/`."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ambassadors.parties import services
from ambassadors.parties.api import _GUEST_RULES, GuestInputSerializer, own_party
from ambassadors.parties.serializers import GuestSerializer
from backend.openapi import CONFLICT, document_rule_codes
from backend.parsers import JSONParser


class GuestBatchInputSerializer(serializers.Serializer):
    # DRF hands `min_length`/`max_length` to the list serializer `many=True` makes; the stubs lack them.
    guests = GuestInputSerializer(  # type: ignore[call-arg]
        many=True,
        min_length=1,
        max_length=services.BULK_MAX_GUESTS,
        help_text=f"The guests to list, at most {services.BULK_MAX_GUESTS} in one call.",
    )


class GuestBatchSerializer(serializers.Serializer):
    guests = GuestSerializer(many=True, help_text="The guests listed, in the order given.")


# The party rules of each guest, named by the guest's index; a missing or null list on its own name.
GUEST_BATCH_RULES = {
    "guests": ["required", "null"],
    **{
        f"guests.INDEX.{name}": [*codes, *(["guest_already_registered"] if name == "email" else [])]
        for name, codes in _GUEST_RULES.items()
        if name != "accept_terms"
    },
}


@document_rule_codes(GUEST_BATCH_RULES, methods=["post"])
class PartyGuestBatchApi(APIView):
    """The host lists up to 200 guests of her party at once. One refused guest refuses the whole
    batch: the 400 names every refused guest as `guests.<index>.<field>`, and nobody is listed."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]  # rows of objects travel as JSON only

    @extend_schema(request=GuestBatchInputSerializer, responses={201: GuestBatchSerializer, **CONFLICT})
    def post(self, request: Request, party_id: int) -> Response:
        party = own_party(request.user, party_id)
        data = GuestBatchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        guests = services.add_guests(
            party=party,
            by=request.user,
            guests=data.validated_data["guests"],
            language=getattr(request, "LANGUAGE_CODE", "en"),
        )
        return Response(
            GuestBatchSerializer({"guests": guests}, context={"show_personal_data": True}).data,
            status=status.HTTP_201_CREATED,
        )
