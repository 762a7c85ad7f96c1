"""Querysets of model instances compiled once and run again with new parameters.

Compiling a queryset with its joins (`select_related`) costs more Python than PostgreSQL takes to
answer it when it reads a handful of rows, and the queries of attribution and rewards run for every
order recorded, each with the same shape: only their lists change. Given as array parameters
(`= ANY(%s)`), those lists leave the SQL the same, so it is compiled once per connection and its
rows are turned into instances (and their related instances) as the queryset would, except that a
related row named by many rows (the campaign of 200 hosts) is one instance, shared by them as
`prefetch_related` shares it, instead of one per row.
"""

import weakref
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import (  # type: ignore[attr-defined]  # not in the type stubs
    get_related_populators,
)

from backend import planned

M = TypeVar("M", bound=Model)


class Prepared(Generic[M]):
    """`build(*params)` gives the queryset of `model`, whose SQL takes exactly `params`, in that
    order (a filter's keyword arguments come in the order of their names), else `run` raises
    TypeError; `for_write` when it locks its rows (the database it runs on is the one written to)."""

    def __init__(
        self, model: type[M], build: Callable[..., "QuerySet[M]"], *, for_write: bool = False
    ) -> None:
        self._model, self._build, self._for_write = model, build, for_write
        self._compiled: weakref.WeakKeyDictionary[Any, tuple[str, Any]] = weakref.WeakKeyDictionary()

    def run(self, *params: Any) -> list[M]:
        route = router.db_for_write if self._for_write else router.db_for_read
        alias = route(self._model)
        connection = connections[alias]
        compiled = self._compiled.get(connection)
        if compiled is None:
            queryset = self._build(*params).using(alias)
            compiler = queryset.query.get_compiler(using=alias)
            sql, compiled_params = compiler.as_sql()
            if tuple(compiled_params) != tuple(params):
                raise TypeError(  # a shape that would be compiled anew on every run: say so, loudly
                    f"{self._model.__name__}: the compiled SQL takes {compiled_params!r}, not the "
                    f"parameters given in their order, {params!r}"
                )
            compiled = self._compiled[connection] = (sql, _Rows(compiler, alias))
        sql, rows_of = compiled
        with connection.cursor() as cursor:
            planned.execute(cursor, sql, params)
            rows: Sequence[Any] = cursor.fetchall()
        return rows_of.instances(rows)


class _Rows:
    """How the rows of a compiled query become the queryset's instances (what `ModelIterable` does
    for a query without annotations or known related objects), worked out once with the SQL."""

    def __init__(self, compiler: Any, alias: str) -> None:
        select, klass_info = compiler.select, compiler.klass_info
        self._compiler, self._alias, self._model = compiler, alias, klass_info["model"]
        self._start, self._end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self._names = [column[0].target.attname for column in select[self._start : self._end]]
        self._populators = get_related_populators(klass_info, select, alias)

    def instances(self, rows: Sequence[Any]) -> list[Any]:
        populators = [_Shared(populator) for populator in self._populators]  # shared within one run
        alias, names, start, end = self._alias, self._names, self._start, self._end
        instances = []
        for row in self._compiler.results_iter(results=[rows]):
            instance = self._model.from_db(alias, names, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            instances.append(instance)
        return instances


class _Shared:
    """Django's `RelatedPopulator` (one `select_related` model of a row), making each related
    instance once per primary key: the rows that name it share it, and its own related instances."""

    def __init__(self, populator: Any) -> None:
        self._populator = populator
        self._related = [_Shared(related) for related in populator.related_populators]
        self._made: dict[Any, Any] = {}

    def populate(self, row: Sequence[Any], from_obj: Any) -> None:
        populator = self._populator
        if populator.reorder_for_init:
            data = populator.reorder_for_init(row)
        else:
            data = row[populator.cols_start : populator.cols_end]
        pk = data[populator.pk_idx]
        obj = None if pk is None else self._made.get(pk)
        if obj is None and pk is not None:
            obj = self._made[pk] = populator.model_cls.from_db(populator.db, populator.init_list, data)
            for related in self._related:
                related.populate(row, obj)
        populator.local_setter(from_obj, obj)
        if obj is not None:
            populator.remote_setter(obj, from_obj)
