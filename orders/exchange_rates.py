"""Reference exchange rates, and an order's commissionable amount in its campaign's currency.

The rates are the European Central Bank's euro foreign exchange reference rates, loaded by
`manage.py load_exchange_rates FILE` from the CSV the ECB publishes (`eurofxref.csv`, the day's rates,
or `eurofxref-hist.csv`, every day since 1999; the `.zip` it is served in is read as well):

    Date, USD, JPY, BGN, ...,                   (daily file: "04 December 2026, 1.0555, 161.64, ...")
    Date,USD,JPY,BGN,CYP,...,                   (history: "2026-12-04,1.0555,161.64,...,N/A,...")

a header naming the currencies, then one line per day with the units of each currency for one euro;
`N/A` where the ECB publishes nothing, a trailing separator, spaces after the commas in the daily
file. A brand that sells in a currency the ECB does not publish (KWD, BHD, JOD, ...) loads a file of
the same shape with its own source's rates (units of the currency for one euro).

An order's rate is the rate of its day (the UTC date it was placed). The ECB publishes on TARGET
working days only: for a weekend or a holiday, the day's rate is the last one published before it,
once a later day's rates are loaded (which shows that the day had none), and at most
`LOOKBACK_DAYS` before. Between two currencies other than the euro the rate goes through the euro
(the cross rate the ECB recommends). Without a rate the order waits (`CurrencyStatus`), and is
counted when the rate is loaded: `exchange_rates_loaded` tells whoever waits.
"""

import csv
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction

from backend.money import round_money
from orders.currencies import currency_decimals
from orders.models import CurrencyStatus, ExchangeRate, Order

LOOKBACK_DAYS = 7
# A rate between two currencies is kept with twelve decimals (ten significant digits or more for
# every pair of the ECB's list); the amount is computed from the rate as kept, so anyone can redo it.
RATE_STEP = Decimal("1e-12")
_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y")


class RatesFileRefused(Exception):
    """The file is not a reference-rate CSV: nothing of it is loaded."""

    def __init__(self, message: str, *, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class DayRate:
    day: date
    currency: str
    per_euro: Decimal


def read_rates_file(path: Path) -> str:
    """The CSV text of `path`: the file itself, or the one CSV inside the ECB's `.zip`."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            names = [name for name in archive.namelist() if name.lower().endswith(".csv")]
            if len(names) != 1:
                raise RatesFileRefused("the archive should hold one CSV file")
            return archive.read(names[0]).decode("utf-8-sig")
    return path.read_text(encoding="utf-8-sig")


def _day_of(text: str, line: int) -> date:
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007  # a calendar day
        except ValueError:
            continue
    raise RatesFileRefused(f"'{text}' is not a date (2026-12-04 or 04 December 2026)", line=line)


def parse_reference_rates(text: str) -> list[DayRate]:
    """Every rate of an ECB-shaped CSV; the whole file is refused at its first unreadable cell."""
    reader = csv.reader(io.StringIO(text), skipinitialspace=True)
    header = [cell.strip() for cell in next(reader, [])]
    if not header or header[0] != "Date":
        raise RatesFileRefused("the first line should be the header: Date, USD, JPY, ...", line=1)
    columns: list[tuple[int, str]] = []
    for index, name in enumerate(header[1:], start=1):
        if not name:
            continue  # the trailing separator
        if len(name) != 3 or not name.isascii() or not name.isupper() or name == "EUR":
            raise RatesFileRefused(f"'{name}' is not a currency code other than the euro", line=1)
        if (
            currency_decimals(name) is not None
        ):  # the history's retired currencies (CYP, EEK, ...) are all N/A
            columns.append((index, name))
    rates: list[DayRate] = []
    for row in reader:
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        line = reader.line_num
        day = _day_of(cells[0], line)
        for index, currency in columns:
            value = cells[index] if index < len(cells) else ""
            if value in ("", "N/A"):
                continue
            try:
                per_euro = Decimal(value)
            except InvalidOperation:
                raise RatesFileRefused(f"{currency}: '{value}' is not a rate", line=line) from None
            if not per_euro.is_finite() or per_euro <= 0:
                raise RatesFileRefused(f"{currency}: '{value}' is not a rate", line=line)
            rates.append(DayRate(day=day, currency=currency, per_euro=per_euro))
    return rates


@transaction.atomic
def load_reference_rates(*, rates: Iterable[DayRate]) -> int:
    """Store the rates (a day's rate loaded again is replaced); returns how many were stored."""
    rows = [ExchangeRate(currency=rate.currency, day=rate.day, per_euro=rate.per_euro) for rate in rates]
    ExchangeRate.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["currency", "day"],
        update_fields=["per_euro", "loaded_at"],
    )
    return len(rows)


def order_day(order: Order) -> date:
    return order.placed_at.astimezone(UTC).date()


def _per_euro(currency: str, day: date) -> tuple[Decimal, date | None] | None:
    """Units of `currency` for one euro on `day`, and the day of the rate used (see the module's note
    on days without rates); the euro is one, of no day."""
    if currency == "EUR":
        return Decimal(1), None
    rates = ExchangeRate.objects.filter(currency=currency)
    same_day = rates.filter(day=day).values_list("per_euro", "day").first()
    if same_day is not None:
        return same_day
    if not rates.filter(day__gt=day).exists():
        return None  # the day's rates may still come
    return (
        rates.filter(day__lt=day, day__gte=day - timedelta(days=LOOKBACK_DAYS))
        .order_by("-day")
        .values_list("per_euro", "day")
        .first()
    )


@dataclass(frozen=True)
class Conversion:
    """The rate from the order's currency to the campaign's, and what it makes of the amount."""

    currency: str
    rate: Decimal
    rate_date: date
    amount: Decimal


def conversion_for(*, order: Order, currency: str) -> Conversion | None:
    """The order's commissionable amount in `currency` at its day's rate; None while a rate is missing."""
    day = order_day(order)
    source = _per_euro(order.currency, day)
    target = _per_euro(currency, day)
    if source is None or target is None:
        return None
    rate = (target[0] / source[0]).quantize(RATE_STEP)
    return Conversion(
        currency=currency,
        rate=rate,
        rate_date=max((rate_day for rate_day in (source[1], target[1]) if rate_day is not None), default=day),
        amount=round_money(order.commissionable_amount * rate),
    )


def record_reward_currency(*, order: Order, currency: str, conversion: Conversion | None) -> bool:
    """Keep on the order how rewards count it in `currency` (its campaign's, or blank when not
    credited): its own amount, the conversion, or waiting for the rate. Returns whether it changed."""
    values: dict[str, object]
    if not currency or currency == order.currency:
        values = {"reward_currency": "", "reward_amount": None, "exchange_rate": None, "rate_date": None}
        values["currency_status"] = CurrencyStatus.SAME
    elif conversion is None:
        values = {
            "reward_currency": currency,
            "reward_amount": None,
            "exchange_rate": None,
            "rate_date": None,
        }
        values["currency_status"] = CurrencyStatus.WAITING_FOR_RATE
    else:
        values = {
            "reward_currency": currency,
            "reward_amount": conversion.amount,
            "exchange_rate": conversion.rate,
            "rate_date": conversion.rate_date,
            "currency_status": CurrencyStatus.CONVERTED,
        }
    if all(getattr(order, name) == value for name, value in values.items()):
        return False
    for name, value in values.items():
        setattr(order, name, value)
    order.save(update_fields=[*values, "updated_at"])
    return True
