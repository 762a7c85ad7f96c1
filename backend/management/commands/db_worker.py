"""`manage.py db_worker`: django-tasks-db's worker, kept alive across database restarts.

The library's worker stops at the first error from the database (a restart, a failover, a dropped
connection) and tasks pile up unseen. This one closes the broken connection, waits (1 s, doubling up
to 30 s) and goes on. A task whose run the outage interrupted is recorded as failed, with the error,
once the database answers again (it is not run a second time: it may have sent its e-mail).
Same options as the library's command; it takes its place because `backend` comes first in
INSTALLED_APPS.
"""

import contextlib
import logging
import os
import time
from typing import Any

from django.db import connections
from django.db.utils import InterfaceError, OperationalError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("django_tasks_db")

DATABASE_GONE = (OperationalError, InterfaceError)
FIRST_RETRY_SECONDS = 1.0
LAST_RETRY_SECONDS = 30.0


class ReconnectingWorker(db_worker.Worker):
    def __init__(self, **options: Any):
        super().__init__(**options)
        self.interrupted: list[tuple[DBTaskResult, BaseException]] = []

    def run(self) -> None:
        delay = FIRST_RETRY_SECONDS
        while self.running:
            started = time.monotonic()
            try:
                self.record_interrupted_tasks()
                super().run()
                return  # a batch or --max-tasks run ended
            except DATABASE_GONE as error:
                if time.monotonic() - started > 2 * LAST_RETRY_SECONDS:
                    delay = FIRST_RETRY_SECONDS  # a new outage, not the same one still going on
                logger.warning("Database unavailable (%s); trying again in %.0f s", error, delay)
                self.startup_delay = False
                close_database_connections()
                time.sleep(delay)
                delay = min(delay * 2, LAST_RETRY_SECONDS)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        try:
            super().run_task(db_task_result)
        except DATABASE_GONE as error:
            # Not even its failure could be written: the row still says RUNNING.
            self.interrupted.append((db_task_result, error))
            raise

    def record_interrupted_tasks(self) -> None:
        while self.interrupted:
            db_task_result, error = self.interrupted[0]
            db_task_result.set_failed(error)
            logger.error("Task id=%s was interrupted by a database outage: marked failed", db_task_result.id)
            self.interrupted.pop(0)


def close_database_connections() -> None:
    for connection in connections.all(initialized_only=True):
        with contextlib.suppress(*DATABASE_GONE):  # already broken: Django forgets it either way
            connection.close()


class Command(db_worker.Command):
    help = "Run a database background worker that survives database restarts"

    def handle(  # type: ignore[override]  # the library's keyword-only options, passed on as they come
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options: Any,
    ) -> None:
        # The library's own `handle`, with the reconnecting worker in place of its `Worker`.
        self.configure_logging(verbosity)
        if reload and batch:
            logger.warning(
                "Warning: --reload and --batch cannot be specified together. Disabling autoreload."
            )
            reload = False
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise db_worker.CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ReconnectingWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded_queue_names,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
