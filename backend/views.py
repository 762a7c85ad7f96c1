import logging

from django.db import connection
from django.http import HttpRequest, JsonResponse

from backend.errors import error_body

logger = logging.getLogger(__name__)


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness: answers 200 only when the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("health check failed: database unreachable")
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def api_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_body("not_found", "Not found.", status_code=404), status=404)


def api_server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse(error_body("error", "A server error occurred.", status_code=500), status=500)


def api_bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """A request Django refuses before any view (an unknown Host header, a malformed body)."""
    return JsonResponse(error_body("bad_request", "Bad request.", status_code=400), status=400)
