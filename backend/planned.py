"""Statements run on every order, planned once per database connection.

PostgreSQL plans a statement each time it receives it. For the few statements every webhook and
import batch runs (the codes with their hosts, the hosts locked, the report's rows and facts),
planning takes longer than executing: 0.5 ms to plan the code look-up and its four joins, 0.1 ms to
run it. `execute` runs such a statement as it is the first time a connection sees it, and from the
second time through a server-side prepared statement (`PREPARE` once, then `EXECUTE`), whose plan
the server keeps for the connection's life. A connection opened for one request
(`DATABASE_CONN_MAX_AGE=0`) never prepares anything; a persistent one plans each statement once.

- The `PREPARE` is sent on the driver's own connection, beside Django's cursor: once per connection
  and statement, it is not one of the request's queries. Inside a transaction it runs in a savepoint,
  so a statement the server will not prepare (a parameter whose type it cannot tell) is only run as
  it is, without harming the transaction.
- Prepared statements outlive a rolled-back transaction (they belong to the session); a migration
  forgets them all (`forget_all`), since a statement planned before may read columns that changed.
- Each prepared statement keeps one generic plan from its first `EXECUTE` (the connection starts
  with `plan_cache_mode=force_generic_plan`, set in `backend.settings`): left to choose, the server
  plans every run of a statement taking an array again, since it cannot cost the array's length
  in advance, and the look-ups of every webhook (code, hosts, ledger sums) gained nothing.
- `DATABASE_PREPARED_STATEMENTS=0` turns this off (a pooler in transaction mode, which hands each
  transaction another server session, cannot keep them).
"""

import itertools
import re
import weakref
from typing import Any

import psycopg
from django.conf import settings
from django.db import connections
from psycopg import pq

_PLACEHOLDER = re.compile(r"%%|%s")
_names = itertools.count(1)
# Per driver connection: statement → how many times it was run as is (0, 1), its prepared name, or
# None when the server would not prepare it.
_statements: weakref.WeakKeyDictionary[Any, dict[str, int | str | None]] = weakref.WeakKeyDictionary()


def execute(cursor: Any, sql: str, params: list[Any] | tuple[Any, ...]) -> None:
    """`cursor.execute(sql, params)` on `cursor` (Django's, its connection's queries counted as
    ever), through a prepared statement from the second time this connection runs `sql`."""
    connection = cursor.db
    if connection.vendor != "postgresql" or not settings.DATABASE_PREPARED_STATEMENTS:
        cursor.execute(sql, params)
        return
    seen = _statements.setdefault(connection.connection, {})
    state = seen.get(sql, 0)
    if state == 0:
        seen[sql] = 1
    elif state == 1:
        state = seen[sql] = _prepare(connection.connection, sql)
    if isinstance(state, str):
        cursor.execute(
            f"EXECUTE {state}({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {state}", params
        )
    else:
        cursor.execute(sql, params)


def _prepare(raw: Any, sql: str) -> str | None:
    numbers = itertools.count(1)
    statement = _PLACEHOLDER.sub(lambda match: "%" if match[0] == "%%" else f"${next(numbers)}", sql)
    name = f"soiree_{next(_names)}"
    in_transaction = not raw.autocommit  # Django's atomic block: begun, or begun by this statement
    try:
        if in_transaction:
            raw.execute("SAVEPOINT soiree_prepare")
        raw.execute(f"PREPARE {name} AS {statement}")
    except psycopg.Error:
        if in_transaction:
            raw.execute("ROLLBACK TO SAVEPOINT soiree_prepare")
        return None
    finally:
        if in_transaction and raw.info.transaction_status == pq.TransactionStatus.INTRANS:
            raw.execute("RELEASE SAVEPOINT soiree_prepare")
    return name


def forget_all(**kwargs: Any) -> None:
    """Deallocate every prepared statement of every open connection (after a migration)."""
    for connection in connections.all(initialized_only=True):
        raw = connection.connection
        if connection.vendor == "postgresql" and raw is not None and raw in _statements:
            del _statements[raw]
            raw.execute("DEALLOCATE ALL")
