from django.core.management.base import BaseCommand, CommandParser

from backend.private_files import move_files_to_private_storage


class Command(BaseCommand):
    help = (
        "Move packing slips and party photos written to MEDIA_ROOT before they had a private storage "
        "into PRIVATE_MEDIA_ROOT (idempotent; run once after upgrading)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count the files, move nothing.")

    def handle(self, *args: object, **options: object) -> None:
        dry_run = bool(options["dry_run"])
        moved = move_files_to_private_storage(dry_run=dry_run)
        self.stdout.write(f"{'would move' if dry_run else 'moved'} {moved} file(s) to private storage")
