"""ISO 4217 currencies with their decimals, and the two conversions at the Stripe boundary.

Amounts are stored with three decimals (`orders.models.MONEY`), so three-decimal currencies (BHD,
JOD, KWD, ...) are exact; the two with four (CLF, UYW) are known but refused with a clear message
rather than rounded.
"""

from decimal import Decimal


def _codes(text: str) -> list[str]:
    return text.split()


# Active ISO 4217 codes → number of decimals (minor unit exponent).
ISO_4217_DECIMALS: dict[str, int] = {
    **dict.fromkeys(
        _codes(
            "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP "
            "BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD "
            "FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD "
            "KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD "
            "NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP "
            "SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED "
            "VES WST XCD XCG YER ZAR ZMW ZWG"
        ),
        2,
    ),
    **dict.fromkeys(_codes("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"), 0),
    **dict.fromkeys(_codes("BHD IQD JOD KWD LYD OMR TND"), 3),
    **dict.fromkeys(_codes("CLF UYW"), 4),
}

STORABLE_DECIMALS = 3

# Stripe's own exponents differ from ISO 4217 for a few currencies (its "zero-decimal" list; ISK
# and HUF travel with two decimals). https://docs.stripe.com/currencies#zero-decimal
_STRIPE_ZERO_DECIMAL = frozenset(_codes("BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF"))
_STRIPE_THREE_DECIMAL = frozenset(_codes("BHD JOD KWD OMR TND"))


def currency_decimals(code: str) -> int | None:
    """Decimals of an ISO 4217 code (upper-case), or None for an unknown code."""
    return ISO_4217_DECIMALS.get(code)


def _stripe_exponent(currency: str) -> int:
    code = currency.upper()
    if code in _STRIPE_ZERO_DECIMAL:
        return 0
    if code in _STRIPE_THREE_DECIMAL:
        return 3
    return 2


# The step of an amount with so many decimals (0 → 1, 2 → 0.01), made once.
DECIMAL_STEPS = {places: Decimal(1).scaleb(-places) for places in range(7)}


def amount_exponent(currency: str) -> Decimal:
    """The step an amount of `currency` is written with: 0.01, or 0.001 for three-decimal ones."""
    return DECIMAL_STEPS[max(2, currency_decimals(currency.upper()) or 2)]


def decimal_from_stripe_amount(amount: int, currency: str) -> Decimal:
    """Stripe's integer minor units (e.g. 1999 EUR cents, 5125 KWD fils) → Decimal("19.99"),
    Decimal("5.125"): nothing is rounded away."""
    exponent = _stripe_exponent(currency)
    return Decimal(int(amount)).scaleb(-exponent).quantize(Decimal(1).scaleb(-max(2, exponent)))


def stripe_amount_from_decimal(amount: Decimal, currency: str) -> int:
    """Decimal("19.99") EUR → 1999, the integer minor units Stripe expects."""
    return int(amount.scaleb(_stripe_exponent(currency)).to_integral_exact())
