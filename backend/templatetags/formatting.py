"""Locale-aware display of money for the portal: `{% load formatting %}{{ amount|money:currency }}`.

Amounts stay Decimal to the last step; the active language decides separators and where the
currency symbol goes (en: €1,234.50 — fr: 1 234,50 €).
"""

from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import numberformat, translation
from django.utils.formats import get_format, number_format

register = template.Library()

CURRENCY_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$", "CHF": "CHF", "CAD": "CA$"}
# Languages that write the symbol after the amount, separated by a no-break space.
SYMBOL_AFTER = {"fr", "de", "es", "it", "nl"}
NO_BREAK_SPACE = "\u00a0"
FORMAT_SETTINGS = {
    "DECIMAL_SEPARATOR",
    "THOUSAND_SEPARATOR",
    "NUMBER_GROUPING",
    "FORMAT_MODULE_PATH",
    "LANGUAGES",
    "LANGUAGE_CODE",
    "LOCALE_PATHS",
}


@lru_cache(maxsize=32)
def _separators(language: str | None) -> tuple[str, int, str]:
    """The language's decimal separator, grouping and thousand separator, read once: a page of a
    hundred amounts otherwise looks each up again for each amount. With no active language, the
    settings' (as `number_format` reads them)."""
    return (
        get_format("DECIMAL_SEPARATOR", language, use_l10n=True),
        get_format("NUMBER_GROUPING", language, use_l10n=True),
        get_format("THOUSAND_SEPARATOR", language, use_l10n=True),
    )


@receiver(setting_changed)
def _forget_separators(*, setting: str, **kwargs: object) -> None:
    """Settings that decide separators changed (in tests): read them again, as Django's own format
    cache does."""
    if setting in FORMAT_SETTINGS:
        _separators.cache_clear()


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
    active = translation.get_language()
    decimal_separator, grouping, thousand_separator = _separators(active)
    digits = numberformat.format(
        abs(value),
        decimal_separator,
        decimal_pos=2,
        grouping=grouping,
        thousand_sep=thousand_separator,
        force_grouping=True,
        use_l10n=True,
    )
    language = (active or "en").split("-")[0]
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
