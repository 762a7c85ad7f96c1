"""Scale-out, proven: tasks queued on a real Redis and run by an RQ worker; report reads routed to a
replica alias; the settings refuse an RQ backend without Redis; the scale-out bench's clients keep
the pace of the load they offer."""

import importlib.util
import os
import secrets
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from unittest import mock

import pytest
from django.db import connections

from backend.db_router import REPLICA, ReportReplicaRouter, report_reads
from referrals.reports.filters import ReportFilters
from referrals.reports.query import attribution_report
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "")


@pytest.fixture
def project_on_redis(tmp_path, sqlite_database_of_its_own) -> Callable[..., dict[str, str]]:
    """`project_on_redis(**settings)`: the environment of an installation sharing this Redis, with a
    migrated database of its own."""

    def environment(**settings: str) -> dict[str, str]:
        return {
            **os.environ,
            "REDIS_URL": REDIS_URL,
            "DATABASE_URL": f"sqlite:///{sqlite_database_of_its_own(tmp_path)}",
            "DJANGO_SETTINGS_MODULE": "backend.settings",
            **settings,
        }

    return environment


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.skipif(
    not REDIS_URL, reason="TEST_REDIS_URL points at a Redis server for this test (.ci/run sets it)"
)
def test_a_task_queued_on_redis_is_run_by_an_rq_worker_and_its_result_is_visible(project_on_redis):
    # given: a project set up with the RQ backend, its own database and an empty Redis queue
    env = project_on_redis(TASKS_BACKEND="rq")
    python = sys.executable
    enqueue = textwrap.dedent(
        """
        import django; django.setup()
        from datetime import timedelta
        from django.utils import timezone
        from django_rq import get_queue
        from referrals.codes.services import issue_host_code
        from referrals.models import Click
        from referrals.tasks import purge_clicks_task
        from tests.factories import HostFactory
        get_queue("default").empty()
        code = issue_host_code(host=HostFactory())
        Click.objects.create(code=code, at=timezone.now() - timedelta(days=400), token="old", visitor_hash="h")
        Click.objects.create(code=code, at=timezone.now(), token="new", visitor_hash="h")
        result = purge_clicks_task.enqueue()
        print(result.id, result.status)
        """
    )
    result_id, status = _run([python, "-c", enqueue], env).split()
    assert status == "READY"  # queued, not run: nobody works in this process

    # when: a worker drains the queue in burst mode
    _run([python, "manage.py", "rqworker", "default", "--burst", "--job-class", "django_tasks_rq.Job"], env)

    # then: the result is stored in Redis and the task's effect is in the database
    check = textwrap.dedent(
        f"""
        import django; django.setup()
        from referrals.models import Click
        from referrals.tasks import purge_clicks_task
        result = purge_clicks_task.get_result({result_id!r})
        print(result.status, result.return_value, sorted(Click.objects.values_list("token", flat=True)))
        """
    )
    assert _run([python, "-c", check], env).strip() == "SUCCESSFUL 1 ['new']"


def test_settings_refuse_the_rq_backend_without_redis():
    env = {**os.environ, "TASKS_BACKEND": "rq", "REDIS_URL": ""}
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "backend.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0 and "REDIS_URL" in done.stderr


def test_router_sends_only_report_reads_to_a_configured_replica(settings):
    router = ReportReplicaRouter()
    settings.DATABASES = {**settings.DATABASES, REPLICA: settings.DATABASES["default"]}
    assert router.db_for_read(None) is None
    with report_reads():
        assert router.db_for_read(None) == REPLICA
        assert router.db_for_write(None) is None
    assert router.allow_migrate(REPLICA, "referrals") is False
    assert router.allow_migrate("default", "referrals") is None


def test_router_keeps_report_reads_on_default_without_a_replica(settings):
    settings.DATABASES = {k: v for k, v in settings.DATABASES.items() if k != REPLICA}
    with report_reads():
        assert ReportReplicaRouter().db_for_read(None) is None


@pytest.mark.skipif(REPLICA not in connections.settings, reason="runs where DATABASE_REPLICA_URL is set")
@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
def test_report_queries_run_on_the_replica_connection():
    from django.test.utils import CaptureQueriesContext

    factories.CampaignFactory()
    with (
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_default,
    ):
        report = attribution_report(filters=ReportFilters(), group_by="host")
    assert report.currency == "EUR"
    # the currency and the one statement of facts (labels too when there are rows), none on default
    assert len(on_replica) >= 2 and len(on_default) == 0


def test_report_reads_go_to_a_second_database_alias():
    """Proven in a process where `DATABASE_REPLICA_URL` declares the second alias (a test mirror of
    `default`), running the test just above."""
    if REPLICA in connections.settings:
        pytest.skip("the test above runs in this process")
    url = os.environ.get("DATABASE_URL", "sqlite:///replica.sqlite3")
    if url.startswith("postgres"):  # a test database of its own, beside the one this run uses
        head, _, name = url.rpartition("/")
        url = f"{head}/{name}_replica"
    env = {**os.environ, "DATABASE_URL": url, "DATABASE_REPLICA_URL": url}
    output = _run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            # its database is made from the models, not migrated: what it proves is where the report's
            # statements go, and a migration of the whole project costs more than the rest of the run
            "--no-migrations",
            f"{__file__}::test_report_queries_run_on_the_replica_connection",
        ],
        env,
    )
    assert "1 passed" in output


@pytest.mark.skipif(
    not REDIS_URL, reason="TEST_REDIS_URL points at a Redis server for this test (.ci/run sets it)"
)
def test_throttles_are_shared_by_every_process_through_redis(project_on_redis):
    # given: two web processes of one installation, sharing its database and its Redis
    env = project_on_redis(DEBUG="1", THROTTLE_TOKEN_LOGIN="3/minute")
    python = sys.executable
    address = f"127.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"
    guess = textwrap.dedent(
        f"""
        import sys
        import django; django.setup()
        from django.test import Client
        from django.test.utils import setup_test_environment
        setup_test_environment()
        client = Client(REMOTE_ADDR="{address}")
        for _ in range(int(sys.argv[1])):
            response = client.post(
                "/api/v1/auth/token/", {{"email": "who@example.com", "password": "guess"}},
                content_type="application/json",
            )
            print(response.status_code)
        """
    )

    # when one process makes two password guesses and another makes two more
    first = _run([python, "-c", guess, "2"], env).split()
    second = _run([python, "-c", guess, "2"], env).split()

    # then the second process knows of the first one's guesses: the limit of 3 holds across both
    assert first == ["401", "401"]
    assert second == ["401", "429"]


@pytest.mark.skipif(
    not REDIS_URL, reason="TEST_REDIS_URL points at a Redis server for this test (.ci/run sets it)"
)
def test_every_periodic_job_and_an_email_run_through_redis_and_an_rq_worker(project_on_redis):
    # given: the RQ backend, and each periodic job of the README's cron lines queued, plus an e-mail
    env = project_on_redis(TASKS_BACKEND="rq", EMAIL_URL="console://", STRIPE_SECRET_KEY="")
    python = sys.executable
    enqueue = textwrap.dedent(
        """
        import django; django.setup()
        from django_rq import get_queue
        from ambassadors.parties.services import close_due_parties_task
        from ambassadors.parties.retention import purge_closed_campaign_guests_task
        from ambassadors.recruitment.retention import purge_unselected_applications_task
        from backend.mail import send_built_email
        from backend.task_results import purge_task_results_task
        from referrals import tasks
        from tests.factories import ApplicationFactory
        get_queue("default").empty()
        jobs = [
            close_due_parties_task, purge_unselected_applications_task, purge_closed_campaign_guests_task,
            tasks.purge_clicks_task, tasks.reconcile_attributions_task, tasks.approve_rewards_task,
            tasks.recompute_rewards_task, tasks.run_payouts_task, purge_task_results_task,
        ]
        results = [job.enqueue() for job in jobs]
        application = ApplicationFactory(email="clara@example.com", language="fr")
        results.append(send_built_email.enqueue(
            builder="ambassadors.recruitment.emails.application_received_email", object_id=application.pk,
        ))
        print(" ".join(f"{job.module_path}:{result.id}" for job, result in zip(jobs + [send_built_email], results)))
        """
    )
    queued = [item.split(":") for item in _run([python, "-c", enqueue], env).split()]

    # when: a worker drains the queue in burst mode
    worker = _run(
        [python, "manage.py", "rqworker", "default", "--burst", "--job-class", "django_tasks_rq.Job"], env
    )

    # then: every job succeeded, and the e-mail went out in French
    check = textwrap.dedent(
        f"""
        import django; django.setup()
        from django.utils.module_loading import import_string
        for path, result_id in {queued!r}:
            print(path, import_string(path).get_result(result_id).status)
        """
    )
    statuses = dict(line.split() for line in _run([python, "-c", check], env).splitlines())
    assert len(statuses) == 10
    assert set(statuses.values()) == {"SUCCESSFUL"}, statuses
    assert "clara@example.com" in worker and "Merci" in worker


@pytest.fixture(scope="module")
def scale_out_bench() -> ModuleType:
    """bench/scale_out.py as a module (a script: its path change is put back after)."""
    spec = importlib.util.spec_from_file_location("bench_scale_out", ROOT / "bench" / "scale_out.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    with mock.patch.object(sys, "path", list(sys.path)):
        spec.loader.exec_module(module)
    return module


def test_the_scale_out_bench_offers_its_load_at_a_pace_and_catches_up_after_a_late_answer(scale_out_bench):
    # given a server whose first answer takes 0.6 s, the others none
    answered: list[float] = []

    class Answer(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if not answered:
                time.sleep(0.6)
            answered.append(time.monotonic())
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        # when one client offers four requests a second for two seconds
        tally = scale_out_bench.Tally()
        started = time.monotonic()
        scale_out_bench.client_loop(
            server.server_address[1], lambda: ("GET", "/", b"", {}, 1), tally, started + 2, (started, 0.25)
        )
        returned = time.monotonic() - started
    finally:
        server.shutdown()

    # then it sent the eight of its schedule: the two the late answer held back at once, then on
    # the pace, the last at 1.75 s; and it stopped when the window closed, not a pace later
    assert tally.requests == 8 and not tally.failures
    assert sum(1 for at in answered if at - started < 0.7) == 3
    assert 1.7 <= answered[-1] - started < 2.0
    assert returned < 2.0
    assert max(tally.seconds_waited) >= 0.6
