"""Many new rows of one model in one INSERT, without Django's per-value preparation.

`bulk_create` passes every value of every row through its field's preparation (about 20,000 calls
for a batch of 1,000 orders, more than the database takes to store them). The values of a new
model instance are already what the database stores (strings, decimals, aware datetimes, ids,
booleans, None), so on PostgreSQL `insert_new` sends one array per column, written as array text
(`backend.arrays`), to `INSERT … SELECT FROM unnest(…) RETURNING id`, fills each instance's primary
key and marks it saved; elsewhere it is `bulk_create`. Same rows, same defaults, same `auto_now`
stamps, same constraints in the database.
"""

import json
import re
from collections.abc import Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import connections, router
from django.db.models import JSONField, Model
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init
from django.utils import timezone

from backend import planned
from backend.arrays import array_text

M = TypeVar("M", bound=Model)


def unsaved(model: type[M], /, **values: Any) -> M:
    """`model(**values)`, a new row to give `insert_new`, its related objects kept as given (read
    back without a query) but set without Django's relation setter, which asks the database routers
    three times per related object: for a batch of 1,000 orders' attributions, more time than the
    database takes to store them. Each related object must be saved (or None). A model whose
    columns take their values as given is built without Model.__init__'s generic loop."""
    cached = {}
    for name, attname in _relations(model).items():
        if name in values:
            related = cached[name] = values.pop(name)
            values[attname] = None if related is None else related.pk
    columns = _plain_columns(model)
    if columns is None:
        instance = model(**values)
    else:  # what Model.__init__ does for such a model, without its generic loop (8 µs a row → 1 µs)
        instance = model.__new__(model)
        instance._state = ModelState()
        stored = instance.__dict__
        for attname, field in columns:
            stored[attname] = values.pop(attname) if attname in values else field.get_default()
        if values:
            raise TypeError(f"{model.__name__}() got unexpected keyword arguments: {', '.join(values)}")
    instance._state.fields_cache.update(cached)
    return instance


@cache
def _plain_columns(model: type[Model]) -> list[tuple[str, Any]] | None:
    """The (attname, field) of each column of a model whose instances Model.__init__ makes by
    storing each value as given: its own __init__, no init signal listened to (when first asked),
    and no field whose attribute has a setter of its own (a phone number's, a file's) but a foreign
    key id's, which has nothing to clear on a new row. None for any other model."""
    if (
        model.__init__ is not Model.__init__
        or pre_init.has_listeners(model)
        or post_init.has_listeners(model)
    ):
        return None
    columns = []
    for field in model._meta.concrete_fields:
        if field.generated:
            continue
        if type(model.__dict__.get(field.attname)) not in (DeferredAttribute, ForeignKeyDeferredAttribute):
            return None
        columns.append((field.attname, field))
    return columns


@cache
def _relations(model: type[Model]) -> dict[str, str]:
    """The model's own relations: name to column attribute (`host` to `host_id`)."""
    return {field.name: field.attname for field in model._meta.concrete_fields if field.is_relation}


def insert_new(objs: Sequence[M]) -> list[M]:
    """Insert unsaved instances of one model (no primary key set); returns them, saved."""
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return model._default_manager.using(alias).bulk_create(objs)
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    now = timezone.now()
    columns = []
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                setattr(obj, field.attname, now)
        if field.is_relation:
            for obj in objs:  # an instance given as the related object, saved since: its id
                related = obj._state.fields_cache.get(field.name)
                if related is not None and getattr(obj, field.attname) is None:
                    setattr(obj, field.attname, related.pk)
        columns.append(_column([getattr(obj, field.attname) for obj in objs], field))
    with connection.cursor() as cursor:
        planned.execute(cursor, _insert_sql(model, alias), columns)
        ids = [row[0] for row in cursor.fetchall()]
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = alias
    return objs


@cache
def _insert_sql(model: type[Model], alias: str) -> str:
    """The INSERT of one array per column, for `insert_new` (the same for every batch of a model)."""
    connection = connections[alias]
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    arrays = ", ".join(f"%s::{array_type(field, connection)}[]" for field in fields)
    table, pk = connection.ops.quote_name(meta.db_table), connection.ops.quote_name(meta.pk.column)
    # the model's own names and types only; every value is a parameter
    return f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}) RETURNING {pk}"  # noqa: S608


def array_type(field: Any, connection: Any) -> str:
    """The type an array of `field`'s values is read as: its column's, without a length (a cast to
    varchar(64) would cut a longer value silently; stored, it is refused as the column refuses it)."""
    return _LENGTH.sub("", field.db_type(connection))


_LENGTH = re.compile(r"(?<=^varchar)\(\d+\)$")


def _column(values: list[Any], field: Any) -> Any:
    """One column's parameter: its array text (JSON as its text), or the list itself when a value
    has no array text of its own (the driver then quotes each value)."""
    if isinstance(field, JSONField):
        values = [None if value is None else json.dumps(value, cls=field.encoder) for value in values]
    try:
        return array_text(values)
    except TypeError:
        return values
