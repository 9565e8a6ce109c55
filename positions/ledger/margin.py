"""Initial margin per position, in the instrument's currency. Pure, no Django.

- Linear instruments (equity, future, fx, crypto): |quantity x mark x multiplier| x margin_rate.
- Long options: the premium at risk, |market value| x margin_rate: a long option can lose at most
  its premium.
- Short options: the underlying notional, |quantity| x underlying mark x multiplier x margin_rate,
  plus nothing for the premium received (it is already in the mark-to-market). The underlying mark is
  required; without it MissingPrice names the underlying.

A scenario-grid (SPAN-like) method for options would be tighter; this one is simple, conservative for
short options and easy to explain.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from typing import TYPE_CHECKING

from positions.ledger.errors import MissingPrice
from positions.ledger.numbers import WIDE

if TYPE_CHECKING:
    from positions.ledger.valuation import PositionInput

ZERO = Decimal(0)


def position_margin(p: PositionInput, *, mark_value: Decimal) -> Decimal:
    """Initial margin of `p` whose signed market value is `mark_value` (instrument currency)."""
    quantity = p.state.quantity
    if quantity == 0:
        return ZERO
    with localcontext(WIDE):
        if p.asset_class == "option" and quantity < 0:
            if p.underlying_mark is None:
                raise MissingPrice(p.underlying_symbol or f"underlying of {p.symbol}")
            return abs(quantity) * p.underlying_mark * p.multiplier * p.margin_rate
        return abs(mark_value) * p.margin_rate
