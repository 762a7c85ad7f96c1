"""The API's JSON parser: DRF's, with a bound on nesting.

Python's JSON decoder recurses once per level, so a body nested a thousand levels deep stops it
with a RecursionError (a 500), and one a little shallower would stop whatever walks it next. No
request of this API nests more than a few levels; deeper is refused as a parse error (400).
"""

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_JSON_DEPTH = 32


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        too_deep = ParseError(f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels.")
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise too_deep from None
        if nested_deeper_than(data, MAX_JSON_DEPTH):
            raise too_deep
        return data


def nested_deeper_than(value: Any, limit: int) -> bool:
    """True when lists and objects nest more than `limit` levels; walked level by level, without
    recursion, touching each value once (about the time the decoder took on the same body)."""
    level = [value] if type(value) in (dict, list) else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        below: list[Any] = []
        keep = below.append
        for item in level:
            for child in item.values() if type(item) is dict else item:
                if type(child) is dict or type(child) is list:
                    keep(child)
        level = below
    return False
