"""Reading the catalogue CSV file: each row checked and turned into catalogue fields.

`manage.py import_catalogue` reads a file with `read_catalogue_rows` and hands the rows to
`kits.catalogue.services.import_catalogue`, which writes all of them or none.
"""

import csv
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from backend.errors import Invalid

REQUIRED = ("sku", "name", "unit_cost", "retail_price")
OPTIONAL = ("colour", "size", "ean", "currency", "weight_grams", "bin_location", "returnable", "active")
TRUE = {"1", "true", "yes", "y"}
FALSE = {"0", "false", "no", "n"}
LIMITS = {"sku": 40, "name": 200, "colour": 60, "size": 20, "bin_location": 30}


def parse_row(raw: dict[str, str | None]) -> tuple[dict[str, Any], list[str]]:
    """One CSV row → catalogue fields, or the list of what is wrong with it."""
    values = {key.strip().lower(): (value or "").strip() for key, value in raw.items() if key}
    data: dict[str, Any] = {}
    errors: list[str] = []
    for name in REQUIRED:
        if not values.get(name):
            errors.append(f"{name} is required.")
    for name, limit in LIMITS.items():
        if len(values.get(name, "")) > limit:
            errors.append(f"{name} is longer than {limit} characters.")
    for name in ("sku", "name", "colour", "size", "bin_location"):
        if name in values:
            data[name] = values[name]
    for name in ("unit_cost", "retail_price"):
        if values.get(name):
            try:
                amount = Decimal(values[name])
            except InvalidOperation:
                errors.append(f"{name} is not a decimal amount: {values[name]!r}.")
                continue
            if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
                errors.append(f"{name} must be ≥ 0 with at most 2 decimals.")
            elif amount >= Decimal("10000000000"):
                errors.append(f"{name} is too large.")
            else:
                data[name] = amount.quantize(Decimal("0.01"))
    ean = values.get("ean", "")
    if ean and not (ean.isdigit() and len(ean) in (8, 13)):
        errors.append("ean must have 8 or 13 digits.")
    elif "ean" in values:
        data["ean"] = ean
    currency = values.get("currency", "")
    if currency:
        if not (len(currency) == 3 and currency.isalpha() and currency.isupper()):
            errors.append("currency must be an ISO 4217 code such as EUR.")
        else:
            data["currency"] = currency
    weight = values.get("weight_grams", "")
    if weight:
        if not weight.isdigit() or int(weight) > 1_000_000:
            errors.append("weight_grams must be a whole number of grams.")
        else:
            data["weight_grams"] = int(weight)
    for name in ("returnable", "active"):
        flag = values.get(name, "").lower()
        if flag in TRUE:
            data[name] = True
        elif flag in FALSE:
            data[name] = False
        elif flag:
            errors.append(f"{name} must be yes or no.")
    return data, errors


def read_catalogue_rows(lines: Iterable[str]) -> list[dict[str, Any]]:
    """Every row of a catalogue CSV (row 1 is the header) with its fields or its errors.

    A header without the required columns is refused as a whole (`Invalid`); `csv.Error` passes through.
    """
    reader = csv.DictReader(lines)
    missing = [name for name in REQUIRED if name not in [h.strip().lower() for h in reader.fieldnames or []]]
    if missing:
        raise Invalid(f"The header lacks: {', '.join(missing)}.", code="missing_columns")
    rows = []
    for number, raw in enumerate(reader, start=2):
        data, errors = parse_row(raw)
        rows.append({"row": number, "data": data, "errors": errors})
    return rows
