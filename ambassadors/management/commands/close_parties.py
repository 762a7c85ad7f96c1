"""Close every held party whose attribution window has ended (cron-safe: running it twice is harmless)."""

from django.core.management.base import BaseCommand

from ambassadors.parties.services import close_due_parties


class Command(BaseCommand):
    help = "Close held parties whose attribution window has ended; their rewards become final."

    def handle(self, *args: object, **options: object) -> None:
        closed = close_due_parties()
        self.stdout.write(f"closed {len(closed)} part{'y' if len(closed) == 1 else 'ies'}")
