from django.core.management.base import BaseCommand, CommandParser

from referrals.rewards.services import recompute_running_campaigns


class Command(BaseCommand):
    help = (
        "Recompute the rewards of every host of the running campaigns and post only the differences. "
        "Idempotent; run nightly as a safety net."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--campaign", type=int, default=None, help="Only this campaign (id).")

    def handle(self, *args: object, **options: object) -> None:
        posted = recompute_running_campaigns(campaign_id=options["campaign"])  # type: ignore[arg-type]
        self.stdout.write(f"posted {posted} ledger line(s)")
