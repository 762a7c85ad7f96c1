"""`manage.py import_orders FILE.csv [--dry-run]`: the shop's orders from a CSV export.

The columns and rules are `orders.ingestion.csv`'s; this command opens the file and reports.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from orders.ingestion.csv import CsvRefused, import_orders_csv


class Command(BaseCommand):
    help = "Import the shop's orders (and refunds) from a CSV file, exactly once each."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check and report, write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        dry_run: bool = options["dry_run"]
        try:
            handle = path.open(newline="", encoding="utf-8-sig")
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from None
        with handle:
            try:
                report = import_orders_csv(rows=handle, dry_run=dry_run)
            except CsvRefused as refused:
                where = f"{path}, line {refused.line}" if refused.line is not None else f"{path}"
                raise CommandError(f"{where}: {refused.message}") from None

        counts = report.counts
        for problem in report.problems:
            self.stderr.write(problem)
        prefix = "Dry run (nothing written): " if dry_run else ""
        self.stdout.write(
            f"{prefix}{counts['created']} created, {counts['updated']} updated (new refunds), "
            f"{counts['unchanged']} unchanged, {counts['errors']} rejected."
        )
        if counts["errors"]:
            raise CommandError(f"{counts['errors']} row(s) rejected; see above.")
