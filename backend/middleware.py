from collections.abc import Callable
from datetime import UTC
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control

from backend.errors import error_body


class ApiTimesInUtcMiddleware:
    """The API speaks UTC (ISO 8601 with `Z`); the portal keeps the programme's local time zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        with timezone.override(UTC):
            return self.get_response(request)


class ImpossibleNamesMiddleware:
    """Refuses, before any view or the session reads them, names that nothing can have.

    - A NUL character in the path (404) or in a cookie (400; `"\\000"` in a quoted cookie value is
      read as one): PostgreSQL refuses such a string even in a comparison, so looking up a code, a
      token or a slug from the path, or the session from its cookie, failed with a 500.
    - An id in the path beyond what a 64-bit column holds (404): SQLite's driver cannot even send it.

    The project's 404 and 400 handlers answer (the one error shape under /api/). A query string's
    values are read by forms, filters and serializers, which refuse such values themselves.
    """

    largest_id = 2**63 - 1

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path_info:
            raise Http404("No such page.")
        if any("\x00" in value for value in request.COOKIES.values()):
            raise BadRequest("A cookie holds a NUL character.")
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        if any(isinstance(value, int) and value > self.largest_id for value in (*args, *kwargs.values())):
            raise Http404("No such object.")


class RequestSizeLimitMiddleware:
    """A body declared larger than `REQUEST_MAX_BYTES` is refused (413) before a byte of it is read.

    Django reads a request body up to its Content-Length and no further, and treats a body without
    one as empty, so the declared length bounds what any view can read.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0  # Django reads no body then
        limit: int = settings.REQUEST_MAX_BYTES
        if declared <= limit:
            return self.get_response(request)
        detail = f"The request body may not exceed {limit} bytes."
        if request.path.startswith("/api/"):
            body = error_body("request_too_large", detail, status_code=413)
            response: HttpResponse = JsonResponse(body, status=413)
        else:
            response = HttpResponse(detail, status=413, content_type="text/plain; charset=utf-8")
        return response


class PrivateWhenSignedInMiddleware:
    """Whatever is answered to a signed-in person (portal and staff pages, API answers to a session or
    a token) is theirs: `Cache-Control: private, no-store`, so no shared cache keeps it and the
    browser does not store it for the next person at the same computer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # DRF puts the user it authenticated (a token) on the Django request too.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
