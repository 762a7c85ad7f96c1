from django.core.management.base import BaseCommand, CommandParser

from referrals.codes.links import purge_clicks


class Command(BaseCommand):
    help = "Delete click logs older than CLICK_RETENTION_DAYS (idempotent; run daily)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="Override the retention period.")

    def handle(self, *args: object, **options: object) -> None:
        deleted = purge_clicks(older_than_days=options["days"])  # type: ignore[arg-type]
        self.stdout.write(f"purged {deleted} click(s)")
