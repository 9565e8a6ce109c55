"""Decimal arithmetic for the ledger: a wide context for products, ten places for what is stored.

The database keeps 10 decimal places (max_digits=28). The ledger rounds every stored figure to the
same 10 places at the moment it is produced, so that state computed in memory (a rebuild, a property
test) is bit-for-bit the state a live update writes and reads back.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, Decimal

PLACES = Decimal("1e-10")
# Products such as quantity x price x multiplier can exceed the default 28 significant digits.
WIDE = Context(prec=60, rounding=ROUND_HALF_EVEN)


def q10(value: Decimal) -> Decimal:
    """`value` rounded half-even to the 10 places the database stores (computed in the wide context)."""
    return value.quantize(PLACES, rounding=ROUND_HALF_EVEN, context=WIDE)
