"""Send the reports' reads to a read replica when one is configured (`DATABASE_REPLICA_URL`).

Only code that asks for it reads from the replica (`with report_reads(): ...`): reports tolerate
the replica's few seconds of lag, while a service that reads then writes must see its own writes,
so everything else stays on the primary. Without a `replica` alias the router says nothing and
Django uses `default`. The replica is never migrated: it is a copy of the primary.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings

REPLICA = "replica"
_reading_reports: ContextVar[bool] = ContextVar("reading_reports", default=False)


@contextmanager
def report_reads() -> Iterator[None]:
    """Inside this block, reads go to the replica (if any)."""
    token = _reading_reports.set(True)
    try:
        yield
    finally:
        _reading_reports.reset(token)


class ReportReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if _reading_reports.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return None

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool | None:
        return False if db == REPLICA else None
