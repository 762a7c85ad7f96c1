"""Storing a provider's delivery once, in one round trip.

`INSERT … ON CONFLICT DO NOTHING RETURNING id`: a new delivery is inserted and, uncommitted, blocks
any concurrent copy of itself on the unique index until this transaction ends (as the row lock
taken by reading it `FOR UPDATE` would); a repeat inserts nothing, and only then is the stored row
read and locked. Each webhook is a new delivery far more often than a repeat: one query saved.
"""

from django.db import connection
from django.db.models import Model


def insert_unless_stored(instance: Model, *, unique_fields: tuple[str, ...]) -> bool:
    """Insert `instance` unless a row with the same `unique_fields` exists; True (its primary key
    set) when this call inserted it, False when the row was there already (nothing written)."""
    opts = instance._meta
    quote = connection.ops.quote_name
    fields = [field for field in opts.concrete_fields if not field.primary_key]
    values = [
        field.get_db_prep_save(field.pre_save(instance, True), connection=connection) for field in fields
    ]
    by_name = {field.name: field for field in fields}
    conflict = ", ".join(quote(by_name[name].column) for name in unique_fields)
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    # identifiers from the model's own options, quoted; every value is a parameter
    sql = f"INSERT INTO {quote(opts.db_table)} ({columns}) VALUES ({placeholders}) "  # noqa: S608
    sql += f"ON CONFLICT ({conflict}) DO NOTHING RETURNING {quote(opts.pk.column)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    instance.pk = row[0]
    instance._state.adding = False
    return True
