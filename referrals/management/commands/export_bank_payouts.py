from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from referrals.payouts.services import bank_export_csv, bank_payouts_to_export


class Command(BaseCommand):
    help = "Write the pending bank-transfer payouts as CSV (to stdout, or --output). Changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--campaign", type=int, default=None, help="Only this campaign (id).")
        parser.add_argument("--output", type=Path, default=None, help="A file to write instead of stdout.")

    def handle(self, *args: object, **options: object) -> None:
        body = bank_export_csv(bank_payouts_to_export(campaign_id=options["campaign"]))  # type: ignore[arg-type]
        output = options["output"]
        if isinstance(output, Path):
            output.write_text(body, encoding="utf-8")
            self.stderr.write(f"wrote {body.count(chr(10)) - 1} payout(s) to {output}")
        else:
            self.stdout.write(body, ending="")
