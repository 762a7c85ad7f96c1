"""Storing a provider's delivery once, in one round trip.

`INSERT … ON CONFLICT DO NOTHING RETURNING id`: a new delivery is inserted and, uncommitted, blocks
any concurrent copy of itself on the unique index until this transaction ends (as the row lock
taken by reading it `FOR UPDATE` would); a repeat inserts nothing, and only then is the stored row
read and locked. Each webhook is a new delivery far more often than a repeat: one query saved.

A delivery is inserted with the outcome it will most likely have, so that a success costs no
second write; a handler that fails is undone with everything its transaction wrote, the stored
row included, and the failure is then recorded in a transaction of its own
(`record_unsuccessful_attempt`), so the success path needs no savepoint either.
"""

from typing import Any

from django.db import connection
from django.db.models import Model

from backend import planned


def _insert_sql(instance: Model) -> tuple[str, list[Any], list[Any]]:
    """The INSERT of `instance`'s concrete fields (its primary key excepted): (sql, values, fields)."""
    opts = instance._meta
    quote = connection.ops.quote_name
    fields = [field for field in opts.concrete_fields if not field.primary_key]
    values = [
        field.get_db_prep_save(field.pre_save(instance, True), connection=connection) for field in fields
    ]
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    # identifiers from the model's own options, quoted; every value is a parameter
    sql = f"INSERT INTO {quote(opts.db_table)} ({columns}) VALUES ({placeholders}) "  # noqa: S608
    return sql, values, fields


def insert_unless_stored(instance: Model, *, unique_fields: tuple[str, ...]) -> bool:
    """Insert `instance` unless a row with the same `unique_fields` exists; True (its primary key
    set) when this call inserted it, False when the row was there already (nothing written)."""
    opts = instance._meta
    quote = connection.ops.quote_name
    sql, values, fields = _insert_sql(instance)
    by_name = {field.name: field for field in fields}
    conflict = ", ".join(quote(by_name[name].column) for name in unique_fields)
    sql += f"ON CONFLICT ({conflict}) DO NOTHING RETURNING {quote(opts.pk.column)}"
    with connection.cursor() as cursor:
        planned.execute(cursor, sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    instance.pk = row[0]
    instance._state.adding = False
    return True


def record_unsuccessful_attempt(
    instance: Model, *, unique_fields: tuple[str, ...], failed_status: str
) -> None:
    """Record one more attempt of a delivery that did not succeed, its handler's writes undone.

    `instance` carries the outcome (`status`, `error`, `processed_at`) and, for a delivery not stored
    yet, everything else, with `attempts` = 1. A stored delivery that is still `failed_status` takes
    the outcome and one more attempt; one that a concurrent delivery has meanwhile processed is left
    as it is (it was a success: this attempt changes nothing).
    """
    opts = instance._meta
    quote = connection.ops.quote_name
    sql, values, fields = _insert_sql(instance)
    by_name = {field.name: field for field in fields}
    table = quote(opts.db_table)
    conflict = ", ".join(quote(by_name[name].column) for name in unique_fields)
    status, attempts = quote(by_name["status"].column), quote(by_name["attempts"].column)
    outcome = ", ".join(
        f"{quote(by_name[name].column)} = excluded.{quote(by_name[name].column)}"
        for name in ("status", "error", "processed_at")
    )
    sql += (
        f"ON CONFLICT ({conflict}) DO UPDATE SET {outcome}, {attempts} = {table}.{attempts} + 1 "
        f"WHERE {table}.{status} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, failed_status])
