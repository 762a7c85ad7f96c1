from django.core.management.base import BaseCommand

from referrals.attribution.services import reconcile_unattributed


class Command(BaseCommand):
    help = "Re-examine unattributed orders inside their window (guests added later). Idempotent; run hourly."

    def handle(self, *args: object, **options: object) -> None:
        found = reconcile_unattributed()
        self.stdout.write(f"{found} order(s) found their host")
