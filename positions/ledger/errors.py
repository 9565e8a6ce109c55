"""Market-data gaps that make a figure impossible to compute.

They are errors, never defaults: a missing FX rate valued at 1.0 or a missing mark valued at 0 would
turn a data problem into a wrong risk figure. Each carries a stable `code` that the API and the limit
engine report as-is.
"""

from __future__ import annotations


class MarketDataError(LookupError):
    """Base of the market-data gaps; `code` is the stable machine-readable name."""

    code: str = "market_data_missing"


class MissingFxRate(MarketDataError):
    """No direct, inverse or cross rate converts `base` into `quote`."""

    code = "missing_fx_rate"

    def __init__(self, base: str, quote: str) -> None:
        super().__init__(f"No FX rate {base}/{quote} (direct, inverse or through a common currency).")
        self.base = base
        self.quote = quote


class MissingPrice(MarketDataError):
    """An open position has no mark, so it cannot be valued."""

    code = "missing_price"

    def __init__(self, symbol: str) -> None:
        super().__init__(f"No mark price for {symbol}.")
        self.symbol = symbol
