"""PostgreSQL's array text: a whole column of values in one parameter.

A batch's columns travel as arrays (`unnest(%s::bigint[], …)`). Given as Python lists, each element
is dumped and quoted one by one by the driver, which for a batch of 1,000 orders costs more than
the server takes to store them; written here as one string, a column of one type is a single
`join` (numbers and plain strings) and the server parses it as fast.
"""

from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any


def array_text(values: Iterable[Any]) -> str:
    """PostgreSQL's array text of `values` (ints, strings, decimals, booleans, dates, aware
    datetimes; None for NULL): strings quoted, the others as PostgreSQL reads them. Any other type
    is a TypeError: it has no text that every column type reads back the same."""
    values = values if isinstance(values, list) else list(values)
    kinds = set(map(type, values))
    if len(kinds) == 1:  # one type and no NULL: the whole column in one join
        (kind,) = kinds
        if kind is int:
            return "{" + ",".join(map(str, values)) + "}"
        if kind is str:
            joined = '","'.join(values)
            if '"' not in joined and "\\" not in joined:
                return '{"' + joined + '"}'
        if kind is Decimal:
            return "{" + ",".join([format(value, "f") for value in values]) + "}"
        if kind is datetime or kind is date:
            return "{" + ",".join([value.isoformat() for value in values]) + "}"
    if kinds == {type(None)}:
        return "{" + ",".join(["NULL"] * len(values)) + "}"
    kinds.discard(type(None))
    if len(kinds) == 1:  # one type and NULLs: one conversion for the column
        convert = _CONVERSIONS.get(kinds.pop())
        if convert is not None:
            return "{" + ",".join(["NULL" if value is None else convert(value) for value in values]) + "}"
    return "{" + ",".join(["NULL" if value is None else _element(value) for value in values]) + "}"


_CONVERSIONS: dict[type, Callable[[Any], str]] = {
    int: str,
    Decimal: lambda value: format(value, "f"),
    datetime: datetime.isoformat,
    date: date.isoformat,
}


def _element(value: Any) -> str:
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):  # and datetime: ISO 8601, with its offset
        return value.isoformat()
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    raise TypeError(f"No array text for {type(value).__name__}")
