from django.core.management.base import BaseCommand

from recognition.milestones.services import record_milestones


class Command(BaseCommand):
    help = "Record the milestones hosts reached and e-mail each once. Idempotent; run hourly or daily."

    def handle(self, *args: object, **options: object) -> None:
        run = record_milestones()
        self.stdout.write(f"recorded {run.recorded} milestone(s), announced {run.announced}")
