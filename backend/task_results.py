"""Retention of the task results table (SPEC §13): finished results are deleted after
`TASK_RESULT_RETENTION_DAYS`, by an idempotent job run with the other purges.

Task arguments carry ids, never personal data or secrets (see `backend.mail`), but a failed task's
traceback may quote what it was handling (a mail server refusing an address), and results are of no
use once read: so finished rows go. Ready and running ones stay, whatever their age.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult


def purge_task_results(*, older_than_days: int | None = None) -> int:
    """Delete the results of tasks finished (successful or failed) longer ago than the retention
    period. Running it again deletes nothing more."""
    days = settings.TASK_RESULT_RETENTION_DAYS if older_than_days is None else older_than_days
    deleted, _ = (
        DBTaskResult.objects.finished()
        .filter(finished_at__lte=timezone.now() - timedelta(days=days))
        .delete()
    )
    return deleted


@task()
def purge_task_results_task() -> int:
    return purge_task_results()
