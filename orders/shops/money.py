"""Shops send money as decimal strings (WooCommerce's line `price` as a JSON number): parsed
exactly, never through float."""

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from backend.errors import Invalid


class UnreadablePayload(Invalid):
    """A field the order cannot be recorded without is malformed: retrying cannot help."""

    def __init__(self, message: str):
        super().__init__(message, code="unreadable_payload")


def decimal_of(value: Any, *, name: str) -> Decimal:
    if value is None or value == "":
        return Decimal("0")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise UnreadablePayload(f"{name} is not a decimal amount: {value!r}") from None
    if not amount.is_finite():
        raise UnreadablePayload(f"{name} is not a decimal amount: {value!r}")
    return amount


def datetime_of(value: Any, *, name: str, naive_is_utc: bool = False) -> datetime:
    """An ISO 8601 time as an aware datetime (WooCommerce's `*_gmt` fields carry no offset: UTC)."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise UnreadablePayload(f"{name} is not an ISO 8601 time: {value!r}") from None
    if timezone.is_naive(moment):
        if not naive_is_utc:
            raise UnreadablePayload(f"{name} has no time zone: {value!r}")
        moment = moment.replace(tzinfo=UTC)
    return moment
