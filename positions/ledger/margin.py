"""Initial margin of a position: the one method the pre-trade check, the account summary and the
nightly report all use. Pure, no Django; any currency, as long as both values are in the same one.

- Linear instruments (equity, future, fx, crypto): |market value| x margin_rate.
- Long options: the premium, |market value|, in full: a long option is paid for, not bought on
  margin, and can lose at most its premium.
- Short options: the underlying notional, |quantity| x multiplier x underlying mark, x margin_rate,
  plus nothing for the premium received (it is already in the mark-to-market). The underlying mark
  is required; without it MissingPrice names the underlying.

A scenario-grid (SPAN-like) method for options would be tighter; the nightly report shows one beside
this (analytics/riskmath/margin.py), but limits are enforced on this one: simple, conservative for
short options and easy to explain.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

from positions.ledger.errors import MissingPrice
from positions.ledger.numbers import WIDE

ZERO = Decimal(0)


def initial_margin(
    *,
    asset_class: str,
    quantity: Decimal,
    market_value: Decimal,
    margin_rate: Decimal,
    underlying_value: Decimal | None,
    underlying: str = "the underlying",
) -> Decimal:
    """Initial margin of a position of signed `quantity` whose signed market value is `market_value`;
    `underlying_value` is |quantity| x multiplier x the underlying's mark (options; None = no mark)."""
    if quantity == 0:
        return ZERO
    with localcontext(WIDE):
        if asset_class != "option":
            return abs(market_value) * margin_rate
        if quantity > 0:
            return abs(market_value)
        if underlying_value is None:
            raise MissingPrice(underlying)
        return abs(underlying_value) * margin_rate
