"""Import (create or update) catalogue SKUs from a CSV file, all or nothing, with a report."""

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.errors import Invalid
from kits.catalogue.csv_import import OPTIONAL, REQUIRED, read_catalogue_rows
from kits.catalogue.services import import_catalogue


class Command(BaseCommand):
    help = (
        f"Import the catalogue from a CSV file (header: {','.join(REQUIRED)} and optionally "
        f"{','.join(OPTIONAL)}). Existing SKUs are updated. Nothing is written if any row is wrong."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Validate and report; write nothing.")

    def handle(self, *args: Any, path: Path, dry_run: bool, **options: Any) -> None:
        try:
            with path.open(newline="", encoding="utf-8-sig") as handle:
                rows = read_catalogue_rows(handle)
        except Invalid as error:
            raise CommandError(error.message) from error
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
