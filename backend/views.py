import logging
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Case, F, Min, When
from django.db.models.functions import Greatest
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from backend.errors import error_body

logger = logging.getLogger(__name__)


def healthz(request: HttpRequest) -> JsonResponse:
    """Answers 200 when the database answers and, with the database task backend, when no task ready
    to run has waited longer than `TASKS_MAX_WAIT_SECONDS` (no worker taking them); 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("health check failed: database unreachable")
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    body: dict[str, Any] = {"status": "ok", "database": "ok"}
    if settings.TASKS_BACKEND != "database":
        return JsonResponse(body)
    age = oldest_ready_task_age_seconds()
    body.update(tasks="ok", oldest_ready_task_age_seconds=age)
    if settings.TASKS_MAX_WAIT_SECONDS and age is not None and age > settings.TASKS_MAX_WAIT_SECONDS:
        logger.error("health check failed: a task has waited %s s for a worker", age)
        body.update(status="error", tasks="stalled")
        return JsonResponse(body, status=503)
    return JsonResponse(body)


def oldest_ready_task_age_seconds() -> int | None:
    """How long the task that has been ready the longest has waited for a worker; None if none waits.

    A task is ready from its enqueueing, or from its `run_after` time when it was scheduled."""
    ready_since = Case(
        When(run_after=get_date_max(), then=F("enqueued_at")), default=Greatest("run_after", "enqueued_at")
    )
    oldest = DBTaskResult.objects.ready().aggregate(oldest=Min(ready_since))["oldest"]
    return None if oldest is None else max(0, int((timezone.now() - oldest).total_seconds()))


def api_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_body("not_found", "Not found.", status_code=404), status=404)


def api_server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse(error_body("error", "A server error occurred.", status_code=500), status=500)


def api_bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """A request Django refuses before any view (an unknown Host header, a malformed body)."""
    return JsonResponse(error_body("bad_request", "Bad request.", status_code=400), status=400)
