from django.core.management.base import BaseCommand

from referrals.rewards.services import approve_due_entries


class Command(BaseCommand):
    help = "Approve ledger entries whose holding period is over. Idempotent; run daily."

    def handle(self, *args: object, **options: object) -> None:
        approved = approve_due_entries()
        self.stdout.write(f"approved {approved} ledger entr{'y' if approved == 1 else 'ies'}")
