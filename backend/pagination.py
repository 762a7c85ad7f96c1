from typing import Any

from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request


class _CheckedPageSize:
    """A `page_size` that is not a whole number from 1 to the maximum is refused (400), not ignored:
    a client asking for something it will not get should be told."""

    page_size_query_param: str | None = "page_size"
    max_page_size: int

    def get_page_size(self, request: Request) -> int | None:
        param = self.page_size_query_param  # None, as in DRF, would mean "no such parameter"
        raw = request.query_params.get(param) if param else None
        if not param or raw is None:
            return super().get_page_size(request)  # type: ignore[misc]  # the DRF paginator's default
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {param: [f"A whole number from 1 to {self.max_page_size}."]},
                code="invalid",
            )
        return int(raw)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)  # type: ignore[misc]
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paginated = super().get_paginated_response_schema(schema)  # type: ignore[misc]
        for key, field in paginated["properties"].items():
            if key in PAGE_KEYS:
                field["description"] = PAGE_KEYS[key]
        return paginated


# What each key of a page means, in every paginated list.
PAGE_KEYS = {
    "count": "How many rows the whole list has with these filters, over all its pages.",
    "next": "The URL of the next page, to follow as it is; null on the last page.",
    "previous": "The URL of the previous page, to follow as it is; null on the first page.",
    "results": "This page's rows, in the list's order.",
}


class PageNumberPagination(_CheckedPageSize, pagination.PageNumberPagination):
    max_page_size = 200

    def get_page_number(self, request: Request, paginator: Any) -> Any:
        # `?page=` names no page: refused as any page that does not exist (404), not read as the first.
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and not raw.strip():
            raise NotFound(self.invalid_page_message)
        return super().get_page_number(request, paginator)


class CursorPagination(_CheckedPageSize, pagination.CursorPagination):
    """For large, append-mostly lists (orders, clicks): stable under inserts, no COUNT(*)."""

    page_size = 50
    max_page_size = 500
    ordering = "-id"
