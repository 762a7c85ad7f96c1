"""The database task worker outlives a database restart, and /healthz says when tasks wait for a worker
(issue 15, item 10): `manage.py db_worker` reconnects and goes on; /healthz reports the age of the
oldest ready task and answers 503 past `TASKS_MAX_WAIT_SECONDS`."""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import OperationalError, connection
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult, DBTaskResultQuerySet, get_date_max

from backend.management.commands import db_worker

ROOT = Path(__file__).resolve().parents[2]


@task()
def count_users() -> int:
    """A task that needs the database."""
    from backend.models import User

    return User.objects.count()


@task()
def meet_an_outage() -> None:
    """A task whose database goes away while it runs."""
    raise OperationalError("terminating connection due to administrator command")


def queue(
    task_path: str = f"{__name__}.count_users", *, waiting=timedelta(0), run_after=None
) -> DBTaskResult:
    """A task ready to run (or scheduled), as the database backend stores it, enqueued `waiting` ago."""
    result = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path=task_path,
        backend_name="default",
        run_after=run_after or get_date_max(),
    )
    DBTaskResult.objects.filter(pk=result.pk).update(enqueued_at=timezone.now() - waiting)
    return result


# --- /healthz ------------------------------------------------------------------------------------


@pytest.fixture
def database_tasks(settings):
    settings.TASKS_BACKEND = "database"
    settings.TASKS_MAX_WAIT_SECONDS = 600


@pytest.mark.django_db
def test_healthz_reports_no_waiting_task(client, database_tasks):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "tasks": "ok",
        "oldest_ready_task_age_seconds": None,
    }


@pytest.mark.django_db
def test_healthz_reports_the_age_of_the_oldest_ready_task(client, database_tasks):
    queue(waiting=timedelta(seconds=30))
    queue(waiting=timedelta(seconds=125))
    queue(waiting=timedelta(hours=2), run_after=timezone.now() + timedelta(hours=1))  # not due yet
    finished = queue(waiting=timedelta(hours=3))
    DBTaskResult.objects.filter(pk=finished.pk).update(status="SUCCESSFUL")

    body = client.get("/healthz").json()

    assert body["status"] == "ok" and body["tasks"] == "ok"
    assert 125 <= body["oldest_ready_task_age_seconds"] < 135


@pytest.mark.django_db
def test_a_scheduled_task_is_ready_from_its_time_not_from_its_enqueueing(client, database_tasks):
    queue(waiting=timedelta(days=2), run_after=timezone.now() - timedelta(seconds=40))
    assert 40 <= client.get("/healthz").json()["oldest_ready_task_age_seconds"] < 50


@pytest.mark.django_db
def test_healthz_answers_503_once_a_task_waited_past_the_limit(client, database_tasks):
    queue(waiting=timedelta(seconds=601))

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "error" and response.json()["tasks"] == "stalled"
    assert response.json()["oldest_ready_task_age_seconds"] >= 601


@pytest.mark.django_db
def test_a_limit_of_zero_turns_the_check_off(client, database_tasks, settings):
    settings.TASKS_MAX_WAIT_SECONDS = 0
    queue(waiting=timedelta(days=1))
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["oldest_ready_task_age_seconds"] >= 86400


# --- the worker ----------------------------------------------------------------------------------


def worker(**options) -> db_worker.ReconnectingWorker:
    return db_worker.ReconnectingWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
        **options,
    )


@pytest.fixture
def no_waiting(monkeypatch):
    waits = []
    monkeypatch.setattr(db_worker.time, "sleep", waits.append)
    return waits


@pytest.mark.django_db(transaction=True)
def test_the_worker_waits_out_a_database_that_does_not_answer_then_runs_the_task(monkeypatch, no_waiting):
    # given a task, and a database that refuses the worker's first two attempts
    result = queue()
    get_locked = DBTaskResultQuerySet.get_locked
    refusals = iter([OperationalError("connection refused")] * 2)

    def flaky(queryset):
        error = next(refusals, None)
        if error is not None:
            raise error
        return get_locked(queryset)

    monkeypatch.setattr(DBTaskResultQuerySet, "get_locked", flaky)

    # when the worker runs until the queue is empty
    worker().run()

    # then it waited, longer each time, and ran the task once the database answered
    assert no_waiting == [1.0, 2.0]
    result.refresh_from_db()
    assert result.status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_a_task_the_outage_interrupted_is_recorded_failed_once_the_database_is_back(monkeypatch, no_waiting):
    # given a task whose run meets the outage, which also stops its failure from being written
    result = queue(f"{__name__}.meet_an_outage")
    set_failed = DBTaskResult.set_failed
    writes = []

    def outage_then_back(self, error):
        writes.append(error)
        if len(writes) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        set_failed(self, error)

    monkeypatch.setattr(DBTaskResult, "set_failed", outage_then_back)

    # when the worker runs
    worker().run()

    # then the task is failed with the outage's error, not left running, and was not run again
    result.refresh_from_db()
    assert result.status == "FAILED"
    assert result.exception_class_path == "django.db.utils.OperationalError"
    assert len(writes) == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_worker_survives_its_connection_being_killed_and_runs_the_next_task(tmp_path):
    # given a worker on this database, keeping its connection open between tasks
    name = f"soiree-worker-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **{key: value for key, value in os.environ.items() if key != "DATABASE_REPLICA_URL"},
        "DATABASE_URL": url,
        "DATABASE_CONN_MAX_AGE": "600",
        "TASKS_BACKEND": "database",
        "PGAPPNAME": name,  # how the test finds the worker's connection
    }
    log = (tmp_path / "worker.log").open("w+")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval=0.2", "--no-startup-delay", "--no-reload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(lambda: backends_of(name) > 0, "the worker to connect", process)

        # when PostgreSQL drops the worker's connection (as a restart or a failover does)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s", [name]
            )
        # and a task is queued afterwards
        result = queue()

        # then the worker reconnects and runs it, still alive
        wait_for(
            lambda: DBTaskResult.objects.get(pk=result.pk).status == "SUCCESSFUL", "the task to run", process
        )
        assert process.poll() is None
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.seek(0)
        output = log.read()
    assert "Database unavailable" in output, output


def backends_of(application_name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [application_name]
        )
        return cursor.fetchone()[0]


def wait_for(condition, what: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, f"the worker exited (code {process.returncode}) waiting for {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)
