from django.core.management.base import BaseCommand

from webhooks.sending import send_due_deliveries


class Command(BaseCommand):
    help = "Send the webhook deliveries that are due (first attempts and retries). Run every minute."

    def handle(self, *args: object, **options: object) -> None:
        sent = send_due_deliveries()
        self.stdout.write(f"sent {sent} deliver{'y' if sent == 1 else 'ies'}")
