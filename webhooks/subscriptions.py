"""Whether any active endpoint subscribes to an event type, known without asking the database.

Every fact asks which endpoints want it (`services.record_event`), in the transaction that made it;
most facts find none, and one more round trip on every order, refund or selection is what that
question cost. The event types that some active endpoint subscribes to are kept in the shared cache,
so a fact nobody can want records nothing and asks nothing; a type some endpoint wants still reads
the endpoints themselves, as before.

Correct across processes when endpoints change:
- every write of an endpoint (`post_save`, `post_delete`) gives the subscriptions a new version in
  the cache once its transaction commits (at once outside a transaction); an answer stored under an
  older version is never used again, by any process;
- an answer is stored under the version read *before* the database was asked, so an answer that a
  concurrent change has made stale is stored under a version that change has already replaced;
- the transaction that changed an endpoint reads the database itself (it alone sees its change, and
  must not store it: it may yet roll back);
- a cache that is not shared between processes (local memory, dummy) is never used, and a cache
  that fails is read past: the database answers.
A fact made while an endpoint is being saved is told to it or not, as when the database answers: it
depends on which commits first. Endpoints are written through `webhooks.services` and the model's
`save`/`delete`, which send the signals; a queryset's `update()` sends none (none is used on them).
"""

import logging
import uuid
from typing import Any

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction

from webhooks.models import Endpoint

logger = logging.getLogger(__name__)

# An answer lives ten minutes at most: an endpoint change that the cache failed to take (it was down
# when the change committed) is seen within that time all the same.
TIMEOUT_SECONDS = 600

# The outermost atomic block of each connection whose transaction changed an endpoint.
_changed_in: dict[str, Any] = {}


def _alias() -> str:
    return router.db_for_write(Endpoint) or DEFAULT_DB_ALIAS


def keys(alias: str | None = None) -> tuple[str, str]:
    """(the version's key, the answer's key): of this database, should several share one cache."""
    name = connections[alias or _alias()].settings_dict.get("NAME")
    return f"webhooks:subscriptions:{name}:version", f"webhooks:subscriptions:{name}:answer"


def _shared_cache() -> Any:
    """The default cache when processes share it, else None."""
    cache = caches[DEFAULT_CACHE_ALIAS]
    return None if isinstance(cache, LocMemCache | DummyCache) else cache


def _changed_in_this_transaction(alias: str) -> bool:
    connection = connections[alias]
    marker = _changed_in.get(f"{alias}:{id(connection)}")
    return marker is not None and connection.in_atomic_block and connection.atomic_blocks[0] is marker


def subscribed_types() -> frozenset[str]:
    """The event types some active endpoint subscribes to, read from the database."""
    types: set[str] = set()
    for events in Endpoint.objects.filter(is_active=True).values_list("events", flat=True):
        types.update(events or ())
    return frozenset(types)


def may_be_wanted(event_type: str) -> bool:
    """False when no active endpoint subscribes to `event_type` (then nothing is to be recorded);
    True when one may (the caller reads the endpoints)."""
    cache = _shared_cache()
    alias = _alias()
    if cache is None or _changed_in_this_transaction(alias):
        return True
    version_key, answer_key = keys(alias)
    try:
        found = cache.get_many([version_key, answer_key])
        version = found.get(version_key)
        answer = found.get(answer_key)
        if version is not None and isinstance(answer, tuple) and answer[0] == version:
            return event_type in answer[1]
        if version is None:
            version = uuid.uuid4().hex
            if not cache.add(version_key, version, TIMEOUT_SECONDS):
                version = cache.get(version_key)
                if version is None:
                    return True
    except Exception:
        logger.warning("webhook subscriptions: the cache failed; the database answers", exc_info=True)
        return True
    types = subscribed_types()
    try:
        cache.set(answer_key, (version, types), TIMEOUT_SECONDS)
    except Exception:
        logger.warning("webhook subscriptions: the cache failed; the database answers", exc_info=True)
    return event_type in types


def _new_version(alias: str) -> None:
    cache = _shared_cache()
    if cache is None:
        return
    try:
        cache.set(keys(alias)[0], uuid.uuid4().hex, TIMEOUT_SECONDS)
    except Exception:
        logger.error("webhook subscriptions: the cache failed to take an endpoint change", exc_info=True)


def endpoints_changed(*, using: str | None = None) -> None:
    """An endpoint was written: a new version once the transaction commits; until then, this
    transaction reads the database."""
    alias = using or _alias()
    connection = connections[alias]
    key = f"{alias}:{id(connection)}"
    if connection.in_atomic_block:
        _changed_in[key] = connection.atomic_blocks[0]

        def committed() -> None:
            _changed_in.pop(key, None)
            _new_version(alias)

        transaction.on_commit(committed, using=alias)
    else:
        _new_version(alias)
