"""FX reads: the latest rates as one in-memory table."""

from __future__ import annotations

from decimal import Decimal

from positions.ledger.fx import FxTable
from positions.models import FxRate


def load_fx_table() -> FxTable:
    """Every latest FX rate, in one query. Load once per request or valuation and pass it on."""
    return FxTable(FxRate.objects.values_list("base", "quote", "rate"))


def fx_rate(base: str, quote: str, *, fx: FxTable | None = None) -> Decimal:
    """1 `base` = rate `quote`: 1 for the same currency, else direct, inverse or a cross (see
    positions/ledger/fx.py). Raises MissingFxRate (code "missing_fx_rate"); never a silent 1.0."""
    if base == quote:
        return Decimal(1)
    return (fx or load_fx_table()).rate(base, quote)
