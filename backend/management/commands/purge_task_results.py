from django.core.management.base import BaseCommand, CommandParser

from backend.task_results import purge_task_results


class Command(BaseCommand):
    help = (
        "Delete the results of tasks finished more than TASK_RESULT_RETENTION_DAYS ago "
        "(idempotent; run daily with the other purges)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="Override the retention period.")

    def handle(self, *args: object, **options: object) -> None:
        deleted = purge_task_results(older_than_days=options["days"])  # type: ignore[arg-type]
        self.stdout.write(f"deleted {deleted} task result(s)")
