"""Every operation, field and parameter of the API schema says what it is: a marketing team's script is
written from the schema, so a field it has to guess (the unit, the currency, what a report column
counts) is a defect. A description that only repeats the field's name, or only lists an enum's
values, says nothing and counts as missing."""

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator

METHODS = ("get", "post", "put", "patch", "delete")
# drf-spectacular appends an enum's values to the description ("* `draft` - Draft"): not a description.
_CHOICE_LINE = re.compile(r"^\s*\*\s+`[^`]*`\s+-\s+.*$", re.MULTILINE)


@cache
def _schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


def says_nothing(description: str | None, *names: str) -> bool:
    """True when the description is empty once the enum's listed values are taken off, or repeats a
    name (`first_name`, `First Name`, `First name.`)."""
    text = _CHOICE_LINE.sub("", description or "").strip()
    return not text or _words(text) in {_words(name) for name in names if name}


def _properties(node: Any, where: str) -> Iterator[tuple[str, str, dict]]:
    """Every property of every object schema, however deeply nested (inline or in a component)."""
    if isinstance(node, dict):
        for name, field in (node.get("properties") or {}).items():
            yield where, name, field
        for key, value in node.items():
            yield from _properties(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _properties(value, f"{where}[{index}]")


def undescribed_operations(schema: dict[str, Any]) -> list[str]:
    return [
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
        and says_nothing(operation.get("description"), operation.get("operationId", ""), path)
    ]


def undescribed_fields(schema: dict[str, Any]) -> list[str]:
    found = [*_properties(schema["components"]["schemas"], "components"), *_properties(schema["paths"], "")]
    return sorted(
        {f"{where}.{name}" for where, name, field in found if says_nothing(field.get("description"), name)}
    )


def _undescribed_parameters(schema: dict[str, Any], where: str) -> list[str]:
    return sorted(
        {
            f"{path} {{{parameter['name']}}}" if where == "path" else f"{path} ?{parameter['name']}"
            for path, item in schema["paths"].items()
            for method, operation in item.items()
            if method in METHODS
            for parameter in operation.get("parameters", [])
            if parameter["in"] == where and says_nothing(parameter.get("description"), parameter["name"])
        }
    )


def undescribed_path_parameters(schema: dict[str, Any]) -> list[str]:
    return _undescribed_parameters(schema, "path")


def undescribed_query_parameters(schema: dict[str, Any]) -> list[str]:
    """The lists' filters, the reports' choices, `format`: a script sets them from the schema alone, so
    each one says what it selects and in which form (a time, an id, a slug)."""
    return _undescribed_parameters(schema, "query")


def test_every_path_parameter_says_what_it_names():
    assert undescribed_path_parameters(_schema()) == []


def test_every_query_parameter_says_what_it_selects():
    missing = undescribed_query_parameters(_schema())
    assert missing == [], f"{len(missing)} query parameters without a description:\n" + "\n".join(missing)


@pytest.mark.parametrize("description", [None, "", "placed_after", "Placed After", "* `csv` - CSV"])
def test_a_query_parameter_description_that_only_echoes_its_name_counts_as_missing(description):
    parameter = {"name": "placed_after", "in": "query", "description": description}
    operation = {"operationId": "orders_list", "description": "Lists.", "parameters": [parameter]}
    schema = {"paths": {"/api/v1/orders/": {"get": operation}}, "components": {"schemas": {}}}
    assert undescribed_query_parameters(schema) == ["/api/v1/orders/ ?placed_after"]


def test_every_operation_says_what_it_does_and_who_may_call_it():
    assert undescribed_operations(_schema()) == []


def test_every_field_says_what_it_holds():
    missing = undescribed_fields(_schema())
    assert missing == [], f"{len(missing)} fields without a description:\n" + "\n".join(missing)


@pytest.mark.parametrize(
    ("description", "name"),
    [
        (None, "first_name"),
        ("", "first_name"),
        ("first_name", "first_name"),
        ("First Name", "first_name"),
        ("First name.", "first_name"),
        ("* `draft` - Draft\n* `open` - Open", "status"),
    ],
)
def test_a_field_description_that_only_echoes_the_name_or_lists_the_values_counts_as_missing(
    description, name
):
    schema = {
        "paths": {},
        "components": {
            "schemas": {"X": {"properties": {name: {"type": "string", "description": description}}}}
        },
    }
    assert undescribed_fields(schema) == [f"components.X.{name}"]


@pytest.mark.parametrize("description", [None, "", "campaigns_list", "Campaigns List", "/api/v1/campaigns/"])
def test_an_operation_description_that_only_echoes_its_name_counts_as_missing(description):
    operation = {"operationId": "campaigns_list", "description": description}
    schema = {"paths": {"/api/v1/campaigns/": {"get": operation}}, "components": {"schemas": {}}}
    assert undescribed_operations(schema) == ["GET /api/v1/campaigns/"]


def test_a_real_sentence_counts():
    assert not says_nothing("The host's first name, as they gave it on their application.", "first_name")
    assert not says_nothing("What the shop charged, in the order's currency.\n\n* `a` - A", "total")
