"""Queue the notifications that are due (cron-safe: each is sent once however often it runs)."""

from django.core.management.base import BaseCommand

from notifications.services import send_due_notifications


class Command(BaseCommand):
    help = "Queue due notifications: guests' invitations, reminders and thank-yous; hosts' reminders."

    def handle(self, *args: object, **options: object) -> None:
        queued = send_due_notifications()
        self.stdout.write(f"queued {sum(queued.values())} notification(s)")
        for kind, count in sorted(queued.items()):
            self.stdout.write(f"  {kind}: {count}")
