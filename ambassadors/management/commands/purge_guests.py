from django.core.management.base import BaseCommand, CommandParser

from ambassadors.parties.retention import purge_closed_campaign_guests


class Command(BaseCommand):
    help = (
        "Anonymise the guests of parties of campaigns closed more than GUEST_RETENTION_DAYS ago, "
        "keeping the rows that reports count (idempotent; run daily)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="Override the retention period.")

    def handle(self, *args: object, **options: object) -> None:
        anonymised = purge_closed_campaign_guests(older_than_days=options["days"])  # type: ignore[arg-type]
        self.stdout.write(f"anonymised {anonymised} guest(s)")
