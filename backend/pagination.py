"""How the API's lists are paged: one cursor style everywhere (see `CursorPagination`)."""

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core import signing
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


class CursorPagination(pagination.BasePagination):
    """The one way every list of the API is paged: `?cursor=` taken from the previous answer's `next`
    or `previous` link, `?page_size=` from 1 to `max_page_size`.

    A keyset cursor: it holds the last row's values of every ordering column, the primary key last,
    so a page never repeats or skips a row, however many rows share a value (a score, a day) and
    wherever rows are inserted, and it costs no COUNT(*) or OFFSET. Empty values sort last whichever
    the direction, on every database. A list where counting is cheap says so with
    `CountedCursorPagination`, which adds `total`."""

    page_size = 50
    max_page_size = 500
    ordering: str | list[str] | tuple[str, ...] = "-id"  # when neither `?ordering=` nor the view names one
    cursor_query_param = "cursor"
    invalid_cursor_message = "Invalid cursor."
    cursor_description = (
        "Opaque: the `next` or `previous` link of the answer before. Leave out for the first page."
    )
    page_size_query_param = "page_size"
    with_total = False  # `total` in every answer: see CountedCursorPagination

    def get_page_size(self, request: Request) -> int:
        """A `page_size` that is not a whole number from 1 to the maximum is refused (400), not
        ignored: a client asking for something it will not get should be told."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]},
                code="invalid",
            )
        return int(raw)

    def paginate_queryset(self, queryset: QuerySet[Any], request: Request, view: Any = None) -> list[Any]:
        self.request = request
        self.page_size = self.get_page_size(request)
        self.columns = self._ordering(request, queryset, view)
        position, backwards = self._decode(request)
        order = [_order_expression(column, flip=backwards) for column in self.columns]
        rows = queryset.order_by(*order)
        if position is not None:
            rows = rows.filter(_beyond(self.columns, position, backwards=backwards))
        fetched = list(rows[: self.page_size + 1])
        page = fetched[: self.page_size]
        more = len(fetched) > self.page_size
        if backwards:
            page.reverse()
        self.page = page
        self.has_next = more if not backwards else position is not None
        self.has_previous = position is not None if not backwards else more
        self.total = self.count(queryset) if self.with_total else None
        return page

    def count(self, queryset: QuerySet[Any]) -> int:
        return queryset.count()

    def get_paginated_response(self, data: Any) -> Response:
        body: dict[str, Any] = {"next": self.get_next_link(), "previous": self.get_previous_link()}
        if self.with_total:
            body["total"] = self.total
        body["results"] = data
        return Response(body)

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        properties: dict[str, Any] = {
            "next": {"type": "string", "nullable": True, "format": "uri", "description": NEXT_DESCRIPTION},
            "previous": {
                "type": "string",
                "nullable": True,
                "format": "uri",
                "description": PREVIOUS_DESCRIPTION,
            },
        }
        if self.with_total:
            properties["total"] = {"type": "integer", "minimum": 0, "description": TOTAL_DESCRIPTION}
        properties["results"] = {**schema, "description": RESULTS_DESCRIPTION}
        return {"type": "object", "required": list(properties), "properties": properties}

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": self.cursor_description,
                "schema": {"type": "string", "minLength": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page, {self.page_size} unless given.",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        return self._link(self.page[-1] if self.page else None, backwards=False)

    def get_previous_link(self) -> str | None:
        if not self.has_previous:
            return None
        return self._link(self.page[0] if self.page else None, backwards=True)

    def _link(self, row: Any, *, backwards: bool) -> str | None:
        url = self.request.build_absolute_uri()
        if row is None:  # an empty page reached by a stale cursor: start again from the edge
            return remove_query_param(url, self.cursor_query_param)
        values = [_value(row, column.lstrip("-")) for column in self.columns]
        token = signing.dumps({"o": self.columns, "p": values, "b": backwards}, salt=_SALT, compress=True)
        return replace_query_param(url, self.cursor_query_param, token)

    def _decode(self, request: Request) -> tuple[list[Any] | None, bool]:
        raw = request.query_params.get(self.cursor_query_param)
        if raw is None:
            return None, False
        # Signed, so that a row's values are only ever read back as this list wrote them; a blank,
        # altered or foreign cursor, or one from another `?ordering=`, names no page (404), as `?page=`
        # did when lists were numbered.
        try:
            decoded = signing.loads(raw, salt=_SALT)
        except signing.BadSignature:
            raise NotFound(self.invalid_cursor_message) from None
        if decoded.get("o") != list(self.columns):
            raise NotFound(self.invalid_cursor_message)
        return decoded["p"], decoded["b"]

    def _ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> tuple[str, ...]:
        """`?ordering=` or the view's `ordering` (through the ordering filter), else this paginator's;
        the primary key last, so that every row has a place of its own."""
        ordering: Any = None
        for backend in getattr(view, "filter_backends", None) or []:
            if hasattr(backend, "get_ordering"):
                ordering = backend().get_ordering(request, queryset, view)
                break
        ordering = ordering or getattr(view, "ordering", None) or self.ordering
        columns = [ordering] if isinstance(ordering, str) else list(ordering)
        columns = [column[:-2] + "pk" if column.lstrip("-") == "id" else column for column in columns]
        if not any(column.lstrip("-") == "pk" for column in columns):
            columns.append("-pk" if columns[0].startswith("-") else "pk")
        return tuple(columns[: [column.lstrip("-") for column in columns].index("pk") + 1])


class CountedCursorPagination(CursorPagination):
    """For a list whose rows are counted cheaply (bounded by a campaign's size): adds `total`."""

    with_total = True


_SALT = "backend.pagination.cursor"
NEXT_DESCRIPTION = "The URL of the next page, to follow as it is; null on the last page."
PREVIOUS_DESCRIPTION = "The URL of the previous page, to follow as it is; null on the first page."
RESULTS_DESCRIPTION = "This page's rows, in the list's order."
TOTAL_DESCRIPTION = (
    "How many rows the list holds with these filters, on every page (lists where counting is cheap)."
)


def _order_expression(column: str, *, flip: bool) -> OrderBy:
    descending = column.startswith("-") != flip
    expression = F(column.lstrip("-"))
    # Empty values last in the reading order, so first when reading backwards.
    nulls = {"nulls_first": True} if flip else {"nulls_last": True}
    return expression.desc(**nulls) if descending else expression.asc(**nulls)


def _beyond(columns: tuple[str, ...], position: list[Any], *, backwards: bool) -> Q:
    """Rows after `position` in the reading order (before it, `backwards`): (a > x) or (a = x and
    b > y) or ..., where empty values come after every value."""
    condition = Q(pk__in=[])
    equal = Q()
    for column, value in zip(columns, position, strict=True):
        name = column.lstrip("-")
        descending = column.startswith("-")
        if value is None:
            further = Q(**{f"{name}__isnull": False}) if backwards else Q(pk__in=[])
            same = Q(**{f"{name}__isnull": True})
        else:
            lookup = "lt" if descending != backwards else "gt"
            further = Q(**{f"{name}__{lookup}": value})
            if not backwards:
                further |= Q(**{f"{name}__isnull": True})
            same = Q(**{name: value})
        condition |= equal & further
        equal &= same
    return condition


def _value(row: Any, name: str) -> Any:
    value = row
    for part in name.split("__"):
        value = getattr(value, part)
        if value is None:
            return None
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value
