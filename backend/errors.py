"""Domain errors and the one error shape.

Services raise `DomainError` subclasses (they know nothing of HTTP); the API's exception handler
turns them into the standard error body: `{"type", "errors": [{"code", "detail", "attr"}], "extra"?}`.
`extra` carries machine-readable facts (e.g. the short SKUs of an allocation, the allowed states of
a transition).
"""

from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.core.exceptions import SuspiciousOperation
from drf_standardized_errors.formatter import ExceptionFormatter
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework import exceptions, status
from rest_framework.settings import api_settings


class DomainError(Exception):
    status_code: int = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None, extra: Any = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.field = field
        self.extra = extra


class Invalid(DomainError):
    """The request breaks a business rule (400, a validation error on `field` or on the whole input)."""


class InvalidFields(Invalid):
    """Several fields of one submission refused at once, so the person mends them in one round."""

    def __init__(self, errors: list[Invalid]):
        first = errors[0]
        super().__init__(first.message, code=first.code, field=first.field)
        self.errors = errors


T = TypeVar("T")


class FieldChecks:
    """Runs every check of one submission and refuses them together.

    `run` returns the checked value, or a placeholder when the check refused it: call
    `raise_errors()` before using any value.
    """

    def __init__(self) -> None:
        self.errors: list[Invalid] = []

    def run(self, check: Callable[[], T]) -> T:
        try:
            return check()
        except InvalidFields as refused:
            self.errors.extend(refused.errors)
        except Invalid as refused:
            self.errors.append(refused)
        return cast(T, None)

    def raise_errors(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise InvalidFields(self.errors)


class Conflict(DomainError):
    """The request conflicts with the current state (409)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class NotFound(DomainError):
    status_code = status.HTTP_404_NOT_FOUND
    default_code = "not_found"


class InvalidTransition(Conflict):
    """A state machine refused a move; `extra` names the current state and the allowed ones."""

    default_code = "invalid_transition"

    def __init__(self, *, current: str, requested: str, allowed: list[str] | set[str] | tuple[str, ...]):
        allowed_sorted = sorted(allowed)
        super().__init__(
            f"Cannot move from '{current}' to '{requested}'. Allowed: {', '.join(allowed_sorted) or 'none'}.",
            extra={"current": current, "requested": requested, "allowed": allowed_sorted},
        )


class ApiDomainError(exceptions.APIException):
    def __init__(self, error: DomainError):
        self.status_code = error.status_code
        self.domain_error = error
        super().__init__(detail=error.message, code=error.code)


class ApiValidationError(exceptions.ValidationError):
    def __init__(self, error: DomainError):
        self.domain_error = error
        detail: dict[str, list[exceptions.ErrorDetail]] = {}
        refused: list[DomainError] = list(error.errors) if isinstance(error, InvalidFields) else [error]
        for one in refused:
            field = one.field or api_settings.NON_FIELD_ERRORS_KEY
            detail.setdefault(field, []).append(exceptions.ErrorDetail(one.message, one.code))
        super().__init__(detail=detail)


class SoireeExceptionHandler(ExceptionHandler):
    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, DomainError):
            if exc.status_code == status.HTTP_400_BAD_REQUEST:
                return ApiValidationError(exc)
            return ApiDomainError(exc)
        if isinstance(exc, SuspiciousOperation):
            # Too many fields, a body over the size limit: Django's own guards, met while parsing the body.
            return exceptions.ParseError("The request has too many fields or is too large.")
        return super().convert_known_exceptions(exc)


class SoireeExceptionFormatter(ExceptionFormatter):
    def format_error_response(self, error_response: Any) -> Any:
        data = super().format_error_response(error_response)
        domain_error = getattr(self.exc, "domain_error", None)
        if domain_error is not None and domain_error.extra is not None:
            data["extra"] = domain_error.extra
        return data


def error_body(code: str, detail: str, *, status_code: int, attr: str | None = None) -> dict[str, Any]:
    """The standard error body, for plain Django views (404/500 handlers, webhooks)."""
    error_type = (
        "validation_error"
        if status_code == 400 and attr
        else ("client_error" if status_code < 500 else "server_error")
    )
    return {"type": error_type, "errors": [{"code": code, "detail": detail, "attr": attr}]}
