"""Error bodies that drf-standardized-errors does not document by itself."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ConflictErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class ConflictErrorResponseSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["client_error"])
    errors = ConflictErrorSerializer(many=True)
    extra = serializers.JSONField(required=False, help_text="Machine-readable facts about the conflict.")


CONFLICT = {
    409: OpenApiResponse(ConflictErrorResponseSerializer, description="Conflicts with the current state.")
}
