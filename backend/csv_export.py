"""CSV files we hand to people, safe to open in a spreadsheet: every CSV writer of the project is this one.

A cell beginning with `=`, `+`, `-` or `@` (or a tab or carriage return, which some spreadsheets skip
before reading the rest) is read as a formula by Excel, LibreOffice and Google Sheets, so a host
named `=HYPERLINK(...)` could run code on the finance team's machine. As OWASP recommends, such a cell
is written with a leading `'`, which the spreadsheet shows as text and does not print.

A plain number is not a formula: `-12.50` (a refund, a negative adjustment) stays a number, so
amount columns can still be summed. Only a sign, digits and at most one decimal point count as one;
`-1+2` or `+33 6 12 34 56 78` are escaped like any other text.
"""

import csv
import re
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def spreadsheet_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeCsvWriter:
    """`csv.writer` whose every cell goes through `spreadsheet_safe`; or, given `text_columns`, only
    the cells of those columns (by index): a writer of a million rows whose other columns hold what
    no spreadsheet runs (ids, numbers, times it wrote itself) spares the call on every cell."""

    def __init__(self, stream: Any, *, text_columns: Sequence[int] | None = None, **options: Any):
        self._writer = csv.writer(stream, **options)
        self._text_columns = text_columns

    def writerow(self, row: Iterable[Any]) -> Any:
        if self._text_columns is None:
            return self._writer.writerow([spreadsheet_safe(value) for value in row])
        cells = list(row)
        for index in self._text_columns:
            cells[index] = spreadsheet_safe(cells[index])
        return self._writer.writerow(cells)

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream: Any, *, text_columns: Sequence[int] | None = None, **options: Any) -> SafeCsvWriter:
    return SafeCsvWriter(stream, text_columns=text_columns, **options)
