from django.core.management.base import BaseCommand, CommandParser

from ambassadors.recruitment.retention import purge_unselected_applications


class Command(BaseCommand):
    help = (
        "Delete applications never selected of campaigns closed more than "
        "UNSELECTED_APPLICATION_RETENTION_DAYS ago (idempotent; run daily)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="Override the retention period.")

    def handle(self, *args: object, **options: object) -> None:
        deleted = purge_unselected_applications(older_than_days=options["days"])  # type: ignore[arg-type]
        self.stdout.write(f"purged {deleted} application(s)")
