"""FX conversion over a table of latest rates. Pure, no Django.

A stored row (base, quote, rate) means 1 `base` = `rate` `quote`. `FxTable.rate(base, quote)` finds,
in this order:

1. the same currency: 1;
2. the direct row base/quote;
3. the inverse row quote/base: 1 / rate;
4. a cross through one intermediate currency C with a leg base->C and a leg C->quote, each leg
   direct or inverse. Candidates for C are tried in a fixed order: the preferred pivots (USD, then
   EUR) and then every other currency in the table alphabetically, so the answer is deterministic
   when several crosses exist.

Longer chains (two intermediates) are not searched: each hop adds a stale-rate risk, and a feed that
quotes neither leg against USD or EUR is a data problem worth reporting. Nothing found raises
MissingFxRate; there is never a silent 1.0. Non-positive rates are ignored as unusable.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext

from positions.ledger.errors import MissingFxRate
from positions.ledger.numbers import WIDE

PREFERRED_PIVOTS: tuple[str, ...] = ("USD", "EUR")
# Inverse and cross rates carry 28 significant digits, like any Decimal computed by default.
RATE_CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN)
ONE = Decimal(1)


class FxTable:
    """Latest FX rates, loaded once and shared by every conversion of a request or valuation."""

    def __init__(self, rows: Iterable[tuple[str, str, Decimal]]) -> None:
        self._direct: dict[tuple[str, str], Decimal] = {}
        for base, quote, rate in rows:
            if rate > 0 and base != quote:
                self._direct[(base, quote)] = rate
        currencies = {c for pair in self._direct for c in pair}
        self._pivots: tuple[str, ...] = tuple(c for c in PREFERRED_PIVOTS if c in currencies) + tuple(
            sorted(currencies - set(PREFERRED_PIVOTS))
        )
        self._cache: dict[tuple[str, str], Decimal] = {}

    def __len__(self) -> int:
        return len(self._direct)

    def _leg(self, base: str, quote: str) -> Decimal | None:
        """A one-hop rate: direct or inverse, or None."""
        direct = self._direct.get((base, quote))
        if direct is not None:
            return direct
        inverse = self._direct.get((quote, base))
        if inverse is not None:
            with localcontext(RATE_CONTEXT):
                return ONE / inverse
        return None

    def rate(self, base: str, quote: str) -> Decimal:
        """How many `quote` one `base` buys. Raises MissingFxRate."""
        if base == quote:
            return ONE
        key = (base, quote)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        found = self._leg(base, quote)
        if found is None:
            for pivot in self._pivots:
                if pivot in key:
                    continue
                first = self._leg(base, pivot)
                if first is None:
                    continue
                second = self._leg(pivot, quote)
                if second is None:
                    continue
                with localcontext(RATE_CONTEXT):
                    found = first * second
                break
        if found is None:
            raise MissingFxRate(base, quote)
        self._cache[key] = found
        return found

    def convert(self, amount: Decimal, base: str, quote: str) -> Decimal:
        """`amount` of `base` expressed in `quote`."""
        if base == quote:
            return amount
        rate = self.rate(base, quote)
        with localcontext(WIDE):
            return amount * rate
