import json

from django.core.management.base import BaseCommand, CommandParser

from referrals.payouts.services import run_payouts


class Command(BaseCommand):
    help = (
        "Pay every host whose approved balance reaches the minimum, and send payouts left pending by an "
        "earlier run. Safe to run again at any time: nobody is paid twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--campaign", type=int, default=None, help="Only this campaign (id).")

    def handle(self, *args: object, **options: object) -> None:
        result = run_payouts(campaign_id=options["campaign"])  # type: ignore[arg-type]
        self.stdout.write(json.dumps(result.as_dict()))
