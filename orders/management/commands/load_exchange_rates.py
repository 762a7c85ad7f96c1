"""`manage.py load_exchange_rates FILE`: the European Central Bank's reference rates (or a brand's
file of the same shape), then the orders that waited for them are credited.

The file's shape and the rules of an order's rate are `orders.exchange_rates`'s.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from orders.exchange_rates import (
    RatesFileRefused,
    load_reference_rates,
    parse_reference_rates,
    read_rates_file,
)
from orders.signals import exchange_rates_loaded


class Command(BaseCommand):
    help = "Load reference exchange rates from the ECB's CSV (eurofxref.csv or eurofxref-hist.csv, or their .zip)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            rates = parse_reference_rates(read_rates_file(path))
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path}: not a UTF-8 text file") from None
        except RatesFileRefused as refused:
            where = f"{path}, line {refused.line}" if refused.line is not None else f"{path}"
            raise CommandError(f"{where}: {refused.message}") from None
        with transaction.atomic():
            loaded = load_reference_rates(rates=rates)
            days = {rate.day for rate in rates}
            answers = exchange_rates_loaded.send(sender=self.__class__, days=days)
            credited = 0
            for _, count in answers:
                credited += count if isinstance(count, int) else 0
        span = f" from {min(days)} to {max(days)}" if days else ""
        self.stdout.write(
            f"{loaded} rate(s) of {len({rate.currency for rate in rates})} currencies{span} loaded; "
            f"{credited} order(s) waiting for a rate credited."
        )
