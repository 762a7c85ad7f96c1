"""The shop's orders from a CSV export (`manage.py import_orders FILE.csv [--dry-run]`).

One row per order, with the columns of the import API:
external_id, placed_at, customer_email, currency, subtotal, discount, shipping, tax, total, code,
landing_token, lines — lines as `SKU*QUANTITY@UNIT_PRICE` separated by `|` (e.g. `JKT-42*1@89.00|SCF-7*2@15.00`).
A refund may ride on a row with refund_id, refund_amount, refunded_at, refund_reason; several
refunds of one order are several rows repeating the order's columns. The same rules as the API
apply (idempotent on external id and refund id, every §6 validation). Each row stands alone: a
bad row is reported and the others are still imported. `--dry-run` checks and reports everything,
then writes nothing.
"""

import csv
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.db import transaction
from rest_framework.exceptions import ErrorDetail, ValidationError

from backend.errors import DomainError
from orders.ingestion.serializers import OrderInputSerializer
from orders.ingestion.services import import_order
from orders.models import OrderSource

REQUIRED_COLUMNS = {"external_id", "placed_at", "customer_email", "currency", "subtotal", "total"}
AMOUNT_COLUMNS = {"subtotal", "discount", "shipping", "tax", "total"}
ORDER_COLUMNS = ["external_id", "placed_at", "customer_email", "currency", "subtotal", "discount", "shipping", "tax", "total", "code", "landing_token"]  # fmt: skip


class CsvRefused(Exception):
    """The file as a whole cannot be imported: a required column is missing, or a line is not CSV."""

    def __init__(self, message: str, *, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class CsvImportReport:
    """How many rows were created, updated (new refunds), unchanged or rejected, and why each was rejected."""

    counts: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)


class _DryRunRollback(Exception):
    pass


def _parse_lines(text: str) -> list[dict[str, Any]] | str:
    lines = []
    for chunk in filter(None, (part.strip() for part in text.split("|"))):
        sku, star, rest = chunk.rpartition("*")
        quantity, at, price = rest.partition("@")
        if not star or not at:
            return f"'{chunk}' is not SKU*QUANTITY@UNIT_PRICE"
        try:
            lines.append({"sku": sku.strip(), "quantity": int(quantity), "unit_price": price})
        except ValueError:
            return f"'{quantity}' in '{chunk}' is not a whole quantity"
    return lines


def row_to_payload(row: dict[str, str]) -> dict[str, Any]:
    # Amounts are passed as written, for the API's strict reading to judge (" 120.00" is refused).
    payload: dict[str, Any] = {
        column: row[column] if column in AMOUNT_COLUMNS else row[column].strip()
        for column in ORDER_COLUMNS
        if (row.get(column) or "").strip()
    }
    payload.setdefault("code", "")
    payload.setdefault("landing_token", "")
    lines = _parse_lines(row.get("lines") or "")
    if isinstance(lines, str):
        raise ValidationError({"lines": [ErrorDetail(lines, "invalid")]})
    payload["lines"] = lines
    if (row.get("refund_id") or "").strip():
        payload["refunds"] = [
            {
                "refund_id": row["refund_id"].strip(),
                "amount": row.get("refund_amount") or "",
                "refunded_at": (row.get("refunded_at") or "").strip(),
                "reason": (row.get("refund_reason") or "").strip(),
            }
        ]
    return payload


def _flatten(detail: Any, prefix: str = "") -> list[str]:
    if isinstance(detail, dict):
        return [item for key, value in detail.items() for item in _flatten(value, f"{prefix}{key}.")]
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            return [f"{prefix.rstrip('.') or 'row'}: {item}" for item in detail]
        return [item for index, value in enumerate(detail) for item in _flatten(value, f"{prefix}{index}.")]
    return [f"{prefix.rstrip('.') or 'row'}: {detail}"]


def import_orders_csv(*, rows: TextIO, dry_run: bool = False) -> CsvImportReport:
    """Import every row of an open CSV file in one transaction; `dry_run` checks and reports, then
    writes nothing. A bad row is reported and the others are still imported."""
    report = CsvImportReport()
    reader = csv.DictReader(rows)
    missing = REQUIRED_COLUMNS - set(reader.fieldnames or [])
    if missing:
        raise CsvRefused(f"missing columns {', '.join(sorted(missing))}")
    try:
        with transaction.atomic():
            for row in reader:
                outcome = _import_row(row)
                if isinstance(outcome, list):
                    report.counts["errors"] += 1
                    report.problems += [f"line {reader.line_num}: {message}" for message in outcome]
                else:
                    report.counts[outcome] += 1
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    except csv.Error as error:
        raise CsvRefused(str(error), line=reader.line_num) from None
    return report


def _import_row(row: dict[str, str]) -> str | list[str]:
    try:
        data = OrderInputSerializer(data=row_to_payload(row))
        data.is_valid(raise_exception=True)
        result = import_order(
            source=OrderSource.CSV,
            data=OrderInputSerializer.to_order_data(data.validated_data),
            refunds=OrderInputSerializer.to_refund_data(data.validated_data),
        )
    except ValidationError as error:
        return _flatten(error.detail)
    except DomainError as error:
        return [f"{error.field or 'row'}: {error.message} ({error.code})"]
    if result.order_created:
        return "created"
    return "updated" if result.changed else "unchanged"
