"""Money rounding: one rule for every amount the programme computes (orders, rewards, reports).

Half a cent rounds up (away from zero), as a person checking an amount by hand rounds it and as
the EU's rules for euro amounts require (Council Regulation (EC) No 1103/97, art. 5): a reward of
0.125 is 0.13, never 0.12. Banker's rounding (half to even) would make a host's own arithmetic and
ours disagree one time in two on a half cent. PostgreSQL's `round(numeric, 2)` follows the same rule,
so SQL that mirrors these amounts uses it as it is.
"""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def round_money(value: Decimal) -> Decimal:
    """`value` to the cent, half a cent up (away from zero)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
