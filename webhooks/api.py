"""The brand's webhook endpoints and their delivery log (admins)."""

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from backend.openapi import CONFLICT, document_rule_codes
from backend.pagination import CursorPagination
from backend.permissions import IsAdminRole, staff_user
from webhooks import services
from webhooks.models import Delivery, DeliveryAttempt, DeliveryStatus, Endpoint, EventType

URL_RULES = ["https_required", "private_address", "unresolvable_host", "credentials_in_url"]


class EndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices), help_text="The event types sent to it."
    )

    class Meta:
        model = Endpoint
        fields = [
            "id",
            "url",
            "description",
            "events",
            "is_active",
            "disabled_at",
            "disabled_reason",
            "failing_since",
            "consecutive_failures",
            "created_at",
        ]
        extra_kwargs = {
            "url": {"help_text": "Where events are POSTed."},
            "description": {"help_text": "A note for the brand's team."},
            "is_active": {"help_text": "False once disabled, by staff or after sustained failures."},
            "disabled_at": {"help_text": "When it was disabled; null while active."},
            "disabled_reason": {"help_text": "Why it was disabled."},
            "failing_since": {"help_text": "The first failed attempt since its last success; null if none."},
            "consecutive_failures": {"help_text": "Failed attempts since its last success."},
            "created_at": {"help_text": "When it was registered."},
        }


class CreatedEndpointSerializer(EndpointSerializer):
    secret = serializers.CharField(
        help_text="Signs every delivery (see `Soiree-Signature`). Shown this once: keep it now."
    )

    class Meta(EndpointSerializer.Meta):
        fields = [*EndpointSerializer.Meta.fields, "secret"]


class EndpointCursor(CursorPagination):
    ordering = "-id"


@document_rule_codes({"url": URL_RULES}, methods=["post"])
class EndpointListApi(generics.ListAPIView):
    """The webhook endpoints: list them, or register one (its signing secret is shown once)."""

    permission_classes = [IsAdminRole]
    serializer_class = EndpointSerializer
    pagination_class = EndpointCursor
    queryset = Endpoint.objects.all()

    class EndpointInputSerializer(serializers.Serializer):
        url = serializers.CharField(max_length=500, help_text="https URL on a public address.")
        events = serializers.ListField(
            child=serializers.ChoiceField(choices=EventType.choices),
            min_length=1,
            help_text="The event types to send to it.",
        )
        description = serializers.CharField(
            max_length=200,
            required=False,
            allow_blank=True,
            default="",
            help_text="A note for the brand's team.",
        )

    @extend_schema(request=EndpointInputSerializer, responses={201: CreatedEndpointSerializer})
    def post(self, request: Request) -> Response:
        data = self.EndpointInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = services.create_endpoint(by=staff_user(request), **data.validated_data)
        return Response(
            CreatedEndpointSerializer(endpoint).data | {"secret": endpoint.secret},
            status=status.HTTP_201_CREATED,
        )


@document_rule_codes({"url": URL_RULES}, methods=["patch"])
class EndpointDetailApi(generics.RetrieveAPIView):
    """One webhook endpoint: read it, change its URL, events or description, disable or enable it
    (`is_active`), or delete it with its delivery log."""

    permission_classes = [IsAdminRole]
    serializer_class = EndpointSerializer
    queryset = Endpoint.objects.all()
    lookup_url_kwarg = "endpoint_id"

    class EndpointChangeSerializer(serializers.Serializer):
        url = serializers.CharField(
            max_length=500, required=False, help_text="https URL on a public address."
        )
        events = serializers.ListField(
            child=serializers.ChoiceField(choices=EventType.choices),
            min_length=1,
            required=False,
            help_text="The event types to send to it, replacing those it had.",
        )
        description = serializers.CharField(
            max_length=200, required=False, allow_blank=True, help_text="A note for the brand's team."
        )
        is_active = serializers.BooleanField(
            required=False, help_text="False disables it; true enables it again (its failure count restarts)."
        )

    @extend_schema(request=EndpointChangeSerializer, responses={200: EndpointSerializer})
    def patch(self, request: Request, endpoint_id: int) -> Response:
        endpoint = self.get_object()
        data = self.EndpointChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        updated = services.update_endpoint(endpoint=endpoint, by=staff_user(request), **data.validated_data)
        return Response(EndpointSerializer(updated).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, endpoint_id: int) -> Response:
        services.delete_endpoint(endpoint=self.get_object(), by=staff_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["id", "at", "status_code", "duration_ms", "succeeded", "error"]
        extra_kwargs = {
            "at": {"help_text": "When the request was sent."},
            "status_code": {"help_text": "The receiver's HTTP status; null without an answer (timeout)."},
            "duration_ms": {"help_text": "How long the request took, in milliseconds."},
            "succeeded": {"help_text": "True for a 2xx answer in time."},
            "error": {"help_text": "What went wrong (`timeout`, `HTTP 500`, ...); empty on success."},
        }


class DeliverySerializer(serializers.ModelSerializer):
    event_id = serializers.CharField(
        source="event.public_id", help_text="The stable event id receivers dedupe by."
    )
    event_type = serializers.ChoiceField(
        source="event.type", choices=EventType.choices, help_text="The event type."
    )
    attempts = serializers.SerializerMethodField(help_text="The last attempts, newest first (at most 20).")

    class Meta:
        model = Delivery
        fields = [
            "id",
            "endpoint",
            "event_id",
            "event_type",
            "status",
            "attempt_count",
            "last_status_code",
            "last_attempt_at",
            "next_attempt_at",
            "retry_until",
            "delivered_at",
            "created_at",
            "attempts",
        ]
        extra_kwargs = {
            "endpoint": {"help_text": "The endpoint it is sent to."},
            "status": {"help_text": "pending (waiting for its next attempt), succeeded or failed (gave up)."},
            "attempt_count": {"help_text": "Requests sent so far."},
            "last_status_code": {"help_text": "The last answer's HTTP status; null without an answer."},
            "last_attempt_at": {"help_text": "When the last request was sent."},
            "next_attempt_at": {"help_text": "When it will be tried next; null once done."},
            "retry_until": {"help_text": "Failed attempts are retried until then."},
            "delivered_at": {"help_text": "When the receiver accepted it."},
            "created_at": {"help_text": "When the event was recorded for this endpoint."},
        }

    def get_attempts(self, delivery: Delivery) -> list[dict[str, Any]]:
        attempts = sorted(delivery.attempts.all(), key=lambda attempt: attempt.pk, reverse=True)[:20]
        return AttemptSerializer(attempts, many=True).data  # type: ignore[return-value]


class DeliveryCursor(CursorPagination):
    ordering = "-id"


class DeliveryListApi(generics.ListAPIView):
    """The delivery log: each event sent to each endpoint, with its attempts' status codes and timings."""

    permission_classes = [IsAdminRole]
    serializer_class = DeliverySerializer
    pagination_class = DeliveryCursor

    class DeliveryFilterSerializer(serializers.Serializer):
        endpoint = serializers.PrimaryKeyRelatedField(
            queryset=Endpoint.objects.all(), required=False, help_text="Only this endpoint's deliveries."
        )
        status = serializers.ChoiceField(
            choices=DeliveryStatus.choices,
            required=False,
            help_text="Only the deliveries in this state: waiting, delivered, or given up on.",
        )
        event_type = serializers.ChoiceField(
            choices=EventType.choices, required=False, help_text="Only the deliveries of events of this type."
        )

    @extend_schema(parameters=[DeliveryFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Delivery]:
        # A plain dict, not the query's QueryDict: a blank filter is refused, not ignored.
        filters = self.DeliveryFilterSerializer(data=self.request.query_params.dict())
        filters.is_valid(raise_exception=True)
        chosen = filters.validated_data
        deliveries = Delivery.objects.select_related("event").prefetch_related("attempts")
        if chosen.get("endpoint"):
            deliveries = deliveries.filter(endpoint=chosen["endpoint"])
        if chosen.get("status"):
            deliveries = deliveries.filter(status=chosen["status"])
        if chosen.get("event_type"):
            deliveries = deliveries.filter(event__type=chosen["event_type"])
        return deliveries


class DeliveryDetailApi(generics.RetrieveAPIView):
    """One delivery with its attempts."""

    permission_classes = [IsAdminRole]
    serializer_class = DeliverySerializer
    queryset = Delivery.objects.select_related("event").prefetch_related("attempts")
    lookup_url_kwarg = "delivery_id"


class DeliveryResendApi(generics.GenericAPIView):
    """Send the delivery again now, with the same event id: the receiver dedupes by it. A failure is
    retried for a new retry period. Refused (409) while its endpoint is disabled."""

    permission_classes = [IsAdminRole]
    serializer_class = DeliverySerializer

    @extend_schema(request=None, responses={202: DeliverySerializer, **CONFLICT})
    def post(self, request: Request, delivery_id: int) -> Response:
        delivery = get_object_or_404(Delivery, pk=delivery_id)
        resent = services.resend_delivery(delivery=delivery, by=staff_user(request))
        fresh = Delivery.objects.select_related("event").prefetch_related("attempts").get(pk=resent.pk)
        return Response(DeliverySerializer(fresh).data, status=status.HTTP_202_ACCEPTED)
