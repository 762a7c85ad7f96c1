"""Reading the catalogue CSV file: each row checked by the API's own serializer.

`manage.py import_catalogue` reads a file with `read_catalogue_rows` and hands the rows to
`kits.catalogue.services.import_catalogue`, which writes all of them or none. A row is accepted
exactly when the catalogue API would accept the same values (`ItemSerializer`): one validation for
both paths.
"""

import csv
from collections.abc import Iterable
from typing import Any

from backend.errors import Invalid
from kits.catalogue.serializers import ItemSerializer
from kits.catalogue.services import ITEM_FIELDS

REQUIRED = ("sku", "name", "unit_cost", "retail_price")
OPTIONAL = ("colour", "size", "ean", "currency", "weight_grams", "bin_location", "returnable", "active")
# An empty cell of these columns is a value (an empty colour, no EAN); of the others, it is left out.
TEXT = ("sku", "name", "colour", "size", "ean", "bin_location")


def parse_row(raw: dict[str, str | None]) -> tuple[dict[str, Any], list[str]]:
    """One CSV row → catalogue fields, or the list of what is wrong with it."""
    values = {key.strip().lower(): (value or "").strip() for key, value in raw.items() if key}
    given = {name: value for name, value in values.items() if value or name in TEXT}
    serializer = ItemSerializer(data=given)
    if None in raw:  # cells past the header's last column
        serializer.is_valid()
        return {}, ["the row has more cells than the header has columns.", *_messages(serializer)]
    if serializer.is_valid():
        data = serializer.validated_data
        return {name: data[name] for name in ("sku", *ITEM_FIELDS) if name in data}, []
    return {}, _messages(serializer)


def _messages(serializer: ItemSerializer) -> list[str]:
    return [
        f"{name}: {message}" if name != "non_field_errors" else str(message)
        for name, messages in serializer.errors.items()
        for message in messages
    ]


def read_catalogue_rows(lines: Iterable[str]) -> list[dict[str, Any]]:
    """Every row of a catalogue CSV (row 1 is the header) with its fields or its errors.

    A header without the required columns, with a column the catalogue does not know (a typo would
    otherwise drop that column's values silently) or with a column twice is refused as a whole
    (`Invalid`); `csv.Error` passes through.
    """
    reader = csv.DictReader(lines)
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise Invalid(f"The header lacks: {', '.join(missing)}.", code="missing_columns")
    unknown = [name for name in header if name not in (*REQUIRED, *OPTIONAL)]
    if unknown:
        raise Invalid(
            f"Unknown column(s): {', '.join(repr(name) for name in unknown)}. "
            f"The columns are {', '.join((*REQUIRED, *OPTIONAL))}.",
            code="unknown_columns",
        )
    twice = sorted({name for name in header if header.count(name) > 1})
    if twice:
        raise Invalid(f"Column(s) given twice: {', '.join(twice)}.", code="duplicate_columns")
    rows = []
    for number, raw in enumerate(reader, start=2):
        data, errors = parse_row(raw)
        rows.append({"row": number, "data": data, "errors": errors})
    return rows
