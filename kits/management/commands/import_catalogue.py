"""Import (create or update) catalogue SKUs from a CSV file, all or nothing, with a report."""

import csv
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kits.catalogue.services import import_catalogue

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


class Command(BaseCommand):
    help = (
        "Import the catalogue from a CSV file (header: sku,name,unit_cost,retail_price and optionally "
        "colour,size,ean,currency,weight_grams,bin_location,returnable,active). Existing SKUs are updated. "
        "Nothing is written if any row is wrong."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Validate and report; write nothing.")

    def handle(self, *args: Any, path: Path, dry_run: bool, **options: Any) -> None:
        try:
            with path.open(newline="", encoding="utf-8-sig") as handle:
                reader = csv.DictReader(handle)
                missing = [
                    name
                    for name in REQUIRED
                    if name not in [h.strip().lower() for h in reader.fieldnames or []]
                ]
                if missing:
                    raise CommandError(f"The header lacks: {', '.join(missing)}.")
                rows = []
                for number, raw in enumerate(reader, start=2):
                    data, errors = parse_row(raw)
                    rows.append({"row": number, "data": data, "errors": errors})
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        report = import_catalogue(rows=rows, dry_run=dry_run)
        for number, message in report.errors:
            self.stderr.write(f"row {number}: {message}")
        verb = "would create" if dry_run or not report.ok else "created"
        self.stdout.write(
            f"{verb} {len(report.created)}, {verb.replace('create', 'update')} {len(report.updated)}, "
            f"errors {len(report.errors)}{' (dry run)' if dry_run else ''}"
        )
        if not report.ok:
            raise CommandError("Nothing was imported: fix the rows above and run again.")
