"""Locale-aware display of money for the portal: `{% load formatting %}{{ amount|money:currency }}`.

Amounts stay Decimal to the last step; the active language decides separators and where the
currency symbol goes (en: €1,234.50 — fr: 1 234,50 €).
"""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils import translation
from django.utils.formats import number_format

register = template.Library()

CURRENCY_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$", "CHF": "CHF", "CAD": "CA$"}
# Languages that write the symbol after the amount, separated by a no-break space.
SYMBOL_AFTER = {"fr", "de", "es", "it", "nl"}
NO_BREAK_SPACE = "\u00a0"


@register.filter
def money(amount: object, currency: str = "EUR") -> str:
    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return ""
    code = (currency or "").upper()
    symbol = CURRENCY_SYMBOLS.get(code, code)
    negative = value < 0
    digits = number_format(abs(value), decimal_pos=2, use_l10n=True, force_grouping=True)
    language = (translation.get_language() or "en").split("-")[0]
    text = f"{digits}{NO_BREAK_SPACE}{symbol}" if language in SYMBOL_AFTER else f"{symbol}{digits}"
    return f"-{text}" if negative else text


@register.filter
def percent(rate: object) -> str:
    """A rate (0.12) as the language writes a percentage (en: 12%, fr: 12 %)."""
    try:
        value = Decimal(str(rate)) * 100
    except InvalidOperation:
        return ""
    value = value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()
    digits = number_format(value, use_l10n=True)
    language = (translation.get_language() or "en").split("-")[0]
    return f"{digits}{NO_BREAK_SPACE}%" if language in SYMBOL_AFTER else f"{digits}%"
