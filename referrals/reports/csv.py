"""The attribution report as CSV records."""

from collections.abc import Iterator
from datetime import date
from typing import Any

from referrals.reports.query import Report, ReportRow

CSV_COLUMNS = (
    "key",
    "label",
    "orders",
    "buyers",
    "gross_sales",
    "refunds",
    "post_close_refunds",
    "net_sales",
    "average_order_value",
    "rewards_accrued",
    "rewards_approved",
    "rewards_paid",
    "guests",
    "guests_who_bought",
    "guest_conversion",
    "clicks",
    "kit_cost",
    "return_on_kit",
)


def row_values(row: ReportRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in CSV_COLUMNS}


def csv_lines(report: Report) -> Iterator[list[str]]:
    """The report as CSV records: a header, one line per row, and the totals last."""

    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, date):
            return value.isoformat()
        return str(value)

    yield [*CSV_COLUMNS, "currency"]
    for row in [*report.rows, report.totals]:
        values = row_values(row)
        if row is report.totals:
            values["key"] = "total"
        yield [text(values[name]) for name in CSV_COLUMNS] + [report.currency or ""]
