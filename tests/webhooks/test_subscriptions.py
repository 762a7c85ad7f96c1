"""A fact that no active endpoint can want asks the database nothing, when a cache shared by the
processes knows it; and every change of the endpoints is seen by the next fact, whichever process
made it (`webhooks.subscriptions`)."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from webhooks import services, subscriptions
from webhooks.models import Delivery, Endpoint, Event, EventType

pytestmark = pytest.mark.django_db

FACT = EventType.ORDER_ATTRIBUTED


@pytest.fixture
def shared_cache(settings, tmp_path):
    """A cache that processes share (files here; Redis in production)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    settings.WEBHOOK_ALLOW_LOCAL_URLS = True
    yield caches["default"]
    caches["default"].clear()


def _record() -> tuple[list[Event], int]:
    """Record the fact once: (its events, how many statements read the endpoints)."""
    with CaptureQueriesContext(connection) as queries:
        events = services.record_event(type=FACT, payloads=[{"order_id": 1}])
    return events, sum("webhooks_endpoint" in query["sql"] for query in queries.captured_queries)


def _create(events: list[str], *, url: str = "http://127.0.0.1:9/a") -> Endpoint:
    return services.create_endpoint(url=url, events=events, by=None)


def test_a_fact_nobody_subscribes_to_reads_no_endpoint_once_known(shared_cache):
    assert _record() == ([], 1)  # the first asks, and the answer is kept
    assert _record() == ([], 0)
    assert _record() == ([], 0)


def test_an_endpoint_created_is_told_the_next_fact(shared_cache, django_capture_on_commit_callbacks):
    _record()
    with django_capture_on_commit_callbacks(execute=True):
        endpoint = _create([FACT])

    events, reads = _record()

    assert len(events) == 1 and reads == 2  # what is subscribed, then the endpoints themselves
    assert Delivery.objects.get().endpoint == endpoint


def test_the_transaction_that_creates_an_endpoint_reads_the_database(shared_cache):
    _record()
    endpoint = _create([FACT])  # not committed yet (the test's transaction)

    events, _ = _record()

    assert len(events) == 1 and Delivery.objects.get().endpoint == endpoint
    # and what it saw is not kept for others: it may yet roll back
    answer = shared_cache.get(subscriptions.keys()[1])
    assert FACT not in answer[1]


def test_an_endpoint_of_other_types_still_reads_nothing_for_this_one(
    shared_cache, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _create([EventType.PAYOUT_PAID])
    _record()

    assert _record() == ([], 0)


def test_disabling_or_deleting_the_endpoint_is_seen_by_the_next_fact(
    shared_cache, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        endpoint = _create([FACT])
    assert len(_record()[0]) == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.update_endpoint(endpoint=endpoint, by=None, is_active=False)
    assert _record() == ([], 1)
    assert _record() == ([], 0)

    with django_capture_on_commit_callbacks(execute=True):
        services.update_endpoint(endpoint=endpoint, by=None, is_active=True)
    assert len(_record()[0]) == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.delete_endpoint(endpoint=endpoint, by=None)
    assert _record() == ([], 1)


def test_a_failure_count_saved_changes_no_version(shared_cache, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        endpoint = _create([EventType.PAYOUT_PAID])
    _record()
    version = shared_cache.get(subscriptions.keys()[0])

    endpoint.consecutive_failures = 3
    with django_capture_on_commit_callbacks(execute=True):
        endpoint.save(update_fields=["consecutive_failures"])

    assert shared_cache.get(subscriptions.keys()[0]) == version
    assert _record() == ([], 0)


def test_an_answer_made_stale_while_it_was_read_is_never_used(
    shared_cache, monkeypatch, django_capture_on_commit_callbacks
):
    # given another process that creates an endpoint while this one reads the database
    read = subscriptions.subscribed_types

    def read_while_an_endpoint_is_created() -> frozenset[str]:
        types = read()  # the database before the change
        with django_capture_on_commit_callbacks(execute=True):
            Endpoint.objects.create(url="http://127.0.0.1:9/b", events=[FACT], secret="s")
        subscriptions._changed_in.clear()  # as if another process had made the change
        return types

    monkeypatch.setattr(subscriptions, "subscribed_types", read_while_an_endpoint_is_created)
    assert _record() == ([], 2)  # the read, and the other process's INSERT (counted here)
    monkeypatch.setattr(subscriptions, "subscribed_types", read)

    # then the answer stored under the old version is not used: the next fact sees the endpoint
    events, reads = _record()
    assert len(events) == 1 and reads == 2


def test_a_cache_of_one_process_only_is_never_used(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    assert _record() == ([], 1)
    assert _record() == ([], 1)


def test_a_failing_cache_leaves_the_answer_to_the_database(shared_cache, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(type(shared_cache), "get_many", down)

    assert _record() == ([], 1)
