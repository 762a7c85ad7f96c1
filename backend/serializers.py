"""Serializer fields and shapes shared by the apps' APIs: a phone in E.164, a choice a row may lack
(null, not blank), an object's integer id, a status-change history row."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field(
    {
        "type": "string",
        "format": "e164",
        "pattern": r"^\+[1-9][0-9]{1,14}$",
        "example": "+33612345678",
        "description": "Phone number in E.164 international format.",
    }
)
class E164PhoneField(serializers.Field):
    """A stored phone number, always given out in E.164 (`+33612345678`)."""

    def to_representation(self, value: Any) -> str:
        return str(value) if value else ""


class OptionalChoiceField(serializers.ChoiceField):
    """A read-only choice a row may not have (stored blank): given out as null, never as an empty
    string, which is not one of the choices the schema lists."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value: Any) -> Any:
        return super().to_representation(value) if value else None


class OptionalURLField(serializers.URLField):
    """A read-only link a row may not have (stored blank): given out as null, never as an empty
    string, which is not a URI."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value: Any) -> Any:
        return super().to_representation(value) if value else None


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """An object named by its integer id: a JSON integer, or digits (a form or a query string).

    DRF hands any number to the database lookup, where `120.7` becomes 120: a fractional id would
    quietly name another object. Anything but a whole number is refused.
    """

    def to_internal_value(self, data: Any) -> Any:
        whole = isinstance(data, int) and not isinstance(data, bool)
        digits = isinstance(data, str) and data.isascii() and data.isdigit()
        if not (whole or digits):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


# The rows `backend.transitions.move_status` writes. (The docstring is the schema's description.)
class StatusChangeSerializer(serializers.Serializer):
    """One history row (who, when, from, to, why)."""

    at = serializers.DateTimeField(help_text="When the status changed, UTC.")
    by = serializers.EmailField(
        source="by.email",
        allow_null=True,
        default=None,
        help_text="The e-mail of the staff member (or host) who made the change; null when done by the system or the account is gone.",
    )
    from_status = serializers.CharField(help_text="The status before the change; empty for the creation.")
    to_status = serializers.CharField(help_text="The status after the change.")
    reason = serializers.CharField(help_text="Why, as written by who made the change; may be empty.")
